package io.spanline.schemas.codec.otlp;

import io.spanline.schemas.model.TraceId;

/**
 * What {@link OtlpWireSplitter} learned about one span while scanning the wire format, without
 * decoding it: enough to validate it and to decide whether it needs a rewrite.
 *
 * @param traceId the span's trace ID (always valid: spans with bad IDs never reach a policy)
 * @param startEpochNanos start, epoch nanoseconds
 * @param endEpochNanos end, epoch nanoseconds
 * @param attributes number of span attributes
 * @param events number of events
 * @param links number of links
 * @param maxEventOrLinkAttributes most attributes on one event or link
 * @param maxValueBytes longest string or bytes attribute value in the span, its events and links
 *     (for arrays and key-value lists, the size of the whole nested value: an upper bound)
 * @param watchedKey whether an attribute of the span, its events or links has one of the keys the
 *     caller asked to watch
 */
public record SpanFacts(
    TraceId traceId,
    long startEpochNanos,
    long endEpochNanos,
    int attributes,
    int events,
    int links,
    int maxEventOrLinkAttributes,
    int maxValueBytes,
    boolean watchedKey) {}
