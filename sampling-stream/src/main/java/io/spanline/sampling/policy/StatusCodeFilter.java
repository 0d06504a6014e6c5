package io.spanline.sampling.policy;

import io.spanline.schemas.model.StatusCode;
import io.spanline.schemas.model.TraceView;
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
  public Vote evaluate(TraceView trace, long nowEpochNanos) {
    for (int i = 0; i < trace.spanCount(); i++) {
      if (codes.contains(trace.statusCode(i))) {
        return Vote.SAMPLED;
      }
    }
    return Vote.NOT_SAMPLED;
  }
}
