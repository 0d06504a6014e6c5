package io.spanline.sampling.policy;

import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.StatusCode;
import java.util.EnumSet;
import java.util.Set;

/**
 * {@code status_code}: keeps a trace with any span whose status code is one of {@code
 * status_codes}.
 */
final class StatusCodeFilter implements SamplingPolicy {
  private final Set<StatusCode> codes;

  StatusCodeFilter(Set<StatusCode> codes) {
    this.codes = EnumSet.copyOf(codes);
  }

  @Override
  public Vote evaluate(AssembledTrace trace, long nowEpochNanos) {
    for (Span s : trace.spans()) {
      if (codes.contains(s.status().code())) {
        return Vote.SAMPLED;
      }
    }
    return Vote.NOT_SAMPLED;
  }
}
