package io.spanline.sampling.policy;

import io.spanline.schemas.model.TraceView;
import java.util.List;

/**
 * {@code drop}: when every one of {@code drop_sub_policy} matches (keeps) the trace, the trace is
 * {@link Decision#DROPPED} — no other policy can keep it; otherwise this policy says {@link
 * Decision#NOT_SAMPLED}.
 */
final class Drop implements SamplingPolicy {
  private final List<SamplingPolicy> subPolicies;

  Drop(List<SamplingPolicy> subPolicies) {
    this.subPolicies = List.copyOf(subPolicies);
  }

  @Override
  public Vote evaluate(TraceView trace, long nowEpochNanos) {
    for (SamplingPolicy p : subPolicies) {
      if (!(p.evaluate(trace, nowEpochNanos).decision() == Decision.SAMPLED)) {
        return Vote.NOT_SAMPLED;
      }
    }
    return Vote.DROPPED;
  }
}
