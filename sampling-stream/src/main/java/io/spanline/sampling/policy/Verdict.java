package io.spanline.sampling.policy;

import io.spanline.schemas.model.DecisionOutcome;
import java.util.List;

/**
 * The decision on one trace.
 *
 * @param outcome keep or drop
 * @param rule which step of the evaluation order decided (see {@link SamplingPolicies})
 * @param policies names of the policies that kept the trace, or the one that dropped it; empty when
 *     no policy kept it
 * @param probability in (0, 1]: the highest probability among the policies that kept it (1 when a
 *     keep-all rule kept it); 1 for dropped traces
 * @param policyErrors policies that threw while evaluating this trace (skipped, as the Collector
 *     skips them)
 */
public record Verdict(
    DecisionOutcome outcome,
    Rule rule,
    List<String> policies,
    double probability,
    int policyErrors) {

  /** The step of the evaluation order that decided. */
  public enum Rule {
    /** The debug attribute forced the trace to be kept. */
    DEBUG,
    /** A never-sample rule matched. */
    NEVER_SAMPLE,
    /** A {@code drop} policy matched. */
    DROP_POLICY,
    /** One or more policies kept the trace. */
    KEPT_BY_POLICY,
    /** No policy kept the trace. */
    NOT_SAMPLED
  }

  public Verdict {
    policies = List.copyOf(policies);
  }

  public boolean kept() {
    return outcome == DecisionOutcome.KEEP;
  }
}
