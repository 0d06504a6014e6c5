package io.spanline.service.streams;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * Failed stream threads of one Kafka Streams app: each failure is counted in {@code
 * spanline.streams.thread.failures} (tag {@code exception}: the root cause's class), and once
 * {@code threshold} failures fall within {@code window} the app reports a problem, so that a thread
 * replaced again and again on the same task turns {@code /readyz} red instead of looping silently.
 * Thread-safe: stream threads record, the admin port reads.
 */
final class ThreadFailures {
  private final Clock clock;
  private final int threshold;
  private final Duration window;
  private final MeterRegistry registry;
  private final Counter replacements;
  private final Deque<Long> recentMillis = new ArrayDeque<>();
  private String last = "";

  /**
   * @param threshold failures within {@code window} that make the app unready, at least 1
   * @throws IllegalArgumentException when {@code threshold} is below 1 or the window not positive
   */
  public ThreadFailures(Clock clock, int threshold, Duration window, MeterRegistry registry) {
    if (threshold < 1 || window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException(
          "threshold must be >= 1 and window positive, got " + threshold + " and " + window);
    }
    this.clock = clock;
    this.threshold = threshold;
    this.window = window;
    this.registry = registry;
    this.replacements =
        Counter.builder("spanline.streams.thread.replacements")
            .description("Stream threads that failed and were replaced (all causes; 0 from start)")
            .register(registry);
  }

  /** Records a stream thread that died of {@code e}. */
  public void record(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    registry
        .counter("spanline.streams.thread.failures", "exception", root.getClass().getSimpleName())
        .increment();
    replacements.increment();
    synchronized (this) {
      recentMillis.addLast(clock.millis());
      last = root.getClass().getSimpleName() + ": " + root.getMessage();
      trim();
    }
  }

  /** Why the app is unready: the failures within the window and the last cause; empty if fewer. */
  public synchronized Optional<String> problem() {
    trim();
    if (recentMillis.size() < threshold) {
      return Optional.empty();
    }
    return Optional.of(
        "stream threads failed "
            + recentMillis.size()
            + " times in the last "
            + window.toSeconds()
            + " s; last: "
            + last);
  }

  private void trim() {
    long from = clock.millis() - window.toMillis();
    while (!recentMillis.isEmpty() && recentMillis.peekFirst() < from) {
      recentMillis.removeFirst();
    }
  }
}
