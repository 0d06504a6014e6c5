package io.spanline.query.traceql;

import java.util.List;
import java.util.Objects;

/**
 * A TraceQL value: a literal of a query or a field of a span. Integers and floats compare with each
 * other; durations (nanoseconds) with durations; status and kind with their enum literals; strings
 * by their UTF-16 code units; an array attribute is an {@link Array} of its elements.
 */
sealed interface Value
    permits Value.Str,
        Value.Int,
        Value.Float,
        Value.Bool,
        Value.Duration,
        Value.Status,
        Value.Kind,
        Value.Array,
        Value.Nil {

  Nil NIL = new Nil();

  record Str(String value) implements Value {
    public Str {
      Objects.requireNonNull(value, "value");
    }
  }

  record Int(long value) implements Value {}

  record Float(double value) implements Value {}

  record Bool(boolean value) implements Value {}

  /** A duration, nanoseconds. */
  record Duration(long nanos) implements Value {}

  /** A span status: {@code error}, {@code ok} or {@code unset}. */
  record Status(String name) implements Value {}

  /** A span kind: {@code server}, {@code client}, … as TraceQL writes them. */
  record Kind(String name) implements Value {}

  record Array(List<Value> elements) implements Value {
    public Array {
      elements = List.copyOf(elements);
    }
  }

  /** {@code nil}: the field is absent. */
  record Nil() implements Value {}
}
