package io.spanline.sampling.policy;

/**
 * One policy's decision on one trace, with the probability with which it keeps such traces (used
 * for the adjusted count {@code 1 / probability}).
 *
 * @param probability in (0, 1]; 1 for rules that keep every trace they match
 */
record Vote(Decision decision, double probability) {
  public static final Vote SAMPLED = new Vote(Decision.SAMPLED, 1.0);
  public static final Vote NOT_SAMPLED = new Vote(Decision.NOT_SAMPLED, 1.0);
  public static final Vote DROPPED = new Vote(Decision.DROPPED, 1.0);

  /** {@link #SAMPLED} when {@code keep}, else {@link #NOT_SAMPLED}. */
  public static Vote of(boolean keep) {
    return keep ? SAMPLED : NOT_SAMPLED;
  }
}
