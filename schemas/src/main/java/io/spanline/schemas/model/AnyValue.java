package io.spanline.schemas.model;

import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * An attribute value, as OTLP's {@code common.v1.AnyValue}: a string, boolean, 64-bit integer,
 * double, byte string, array of values or list of key-value pairs, or {@link Empty} when the value
 * was not set. Arrays and key-value lists may nest.
 */
public sealed interface AnyValue
    permits AnyValue.Empty,
        AnyValue.StringValue,
        AnyValue.BoolValue,
        AnyValue.LongValue,
        AnyValue.DoubleValue,
        AnyValue.BytesValue,
        AnyValue.ArrayValue,
        AnyValue.KeyValueList {

  /** The empty value (an AnyValue with no value set). */
  Empty EMPTY = new Empty();

  static AnyValue of(String value) {
    return new StringValue(value);
  }

  static AnyValue of(boolean value) {
    return new BoolValue(value);
  }

  static AnyValue of(long value) {
    return new LongValue(value);
  }

  static AnyValue of(double value) {
    return new DoubleValue(value);
  }

  static AnyValue ofBytes(byte[] value) {
    return new BytesValue(value);
  }

  static AnyValue ofArray(List<AnyValue> values) {
    return new ArrayValue(values);
  }

  static AnyValue ofKeyValues(List<Attribute> values) {
    return new KeyValueList(values);
  }

  /**
   * This value as text: strings as they are, numbers and booleans as Java prints them, bytes as
   * base64, arrays and lists in brackets; empty as "". For display and search, not for round trips.
   */
  String asText();

  /** No value set. */
  record Empty() implements AnyValue {
    @Override
    public String asText() {
      return "";
    }
  }

  /** A UTF-8 string. */
  record StringValue(String value) implements AnyValue {
    public StringValue {
      Objects.requireNonNull(value, "value");
    }

    @Override
    public String asText() {
      return value;
    }
  }

  record BoolValue(boolean value) implements AnyValue {
    @Override
    public String asText() {
      return Boolean.toString(value);
    }
  }

  /** A signed 64-bit integer (OTLP int_value). */
  record LongValue(long value) implements AnyValue {
    @Override
    public String asText() {
      return Long.toString(value);
    }
  }

  /** A double; NaN and infinities are allowed (equality as {@link Double#compare}). */
  record DoubleValue(double value) implements AnyValue {
    @Override
    public String asText() {
      return Double.toString(value);
    }
  }

  /** A byte string; the array is copied in and out, never shared. */
  record BytesValue(byte[] value) implements AnyValue {
    public BytesValue {
      value = Objects.requireNonNull(value, "value").clone();
    }

    @Override
    public byte[] value() {
      return value.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof BytesValue other && Arrays.equals(value, other.value);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(value);
    }

    @Override
    public String toString() {
      return "BytesValue[" + asText() + "]";
    }

    @Override
    public String asText() {
      return Base64.getEncoder().encodeToString(value);
    }
  }

  /** An ordered array of values, which may themselves be arrays or lists. */
  record ArrayValue(List<AnyValue> values) implements AnyValue {
    public ArrayValue {
      values = List.copyOf(values);
    }

    @Override
    public String asText() {
      StringBuilder out = new StringBuilder("[");
      for (int i = 0; i < values.size(); i++) {
        out.append(i == 0 ? "" : ",").append(values.get(i).asText());
      }
      return out.append(']').toString();
    }
  }

  /** An ordered list of key-value pairs (OTLP kvlist_value); keys may repeat as OTLP allows. */
  record KeyValueList(List<Attribute> values) implements AnyValue {
    public KeyValueList {
      values = List.copyOf(values);
    }

    @Override
    public String asText() {
      StringBuilder out = new StringBuilder("{");
      for (int i = 0; i < values.size(); i++) {
        Attribute a = values.get(i);
        out.append(i == 0 ? "" : ",").append(a.key()).append('=').append(a.value().asText());
      }
      return out.append('}').toString();
    }
  }
}
