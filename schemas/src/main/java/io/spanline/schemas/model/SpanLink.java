package io.spanline.schemas.model;

import java.util.List;
import java.util.Objects;

/**
 * A link from a span to another span, possibly in another trace (OTLP {@code Span.Link}).
 *
 * @param traceState W3C tracestate of the linked span context; "" when absent
 * @param flags OTLP link flags (fixed32 bit pattern)
 */
public record SpanLink(
    TraceId traceId,
    SpanId spanId,
    String traceState,
    List<Attribute> attributes,
    int droppedAttributesCount,
    int flags) {
  public SpanLink {
    Objects.requireNonNull(traceId, "traceId");
    Objects.requireNonNull(spanId, "spanId");
    Objects.requireNonNull(traceState, "traceState");
    attributes = List.copyOf(attributes);
  }
}
