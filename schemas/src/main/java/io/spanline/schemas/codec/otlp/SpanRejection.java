package io.spanline.schemas.codec.otlp;

/**
 * A span left out when decoding leniently.
 *
 * @param reason a short, stable label for metrics, e.g. {@code invalid_trace_id}
 * @param detail what was wrong and where, e.g. {@code resourceSpans[0].scopeSpans[1].spans[3]:
 *     trace ID has 8 bytes; …}
 */
public record SpanRejection(String reason, String detail) {}
