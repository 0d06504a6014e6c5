package io.spanline.sampling.policy;

/**
 * The observed rate of one key of an {@code adaptive} policy, in traces per second of evaluation
 * time (record timestamps, epoch nanoseconds): an exponentially weighted moving average of the
 * per-interval rates, {@code rate = weight × lastInterval + (1 − weight) × rate}, as Jaeger's
 * adaptive sampling and Refinery's EMA samplers smooth theirs. Intervals are aligned to multiples
 * of the interval length; an interval without a trace counts as rate 0. Before the key's first
 * interval has ended, the estimate is the count so far over the time since the key was first seen
 * (at least one second), so a new busy key is held back after one second instead of one interval.
 * Time that runs backwards counts in the current interval. Not thread-safe: callers synchronise.
 */
final class RateEstimator {
  private static final long SECOND = 1_000_000_000L;

  private final long intervalNanos;
  private final double weight;
  private long interval = Long.MIN_VALUE;
  private long count;
  private long firstSeenNanos;
  private boolean hasHistory;
  private double average;

  /**
   * @param intervalNanos length of an interval, nanoseconds, at least 1 ms
   * @param weight weight of the newest interval's rate, in (0, 1]
   */
  RateEstimator(long intervalNanos, double weight) {
    if (intervalNanos < 1_000_000L) {
      throw new IllegalArgumentException("interval must be at least 1 ms, was " + intervalNanos);
    }
    if (!(weight > 0 && weight <= 1)) {
      throw new IllegalArgumentException("weight must be in (0, 1], was " + weight);
    }
    this.intervalNanos = intervalNanos;
    this.weight = weight;
  }

  /** Counts one trace at {@code nowEpochNanos}. */
  void record(long nowEpochNanos) {
    long i = Math.floorDiv(nowEpochNanos, intervalNanos);
    if (interval == Long.MIN_VALUE) {
      interval = i;
      firstSeenNanos = nowEpochNanos;
    } else if (i > interval) {
      average = averageAt(i);
      hasHistory = true;
      interval = i;
      count = 0;
    }
    count++;
  }

  /**
   * The estimated rate at {@code nowEpochNanos}, traces per second: the moving average as of the
   * last complete interval (decayed over intervals since without a trace), or before the first
   * interval ends the count over the time since the first trace. 0 before any trace.
   */
  double ratePerSecond(long nowEpochNanos) {
    if (interval == Long.MIN_VALUE) {
      return 0;
    }
    long i = Math.floorDiv(nowEpochNanos, intervalNanos);
    if (i > interval) {
      return averageAt(i);
    }
    if (hasHistory) {
      return average;
    }
    long elapsed = Math.max(SECOND, nowEpochNanos - firstSeenNanos);
    return count * (double) SECOND / elapsed;
  }

  /** The average once interval {@code i} (after the current one) has begun. */
  private double averageAt(long i) {
    double lastRate = count * (double) SECOND / lengthOfCurrentInterval();
    double a = hasHistory ? weight * lastRate + (1 - weight) * average : lastRate;
    long emptyIntervals = i - interval - 1;
    if (emptyIntervals > 0) {
      a *= Math.pow(1 - weight, Math.min(emptyIntervals, 10_000));
    }
    return a;
  }

  /** The current interval's length, or its part since the first trace for a new key. */
  private long lengthOfCurrentInterval() {
    if (hasHistory) {
      return intervalNanos;
    }
    long end = (interval + 1) * intervalNanos;
    return Math.min(intervalNanos, Math.max(SECOND, end - firstSeenNanos));
  }
}
