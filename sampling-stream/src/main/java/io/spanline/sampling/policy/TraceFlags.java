package io.spanline.sampling.policy;

import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.Span;

/**
 * {@code trace_flags}: keeps a trace with a span whose W3C trace flags have the sampled bit set
 * (W3C Trace Context §3.2.2.5; OTLP {@code Span.flags} bits 0–7).
 */
final class TraceFlags implements SamplingPolicy {
  @Override
  public Vote evaluate(AssembledTrace trace, long nowEpochNanos) {
    for (Span s : trace.spans()) {
      if ((s.flags() & 0x01) != 0) {
        return Vote.SAMPLED;
      }
    }
    return Vote.NOT_SAMPLED;
  }
}
