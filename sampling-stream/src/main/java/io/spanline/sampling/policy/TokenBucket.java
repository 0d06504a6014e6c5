package io.spanline.sampling.policy;

/**
 * A token bucket refilled at {@code ratePerSecond} up to {@code burst}, starting full, over
 * evaluation time (Go's {@code golang.org/x/time/rate.Limiter.AllowN}, which the Collector's {@code
 * rate_limiting} uses). Time that runs backwards refills nothing. Not thread-safe: callers
 * synchronise.
 */
final class TokenBucket {
  private final double ratePerSecond;
  private final double burst;
  private double tokens;
  private long lastNanos = Long.MIN_VALUE;

  TokenBucket(double ratePerSecond, double burst) {
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.tokens = burst;
  }

  /** Takes {@code n} tokens at {@code nowEpochNanos} when that many are there. */
  boolean tryTake(long nowEpochNanos, long n) {
    if (lastNanos != Long.MIN_VALUE && nowEpochNanos > lastNanos) {
      tokens = Math.min(burst, tokens + (nowEpochNanos - lastNanos) / 1e9 * ratePerSecond);
    }
    if (lastNanos == Long.MIN_VALUE || nowEpochNanos > lastNanos) {
      lastNanos = nowEpochNanos;
    }
    if (n <= tokens) {
      tokens -= n;
      return true;
    }
    return false;
  }
}
