package io.spanline.schemas.model;

import java.util.Objects;

/**
 * A W3C/OTLP trace ID: 16 bytes, not all zero, held as two big-endian longs. Its text form is 32
 * lowercase hex chars, as in W3C Trace Context §3.2.2.3 and OTLP/JSON; it is also the Kafka record
 * key of every Spanline topic.
 *
 * @param high bytes 0-7, big-endian
 * @param low bytes 8-15, big-endian
 */
public record TraceId(long high, long low) implements Comparable<TraceId> {
  /** Length of the ID in bytes. */
  public static final int BYTES = 16;

  /** Length of the hex form in chars. */
  public static final int HEX_LENGTH = 32;

  /**
   * @throws InvalidIdException if both halves are zero
   */
  public TraceId {
    if (high == 0 && low == 0) {
      throw new InvalidIdException("trace ID is all zero, which OTLP and W3C Trace Context forbid");
    }
  }

  /**
   * Parses 32 hex chars (either case).
   *
   * @throws InvalidIdException if the text is null, not 32 chars, not hex, or all zero
   */
  public static TraceId fromHex(CharSequence hex) {
    if (hex == null) {
      throw new InvalidIdException("trace ID is missing");
    }
    if (hex.length() != HEX_LENGTH) {
      throw new InvalidIdException(
          "trace ID '"
              + Ids.abbreviate(hex)
              + "' has "
              + hex.length()
              + " chars; it must be 32 hex chars");
    }
    return new TraceId(Ids.parseHexLong(hex, 0, "trace ID"), Ids.parseHexLong(hex, 16, "trace ID"));
  }

  /**
   * Reads 16 bytes.
   *
   * @throws InvalidIdException if the array is null, not 16 bytes long, or all zero
   */
  public static TraceId fromBytes(byte[] bytes) {
    if (bytes == null || bytes.length != BYTES) {
      throw new InvalidIdException(
          "trace ID has "
              + (bytes == null ? 0 : bytes.length)
              + " bytes; it must be 16 bytes, not all zero");
    }
    return new TraceId(Ids.readLong(bytes, 0), Ids.readLong(bytes, 8));
  }

  /**
   * Reads 16 bytes at {@code offset}.
   *
   * @throws InvalidIdException if they are all zero
   * @throws IndexOutOfBoundsException if fewer than 16 bytes follow {@code offset}
   */
  public static TraceId fromBytes(byte[] bytes, int offset) {
    Objects.checkFromIndexSize(offset, BYTES, bytes.length);
    return new TraceId(Ids.readLong(bytes, offset), Ids.readLong(bytes, offset + 8));
  }

  /** The 16 bytes, big-endian; a new array each call. */
  public byte[] toBytes() {
    byte[] out = new byte[BYTES];
    Ids.writeLong(out, 0, high);
    Ids.writeLong(out, 8, low);
    return out;
  }

  /** The 32-char lowercase hex form. */
  public String toHex() {
    StringBuilder out = new StringBuilder(HEX_LENGTH);
    Ids.appendHex(out, high);
    Ids.appendHex(out, low);
    return out.toString();
  }

  /** Orders as the unsigned bytes do (the same order as the hex form). */
  @Override
  public int compareTo(TraceId other) {
    int c = Long.compareUnsigned(high, other.high);
    return c != 0 ? c : Long.compareUnsigned(low, other.low);
  }

  @Override
  public String toString() {
    return toHex();
  }
}
