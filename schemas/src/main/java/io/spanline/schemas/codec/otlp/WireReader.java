package io.spanline.schemas.codec.otlp;

import com.google.protobuf.InvalidProtocolBufferException;

/**
 * A cursor over one protobuf message inside a byte array, for {@link OtlpWireSplitter}'s scan:
 * reads tags, varints, fixed64 values and length prefixes, and skips fields, without allocating;
 * {@link #reset} moves it to another message. protobuf's {@code CodedInputStream} falls back to a
 * slow path for varints near the end of a pushed limit, which is where most of a span's fields sit
 * (inside small attribute messages). Errors are {@link InvalidProtocolBufferException}s, as
 * protobuf's own parser throws.
 */
final class WireReader {
  static final int VARINT = 0;
  static final int FIXED64 = 1;
  static final int LEN = 2;
  static final int START_GROUP = 3;
  static final int END_GROUP = 4;
  static final int FIXED32 = 5;

  /** Groups nested deeper are refused, as protobuf's parser refuses messages nested deeper. */
  private static final int MAX_GROUP_DEPTH = 100;

  private final byte[] buf;
  private int pos;
  private int end;

  WireReader(byte[] buf, int offset, int length) {
    this.buf = buf;
    this.pos = offset;
    this.end = offset + length;
  }

  /** Points this cursor at another message in the same array, so a scan can reuse it. */
  WireReader reset(int offset, int length) {
    this.pos = offset;
    this.end = offset + length;
    return this;
  }

  boolean hasMore() {
    return pos < end;
  }

  /** Position in the array of the next byte to read. */
  int position() {
    return pos;
  }

  int readTag() throws InvalidProtocolBufferException {
    int tag = (int) readVarint();
    if ((tag >>> 3) == 0) {
      throw new InvalidProtocolBufferException("protocol message contained an invalid tag (zero)");
    }
    return tag;
  }

  /**
   * A varint of at most 10 bytes. As protobuf-java reads them, the tenth byte ends the varint
   * whatever its continuation bit says (found by OtlpWireSplitterFuzzTest: refusing it made the
   * gateway answer 400 to a request protobuf reads).
   */
  long readVarint() throws InvalidProtocolBufferException {
    long value = 0;
    for (int shift = 0; ; shift += 7) {
      if (pos >= end) {
        throw truncated();
      }
      byte b = buf[pos++];
      value |= (long) (b & 0x7f) << shift;
      if (b >= 0 || shift == 63) {
        return value;
      }
    }
  }

  long readFixed64() throws InvalidProtocolBufferException {
    if (end - pos < 8) {
      throw truncated();
    }
    long value = 0;
    for (int i = 7; i >= 0; i--) {
      value = (value << 8) | (buf[pos + i] & 0xffL);
    }
    pos += 8;
    return value;
  }

  long readFixed32() throws InvalidProtocolBufferException {
    if (end - pos < 4) {
      throw truncated();
    }
    long value = 0;
    for (int i = 3; i >= 0; i--) {
      value = (value << 8) | (buf[pos + i] & 0xffL);
    }
    pos += 4;
    return value;
  }

  /**
   * Reads a length prefix and checks the bytes are there; the cursor stays before them. As
   * protobuf-java reads a length (a 32-bit varint), a varint longer than 5 bytes keeps its low 32
   * bits only (found by OtlpWireSplitterFuzzTest: {@code 2a 80 80 80 80 80 80 80 80 24} is an
   * unknown field of length 0 to protobuf); a negative length is malformed.
   */
  int readLength() throws InvalidProtocolBufferException {
    int length = (int) readVarint();
    if (length < 0) {
      throw new InvalidProtocolBufferException(
          "protocol message contained a field which claimed to have negative size");
    }
    if (length > end - pos) {
      throw truncated();
    }
    return length;
  }

  void skip(int length) {
    pos += length;
  }

  /**
   * Skips the field whose tag was just read. A group (deprecated, but still valid protobuf: an
   * unknown field may be one) is skipped up to its matching end tag, as protobuf's parser does.
   */
  void skipField(int tag) throws InvalidProtocolBufferException {
    skipField(tag, 0);
  }

  private void skipField(int tag, int depth) throws InvalidProtocolBufferException {
    switch (tag & 7) {
      case VARINT -> readVarint();
      case FIXED64 -> skipChecked(8);
      case LEN -> skip(readLength());
      case FIXED32 -> skipChecked(4);
      case START_GROUP -> skipGroup(tag >>> 3, depth + 1);
      case END_GROUP ->
          throw new InvalidProtocolBufferException(
              "protocol message end-group tag did not match expected tag");
      default ->
          throw new InvalidProtocolBufferException(
              "protocol message tag had invalid wire type " + (tag & 7));
    }
  }

  private void skipGroup(int field, int depth) throws InvalidProtocolBufferException {
    if (depth > MAX_GROUP_DEPTH) {
      throw new InvalidProtocolBufferException(
          "protocol message had too many levels of nesting (groups)");
    }
    while (true) {
      if (pos >= end) {
        throw truncated();
      }
      int tag = readTag();
      if ((tag & 7) == END_GROUP) {
        if ((tag >>> 3) != field) {
          throw new InvalidProtocolBufferException(
              "protocol message end-group tag did not match expected tag");
        }
        return;
      }
      skipField(tag, depth);
    }
  }

  private void skipChecked(int n) throws InvalidProtocolBufferException {
    if (end - pos < n) {
      throw truncated();
    }
    pos += n;
  }

  private static InvalidProtocolBufferException truncated() {
    return new InvalidProtocolBufferException(
        "while parsing a protocol message, the input ended unexpectedly in the middle of a field");
  }
}
