package io.spanline.sampling.policy;

import io.spanline.schemas.model.TraceView;

/** {@code always_sample}: keeps every trace. */
final class AlwaysSample implements SamplingPolicy {
  @Override
  public Vote evaluate(TraceView trace, long nowEpochNanos) {
    return Vote.SAMPLED;
  }
}
