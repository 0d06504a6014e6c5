package io.spanline.assembly.route;

import io.spanline.schemas.codec.otlp.TracePart;

/**
 * Spans of one trace on their way to the trace buffer.
 *
 * @param part the spans, as OTLP bytes
 * @param repartition true when the input record was not already keyed by this trace alone, so the
 *     part must go through the repartition topic to reach the task that owns its trace ID
 */
public record RoutedPart(TracePart part, boolean repartition) {}
