package io.spanline.sampling.policy;

/**
 * A per-second span budget counted in whole seconds of evaluation time (not a token bucket), as the
 * Collector's {@code composite} policy counts each sub-policy's spans. Not thread-safe: callers
 * synchronise.
 */
final class SpanBudget {
  private final long perSecond;
  private long used;

  SpanBudget(long perSecond) {
    this.perSecond = perSecond;
  }

  /** Starts a new second. */
  void reset() {
    used = 0;
  }

  /** Takes {@code spans} when {@code used + spans <= perSecond} and {@code <= totalLimit}. */
  boolean tryTake(long spans, long totalLimit) {
    long after = used + spans;
    if (after <= perSecond && after <= totalLimit) {
      used = after;
      return true;
    }
    return false;
  }
}
