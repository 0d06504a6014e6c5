package io.spanline.sampling.policy;

import io.spanline.schemas.model.TraceView;

/**
 * {@code trace_flags}: keeps a trace with a span whose W3C trace flags have the sampled bit set
 * (W3C Trace Context §3.2.2.5; OTLP {@code Span.flags} bits 0–7).
 */
final class TraceFlags implements SamplingPolicy {
  @Override
  public Vote evaluate(TraceView trace, long nowEpochNanos) {
    for (int i = 0; i < trace.spanCount(); i++) {
      if ((trace.flags(i) & 0x01) != 0) {
        return Vote.SAMPLED;
      }
    }
    return Vote.NOT_SAMPLED;
  }
}
