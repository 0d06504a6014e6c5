package io.spanline.schemas.model;

import java.util.Objects;

/**
 * A kept trace (or late fragment) with the decision that kept it: the value of topic {@code
 * spanline.traces.sampled}.
 */
public record SampledTrace(AssembledTrace trace, SamplingDecision decision) {
  /**
   * @throws IllegalArgumentException if the decision is for another trace or tenant
   */
  public SampledTrace {
    Objects.requireNonNull(trace, "trace");
    Objects.requireNonNull(decision, "decision");
    if (!trace.traceId().equals(decision.traceId()) || !trace.tenant().equals(decision.tenant())) {
      throw new IllegalArgumentException(
          "decision for "
              + decision.tenant()
              + "/"
              + decision.traceId()
              + " does not belong to trace "
              + trace.tenant()
              + "/"
              + trace.traceId());
    }
  }
}
