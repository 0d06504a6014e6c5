package io.spanline.schemas.model;

/** OTLP {@code Status.StatusCode}; {@link #otlpNumber()} is the protobuf enum number. */
public enum StatusCode {
  UNSET,
  OK,
  ERROR;

  private static final StatusCode[] VALUES = values();

  /** The OTLP enum number (0 = UNSET, 1 = OK, 2 = ERROR). */
  public int otlpNumber() {
    return ordinal();
  }

  /** The code for an OTLP enum number; numbers this version does not know map to UNSET. */
  public static StatusCode fromOtlpNumber(int number) {
    return number >= 0 && number < VALUES.length ? VALUES[number] : UNSET;
  }
}
