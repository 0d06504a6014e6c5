package io.spanline.schemas.model;

import java.util.HexFormat;

/** Hex and byte helpers shared by {@link TraceId} and {@link SpanId}. */
final class Ids {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Ids() {}

  static long parseHexLong(CharSequence hex, int from, String what) {
    long value = 0;
    for (int i = from; i < from + 16; i++) {
      char c = hex.charAt(i);
      // HexFormat accepts ASCII hex digits only (Character.digit would take other scripts' digits)
      if (!HexFormat.isHexDigit(c)) {
        throw new InvalidIdException(
            what + " '" + abbreviate(hex) + "' has a non-hex character '" + c + "' at index " + i);
      }
      value = (value << 4) | HexFormat.fromHexDigit(c);
    }
    return value;
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
