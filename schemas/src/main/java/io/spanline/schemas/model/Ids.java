package io.spanline.schemas.model;

/** Hex and byte helpers shared by {@link TraceId} and {@link SpanId}. */
final class Ids {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Ids() {}

  static long parseHexLong(CharSequence hex, int from, String what) {
    long value = 0;
    for (int i = from; i < from + 16; i++) {
      char c = hex.charAt(i);
      int digit = hexDigit(c);
      if (digit < 0) {
        throw new InvalidIdException(
            what + " '" + abbreviate(hex) + "' has a non-hex character '" + c + "' at index " + i);
      }
      value = (value << 4) | digit;
    }
    return value;
  }

  /**
   * The value of an ASCII hex digit, or -1 (Character.digit would also accept non-ASCII digits).
   */
  static int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  static void appendHex(StringBuilder out, long value) {
    for (int shift = 60; shift >= 0; shift -= 4) {
      out.append(HEX[(int) (value >>> shift) & 0xf]);
    }
  }

  static long readLong(byte[] bytes, int offset) {
    long value = 0;
    for (int i = offset; i < offset + 8; i++) {
      value = (value << 8) | (bytes[i] & 0xffL);
    }
    return value;
  }

  static void writeLong(byte[] out, int offset, long value) {
    for (int i = 7; i >= 0; i--) {
      out[offset + i] = (byte) value;
      value >>>= 8;
    }
  }

  static String abbreviate(CharSequence s) {
    return s.length() <= 64 ? s.toString() : s.subSequence(0, 64) + "…";
  }
}
