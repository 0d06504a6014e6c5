package io.spanline.sampling.policy;

import io.spanline.schemas.model.TraceView;

/**
 * {@code not}: swaps {@link Decision#SAMPLED} and {@link Decision#NOT_SAMPLED} of its one {@code
 * not_sub_policy}; {@link Decision#DROPPED} passes through unchanged.
 */
final class Not implements SamplingPolicy {
  private final SamplingPolicy subPolicy;

  Not(SamplingPolicy subPolicy) {
    this.subPolicy = subPolicy;
  }

  @Override
  public Vote evaluate(TraceView trace, long nowEpochNanos) {
    Vote v = subPolicy.evaluate(trace, nowEpochNanos);
    return switch (v.decision()) {
      case SAMPLED -> Vote.NOT_SAMPLED;
      case NOT_SAMPLED -> Vote.SAMPLED;
      case DROPPED -> v;
    };
  }
}
