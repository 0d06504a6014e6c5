package io.spanline.schemas.model;

import java.util.Objects;

/**
 * An OTLP span ID: 8 bytes, not all zero, held as one big-endian long. Its text form is 16
 * lowercase hex chars (W3C Trace Context §3.2.2.4 parent-id, OTLP/JSON).
 *
 * @param value the 8 bytes, big-endian
 */
public record SpanId(long value) implements Comparable<SpanId> {
  /** Length of the ID in bytes. */
  public static final int BYTES = 8;

  /** Length of the hex form in chars. */
  public static final int HEX_LENGTH = 16;

  /**
   * @throws InvalidIdException if the value is zero
   */
  public SpanId {
    if (value == 0) {
      throw new InvalidIdException("span ID is all zero, which OTLP and W3C Trace Context forbid");
    }
  }

  /**
   * Parses 16 hex chars (either case).
   *
   * @throws InvalidIdException if the text is null, not 16 chars, not hex, or all zero
   */
  public static SpanId fromHex(CharSequence hex) {
    if (hex == null) {
      throw new InvalidIdException("span ID is missing");
    }
    if (hex.length() != HEX_LENGTH) {
      throw new InvalidIdException(
          "span ID '"
              + Ids.abbreviate(hex)
              + "' has "
              + hex.length()
              + " chars; it must be 16 hex chars");
    }
    return new SpanId(Ids.parseHexLong(hex, 0, "span ID"));
  }

  /**
   * Reads 8 bytes.
   *
   * @throws InvalidIdException if the array is null, not 8 bytes long, or all zero
   */
  public static SpanId fromBytes(byte[] bytes) {
    if (bytes == null || bytes.length != BYTES) {
      throw new InvalidIdException(
          "span ID has "
              + (bytes == null ? 0 : bytes.length)
              + " bytes; it must be 8 bytes, not all zero");
    }
    return new SpanId(Ids.readLong(bytes, 0));
  }

  /**
   * Reads 8 bytes at {@code offset}.
   *
   * @throws InvalidIdException if they are all zero
   * @throws IndexOutOfBoundsException if fewer than 8 bytes follow {@code offset}
   */
  public static SpanId fromBytes(byte[] bytes, int offset) {
    Objects.checkFromIndexSize(offset, BYTES, bytes.length);
    return new SpanId(Ids.readLong(bytes, offset));
  }

  /** The 8 bytes, big-endian; a new array each call. */
  public byte[] toBytes() {
    byte[] out = new byte[BYTES];
    Ids.writeLong(out, 0, value);
    return out;
  }

  /** The 16-char lowercase hex form. */
  public String toHex() {
    StringBuilder out = new StringBuilder(HEX_LENGTH);
    Ids.appendHex(out, value);
    return out.toString();
  }

  @Override
  public int compareTo(SpanId other) {
    return Long.compareUnsigned(value, other.value);
  }

  @Override
  public String toString() {
    return toHex();
  }
}
