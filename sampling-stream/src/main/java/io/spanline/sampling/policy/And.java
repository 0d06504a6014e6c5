package io.spanline.sampling.policy;

import io.spanline.schemas.model.TraceView;
import java.util.List;

/**
 * {@code and}: keeps a trace when every one of {@code and_sub_policy} keeps it; stops at the first
 * that does not. The kept probability is the product of the sub-policies' probabilities.
 */
final class And implements SamplingPolicy {
  private final List<SamplingPolicy> subPolicies;

  And(List<SamplingPolicy> subPolicies) {
    this.subPolicies = List.copyOf(subPolicies);
  }

  @Override
  public Vote evaluate(TraceView trace, long nowEpochNanos) {
    double probability = 1.0;
    for (SamplingPolicy p : subPolicies) {
      Vote v = p.evaluate(trace, nowEpochNanos);
      if (!(v.decision() == Decision.SAMPLED)) {
        return Vote.NOT_SAMPLED;
      }
      probability *= v.probability();
    }
    return probability == 1.0 ? Vote.SAMPLED : new Vote(Decision.SAMPLED, probability);
  }
}
