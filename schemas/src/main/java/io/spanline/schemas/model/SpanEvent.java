package io.spanline.schemas.model;

import java.util.List;
import java.util.Objects;

/**
 * A timed event within a span (OTLP {@code Span.Event}).
 *
 * @param epochNanos when it happened, epoch nanoseconds
 */
public record SpanEvent(
    long epochNanos, String name, List<Attribute> attributes, int droppedAttributesCount) {
  public SpanEvent {
    Objects.requireNonNull(name, "name");
    attributes = List.copyOf(attributes);
  }
}
