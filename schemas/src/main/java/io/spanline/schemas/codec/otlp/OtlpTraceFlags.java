package io.spanline.schemas.codec.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import io.spanline.schemas.codec.MalformedOtlpException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What overload shedding needs to know of some spans before it sheds their trace, read at the wire
 * level from OTLP {@code TracesData} protobuf without decoding it: whether a span has status ERROR,
 * and whether a span or its resource carries the debug attribute with a value that marks (the
 * boolean {@code true}, the string {@code "true"} in any case or {@code "1"}, the integer 1 — the
 * gateway's and the sampling stream's rule).
 *
 * @param error a span has OTLP status code ERROR (2)
 * @param debug a span or resource attribute named as asked marks the trace for debugging
 */
public record OtlpTraceFlags(boolean error, boolean debug) {
  private static final int LEN = WireReader.LEN;
  private static final int VARINT = WireReader.VARINT;
  private static final int STATUS_CODE_ERROR = 2;

  /** Whether the trace must never be shed: it has an error span or a debug mark. */
  public boolean exempt() {
    return error || debug;
  }

  /**
   * Scans the spans and resources of an OTLP {@code TracesData}.
   *
   * @param debugAttribute the attribute key that marks a trace for debugging (e.g. {@code
   *     spanline.debug})
   * @throws MalformedOtlpException if the bytes are not valid protobuf where the scan reads them
   */
  public static OtlpTraceFlags scan(byte[] tracesData, String debugAttribute) {
    byte[] key = debugAttribute.getBytes(StandardCharsets.UTF_8);
    boolean[] flags = new boolean[2];
    try {
      WireReader data = new WireReader(tracesData, 0, tracesData.length);
      while (data.hasMore()) {
        int tag = data.readTag();
        if (tag == tag(1, LEN)) { // ResourceSpans
          int len = data.readLength();
          resourceSpans(tracesData, data.position(), len, key, flags);
          data.skip(len);
        } else {
          data.skipField(tag);
        }
      }
    } catch (InvalidProtocolBufferException e) {
      throw OtlpProtoCodec.malformed(tracesData, e);
    }
    return new OtlpTraceFlags(flags[0], flags[1]);
  }

  private static void resourceSpans(byte[] buf, int off, int len, byte[] key, boolean[] flags)
      throws InvalidProtocolBufferException {
    WireReader in = new WireReader(buf, off, len);
    while (in.hasMore()) {
      int tag = in.readTag();
      if (tag == tag(1, LEN)) { // Resource
        int l = in.readLength();
        attributes(buf, in.position(), l, 1, key, flags);
        in.skip(l);
      } else if (tag == tag(2, LEN)) { // ScopeSpans
        int l = in.readLength();
        scopeSpans(buf, in.position(), l, key, flags);
        in.skip(l);
      } else {
        in.skipField(tag);
      }
    }
  }

  private static void scopeSpans(byte[] buf, int off, int len, byte[] key, boolean[] flags)
      throws InvalidProtocolBufferException {
    WireReader in = new WireReader(buf, off, len);
    while (in.hasMore()) {
      int tag = in.readTag();
      if (tag == tag(2, LEN)) { // Span
        int l = in.readLength();
        span(buf, in.position(), l, key, flags);
        in.skip(l);
      } else {
        in.skipField(tag);
      }
    }
  }

  private static void span(byte[] buf, int off, int len, byte[] key, boolean[] flags)
      throws InvalidProtocolBufferException {
    // a span's own status is its last Status field's last code (protobuf merges repeated
    // singular message fields)
    int code = 0;
    boolean debug = false;
    WireReader in = new WireReader(buf, off, len);
    while (in.hasMore()) {
      int tag = in.readTag();
      if (tag == tag(9, LEN)) { // KeyValue attribute
        int l = in.readLength();
        debug |= keyValueMarks(buf, in.position(), l, key);
        in.skip(l);
      } else if (tag == tag(15, LEN)) { // Status
        int l = in.readLength();
        code = statusCode(buf, in.position(), l, code);
        in.skip(l);
      } else {
        in.skipField(tag);
      }
    }
    flags[0] |= code == STATUS_CODE_ERROR;
    flags[1] |= debug;
  }

  private static int statusCode(byte[] buf, int off, int len, int code)
      throws InvalidProtocolBufferException {
    WireReader in = new WireReader(buf, off, len);
    while (in.hasMore()) {
      int tag = in.readTag();
      if (tag == tag(3, VARINT)) {
        code = (int) in.readVarint();
      } else {
        in.skipField(tag);
      }
    }
    return code;
  }

  /** The attributes (field {@code field}, KeyValue) of a message such as Resource. */
  private static void attributes(
      byte[] buf, int off, int len, int field, byte[] key, boolean[] flags)
      throws InvalidProtocolBufferException {
    WireReader in = new WireReader(buf, off, len);
    while (in.hasMore()) {
      int tag = in.readTag();
      if (tag == tag(field, LEN)) {
        int l = in.readLength();
        flags[1] |= keyValueMarks(buf, in.position(), l, key);
        in.skip(l);
      } else {
        in.skipField(tag);
      }
    }
  }

  /** Whether a KeyValue has the key and a value that marks. */
  private static boolean keyValueMarks(byte[] buf, int off, int len, byte[] key)
      throws InvalidProtocolBufferException {
    boolean keyMatches = false;
    int valueOff = -1;
    int valueLen = 0;
    WireReader in = new WireReader(buf, off, len);
    while (in.hasMore()) {
      int tag = in.readTag();
      if (tag == tag(1, LEN)) {
        int l = in.readLength();
        int p = in.position();
        keyMatches = Arrays.equals(buf, p, p + l, key, 0, key.length);
        in.skip(l);
      } else if (tag == tag(2, LEN)) {
        valueLen = in.readLength();
        valueOff = in.position();
        in.skip(valueLen);
      } else {
        in.skipField(tag);
      }
    }
    return keyMatches && valueOff >= 0 && valueMarks(buf, valueOff, valueLen);
  }

  /** Whether an AnyValue marks: its last set value is true, "true" (any case), "1" or 1. */
  private static boolean valueMarks(byte[] buf, int off, int len)
      throws InvalidProtocolBufferException {
    boolean marks = false;
    WireReader in = new WireReader(buf, off, len);
    while (in.hasMore()) {
      int tag = in.readTag();
      if (tag == tag(1, LEN)) { // string_value
        int l = in.readLength();
        String s = new String(buf, in.position(), Math.min(l, 8), StandardCharsets.UTF_8);
        marks = l <= 4 && (s.equalsIgnoreCase("true") || s.equals("1"));
        in.skip(l);
      } else if (tag == tag(2, VARINT)) { // bool_value
        marks = in.readVarint() != 0;
      } else if (tag == tag(3, VARINT)) { // int_value
        marks = in.readVarint() == 1;
      } else if ((tag >>> 3) >= 1 && (tag >>> 3) <= 7) { // another value kind replaces it
        in.skipField(tag);
        marks = false;
      } else {
        in.skipField(tag);
      }
    }
    return marks;
  }

  private static int tag(int number, int wireType) {
    return (number << 3) | wireType;
  }
}
