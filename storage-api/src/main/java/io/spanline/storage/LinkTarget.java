package io.spanline.storage;

import io.spanline.schemas.model.SpanId;
import io.spanline.schemas.model.TraceId;
import java.util.Objects;
import java.util.Optional;

/**
 * What a span link points at, as a search condition: a span that links to this trace (OTLP {@code
 * Span.Link}), and, when {@code spanId} is present, to this span of it. Links to the span's own
 * trace count as well as links to other traces.
 *
 * @param spanId the linked span; empty for a link to any span of {@code traceId}
 */
public record LinkTarget(TraceId traceId, Optional<SpanId> spanId) {
  public LinkTarget {
    Objects.requireNonNull(traceId, "traceId");
    Objects.requireNonNull(spanId, "spanId");
  }

  /** A link to any span of the trace. */
  public static LinkTarget trace(TraceId traceId) {
    return new LinkTarget(traceId, Optional.empty());
  }

  /** A link to this span of the trace. */
  public static LinkTarget span(TraceId traceId, SpanId spanId) {
    return new LinkTarget(traceId, Optional.of(spanId));
  }
}
