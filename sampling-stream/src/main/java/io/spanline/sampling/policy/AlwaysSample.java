package io.spanline.sampling.policy;

import io.spanline.schemas.model.AssembledTrace;

/** {@code always_sample}: keeps every trace. */
final class AlwaysSample implements SamplingPolicy {
  @Override
  public Vote evaluate(AssembledTrace trace, long nowEpochNanos) {
    return Vote.SAMPLED;
  }
}
