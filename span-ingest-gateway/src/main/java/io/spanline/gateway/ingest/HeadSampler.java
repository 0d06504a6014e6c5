package io.spanline.gateway.ingest;

import io.spanline.schemas.model.TraceId;

/**
 * Optional head sampling, consistent by trace ID: a trace is kept when the absolute value of the
 * trace ID's low 8 bytes (as a signed long) is below {@code percentage / 100 × Long.MAX_VALUE}, the
 * rule of OpenTelemetry's {@code TraceIdRatioBased} sampler. Every gateway instance, and an SDK
 * sampling with the same ratio, keeps the same traces.
 */
final class HeadSampler {
  private final long upperBound;
  private final boolean keepAll;

  HeadSampler(double percentage) {
    this.keepAll = percentage >= 100;
    this.upperBound = (long) (percentage / 100 * Long.MAX_VALUE);
  }

  boolean keepsAll() {
    return keepAll;
  }

  boolean keep(TraceId traceId) {
    return keepAll || Math.abs(traceId.low()) < upperBound;
  }
}
