package io.spanline.gateway.kafka;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the request bytes waiting for Kafka's acknowledgement. A request that does not fit is
 * refused rather than queued, so a slow or absent Kafka turns into retryable answers instead of
 * memory growth. A single request larger than the whole budget is let through when nothing else is
 * in flight, so no valid request is refused for ever.
 */
public final class InFlightBudget {
  private final long maxBytes;
  private final AtomicLong inFlight = new AtomicLong();

  public InFlightBudget(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** Reserves {@code bytes}; false when they do not fit now. */
  public boolean tryAcquire(long bytes) {
    while (true) {
      long current = inFlight.get();
      if (current > 0 && current + bytes > maxBytes) {
        return false;
      }
      if (inFlight.compareAndSet(current, current + bytes)) {
        return true;
      }
    }
  }

  public void release(long bytes) {
    inFlight.addAndGet(-bytes);
  }

  /** Bytes reserved now. */
  public long inFlightBytes() {
    return inFlight.get();
  }
}
