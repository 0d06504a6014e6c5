package io.spanline.schemas.model;

/** OTLP {@code Span.SpanKind}; {@link #otlpNumber()} is the protobuf enum number. */
public enum SpanKind {
  UNSPECIFIED,
  INTERNAL,
  SERVER,
  CLIENT,
  PRODUCER,
  CONSUMER;

  private static final SpanKind[] VALUES = values();

  /** The OTLP enum number (0 = UNSPECIFIED … 5 = CONSUMER). */
  public int otlpNumber() {
    return ordinal();
  }

  /** The kind for an OTLP enum number; numbers this version does not know map to UNSPECIFIED. */
  public static SpanKind fromOtlpNumber(int number) {
    return number >= 0 && number < VALUES.length ? VALUES[number] : UNSPECIFIED;
  }
}
