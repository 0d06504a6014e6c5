package io.spanline.storage;

import java.util.Objects;

/**
 * An operation of a service: a span name with the span kind it was seen with.
 *
 * @param kind OTLP span kind without its prefix: {@code SERVER}, {@code CLIENT}, {@code PRODUCER},
 *     {@code CONSUMER}, {@code INTERNAL} or {@code UNSPECIFIED}
 */
public record Operation(String name, String kind) {
  public Operation {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
  }
}
