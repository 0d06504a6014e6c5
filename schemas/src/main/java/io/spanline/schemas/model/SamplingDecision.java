package io.spanline.schemas.model;

import java.util.List;
import java.util.Objects;

/**
 * A tail-sampling decision for one tenant's trace: the value of the compacted topic {@code
 * spanline.decisions}.
 *
 * @param policies names of the policies that decided, in evaluation order
 * @param samplingProbability probability with which a kept trace was kept, in [0, 1]; 1 for a trace
 *     kept by a rule that keeps every match
 * @param decidedAtEpochNanos when the decision was made, epoch nanoseconds
 */
public record SamplingDecision(
    String tenant,
    TraceId traceId,
    DecisionOutcome outcome,
    List<String> policies,
    double samplingProbability,
    long decidedAtEpochNanos) {

  /**
   * @throws IllegalArgumentException if the probability is not within [0, 1]
   */
  public SamplingDecision {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(traceId, "traceId");
    Objects.requireNonNull(outcome, "outcome");
    policies = List.copyOf(policies);
    if (!(samplingProbability >= 0 && samplingProbability <= 1)) {
      throw new IllegalArgumentException(
          "samplingProbability must be within [0, 1], was " + samplingProbability);
    }
  }

  /**
   * How many traces this kept trace stands for: {@code 1 / samplingProbability} (OpenTelemetry's
   * adjusted count); 0 when the probability is 0.
   */
  public double adjustedCount() {
    return samplingProbability == 0 ? 0 : 1 / samplingProbability;
  }

  public boolean kept() {
    return outcome == DecisionOutcome.KEEP;
  }
}
