package io.spanline.sampling.policy;

/**
 * The share of offered spans (or traces) a rate-limiting policy kept in the last complete second of
 * evaluation time: the probability reported for what it keeps, an estimate for the adjusted count.
 * Not thread-safe: callers synchronise.
 */
final class KeptShare {
  private long second = Long.MIN_VALUE;
  private long offered;
  private long kept;
  private double lastSecond = 1.0;

  void record(long nowEpochNanos, long amount, boolean wasKept) {
    long s = Math.floorDiv(nowEpochNanos, 1_000_000_000L);
    if (s != second) {
      lastSecond =
          s == second + 1 && offered > 0
              ? Math.max(1e-9, Math.min(1.0, (double) kept / offered))
              : 1.0;
      second = s;
      offered = 0;
      kept = 0;
    }
    offered += amount;
    if (wasKept) {
      kept += amount;
    }
  }

  /** A {@link Decision#SAMPLED} vote carrying the last second's kept share as its probability. */
  Vote sampled() {
    return lastSecond == 1.0 ? Vote.SAMPLED : new Vote(Decision.SAMPLED, lastSecond);
  }
}
