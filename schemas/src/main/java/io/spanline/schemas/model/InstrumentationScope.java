package io.spanline.schemas.model;

import java.util.List;
import java.util.Objects;

/**
 * The instrumentation library that produced a span (OTLP {@code common.v1.InstrumentationScope}),
 * with the schema URL of the {@code ScopeSpans} it came in. Absent text is "".
 */
public record InstrumentationScope(
    String name,
    String version,
    List<Attribute> attributes,
    int droppedAttributesCount,
    String schemaUrl) {
  /** A scope with no name, version or attributes. */
  public static final InstrumentationScope EMPTY =
      new InstrumentationScope("", "", List.of(), 0, "");

  public InstrumentationScope {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    attributes = List.copyOf(attributes);
    Objects.requireNonNull(schemaUrl, "schemaUrl");
  }
}
