package io.spanline.schemas.model;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One attribute: a key and its value (OTLP {@code common.v1.KeyValue}). Attribute lists keep their
 * order and any repeated keys, so a round trip through Spanline is lossless.
 */
public record Attribute(String key, AnyValue value) {
  public Attribute {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
  }

  public static Attribute of(String key, String value) {
    return new Attribute(key, AnyValue.of(value));
  }

  public static Attribute of(String key, long value) {
    return new Attribute(key, AnyValue.of(value));
  }

  public static Attribute of(String key, boolean value) {
    return new Attribute(key, AnyValue.of(value));
  }

  public static Attribute of(String key, double value) {
    return new Attribute(key, AnyValue.of(value));
  }

  /** The value of the first attribute named {@code key} in {@code attributes}, if any. */
  public static Optional<AnyValue> find(List<Attribute> attributes, String key) {
    for (Attribute a : attributes) {
      if (a.key.equals(key)) {
        return Optional.of(a.value);
      }
    }
    return Optional.empty();
  }
}
