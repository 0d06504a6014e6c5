package io.spanline.schemas.codec.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import io.spanline.schemas.codec.MalformedOtlpException;
import io.spanline.schemas.codec.avro.AvroRecordCodec;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.model.TraceSummary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongPredicate;

/**
 * Turns OTLP {@code TracesData} protobuf chunks of one trace straight into the Avro binary of an
 * {@code AssembledTrace} (schemas/src/main/avro), without building protobuf or model objects: each
 * span is read once at the wire level and written once as Avro. The result is byte for byte what
 * decoding the chunks ({@link OtlpProtoCodec#decodeLenient}), keeping the first span of each span
 * ID, ordering by start time (stable), summarising ({@code TraceSummary.of}) and encoding ({@code
 * AvroRecordCodec.ASSEMBLED_TRACE}) gives — a test holds the two paths equal.
 *
 * <p>Where only that model path is exact — an ID that breaks OTLP's rules, a string that is not
 * UTF-8, a {@code service.name} that is not a string, a singular message field sent twice, a known
 * field with an unexpected wire type — {@link #transcode} returns {@code null} and the caller takes
 * the model path.
 */
public final class OtlpAvroTranscoder {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final byte[] SERVICE_NAME = "service.name".getBytes(StandardCharsets.UTF_8);
  private static final int LEN = WireReader.LEN;
  private static final int VARINT = WireReader.VARINT;
  private static final int FIXED64 = WireReader.FIXED64;
  private static final int FIXED32 = WireReader.FIXED32;

  private OtlpAvroTranscoder() {}

  /**
   * The transcoded trace.
   *
   * @param avroBinary Avro binary of the {@code AssembledTrace}, current schema, no framing
   * @param spanIds IDs of the spans written, in output order
   * @param duplicates spans left out because their span ID came earlier or was already emitted
   * @param rejections spans that could not be decoded (model path only), with reasons
   */
  public record Result(
      byte[] avroBinary, long[] spanIds, int duplicates, List<SpanRejection> rejections) {
    public Result {
      rejections = List.copyOf(rejections);
    }

    /** Spans written; 0 when nothing was left to emit ({@link #avroBinary()} is then null). */
    public int spanCount() {
      return spanIds.length;
    }
  }

  /**
   * Assembles a trace from its chunks: by {@link #transcode} where it can, else through the model
   * ({@link #viaModel}); both give the same bytes.
   *
   * @param alreadyEmitted span IDs emitted in an earlier fragment, left out as duplicates
   */
  public static Result assemble(
      String tenant,
      TraceId traceId,
      int fragment,
      List<byte[]> chunks,
      LongPredicate alreadyEmitted) {
    Result fast = transcode(tenant, traceId, fragment, chunks, alreadyEmitted);
    return fast != null ? fast : viaModel(tenant, traceId, fragment, chunks, alreadyEmitted);
  }

  /**
   * The reference path: decode each chunk leniently (spans with invalid IDs, and chunks that are
   * not valid protobuf, are left out and reported), keep the first span of each span ID not emitted
   * before, order by start time (stable), summarise and encode.
   */
  static Result viaModel(
      String tenant,
      TraceId traceId,
      int fragment,
      List<byte[]> chunks,
      LongPredicate alreadyEmitted) {
    List<Span> spans = new ArrayList<>();
    List<SpanRejection> rejections = new ArrayList<>();
    for (byte[] chunk : chunks) {
      try {
        DecodedSpans decoded = OtlpProtoCodec.decodeLenient(chunk);
        spans.addAll(decoded.spans());
        rejections.addAll(decoded.rejections());
      } catch (MalformedOtlpException e) {
        rejections.add(new SpanRejection("malformed", e.getMessage()));
      }
    }
    List<Span> unique = new ArrayList<>(spans.size());
    Set<Long> seen = new HashSet<>(spans.size() * 2);
    for (Span s : spans) {
      long id = s.spanId().value();
      if (s.traceId().equals(traceId) && !alreadyEmitted.test(id) && seen.add(id)) {
        unique.add(s);
      }
    }
    int duplicates = spans.size() - unique.size();
    if (unique.isEmpty()) {
      return new Result(null, new long[0], duplicates, rejections);
    }
    unique.sort(Comparator.comparingLong(Span::startEpochNanos));
    long[] ids = new long[unique.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = unique.get(i).spanId().value();
    }
    AssembledTrace trace =
        new AssembledTrace(tenant, traceId, fragment, TraceSummary.of(unique), unique);
    return new Result(AvroRecordCodec.ASSEMBLED_TRACE.encode(trace), ids, duplicates, rejections);
  }

  /** Thrown inside the transcoder when the model path must take over. */
  private static final class NeedsModel extends Exception {
    private static final long serialVersionUID = 1L;

    NeedsModel() {
      super(null, null, false, false);
    }
  }

  private static final NeedsModel NEEDS_MODEL = new NeedsModel();

  /**
   * @param chunks OTLP {@code TracesData} protobuf, each holding spans of {@code traceId} only
   * @param alreadyEmitted span IDs emitted in an earlier fragment, left out as duplicates
   * @return the trace, or {@code null} when the chunks need the model path (see class comment, and
   *     chunks that are not valid protobuf)
   */
  static Result transcode(
      String tenant,
      TraceId traceId,
      int fragment,
      List<byte[]> chunks,
      LongPredicate alreadyEmitted) {
    Transcoding t = new Transcoding(traceId, alreadyEmitted);
    try {
      for (byte[] chunk : chunks) {
        t.tracesData(chunk);
      }
      return t.finish(tenant, fragment);
    } catch (NeedsModel | InvalidProtocolBufferException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One span, already written as Avro. */
  private record SpanOut(
      long spanId,
      long parent,
      long start,
      long end,
      boolean error,
      String service,
      byte[] name,
      byte[] resource,
      int avroOffset,
      int avroLength) {}

  /** The Avro bytes of an empty {@code Resource}: no attributes, 0 dropped, no schema URL. */
  private static final byte[] EMPTY_RESOURCE = {0, 0, 0};

  private static final class Transcoding {
    private final byte[] traceIdBytes;
    private final LongPredicate alreadyEmitted;
    private final List<SpanOut> spans = new ArrayList<>();
    private final Set<Long> seen = new HashSet<>();
    private final AvroBytes spanBytes = new AvroBytes(16 * 1024);
    private int duplicates;

    Transcoding(TraceId traceId, LongPredicate alreadyEmitted) {
      this.traceIdBytes = traceId.toBytes();
      this.alreadyEmitted = alreadyEmitted;
    }

    void tracesData(byte[] buf) throws IOException, NeedsModel {
      WireReader in = new WireReader(buf, 0, buf.length);
      while (in.hasMore()) {
        int tag = in.readTag();
        if (tag == tag(1, LEN)) {
          int len = in.readLength();
          resourceSpans(buf, in.position(), len);
          in.skip(len);
        } else {
          in.skipField(tag);
        }
      }
    }

    /**
     * A {@code ResourceSpans} or {@code ScopeSpans}: both hold their resource or scope in field 1,
     * their children (scope spans, spans) in field 2 and a schema URL in field 3.
     *
     * @param message the resource or scope, null when absent
     * @param schemaUrl the schema URL, null when absent
     */
    private record Group(int[] message, int[] schemaUrl, List<int[]> children) {}

    private static Group group(byte[] buf, int off, int len) throws IOException, NeedsModel {
      WireReader in = new WireReader(buf, off, len);
      int[] message = null;
      int[] url = null;
      List<int[]> children = new ArrayList<>();
      while (in.hasMore()) {
        int tag = in.readTag();
        if (tag == tag(1, LEN)) {
          if (message != null) {
            throw NEEDS_MODEL; // a repeated singular message merges in protobuf
          }
          message = slice(in);
        } else if (tag == tag(2, LEN)) {
          children.add(slice(in));
        } else if (tag == tag(3, LEN)) {
          url = slice(in);
        } else {
          known(tag, 1, 2, 3);
          in.skipField(tag);
        }
      }
      return new Group(message, url, children);
    }

    private void resourceSpans(byte[] buf, int off, int len) throws IOException, NeedsModel {
      Group rs = group(buf, off, len);
      // Resource: attributes, droppedAttributesCount, schemaUrl (from ResourceSpans)
      AvroBytes r = new AvroBytes(256);
      String service = "";
      List<int[]> attrs = new ArrayList<>();
      long dropped = 0;
      if (rs.message() != null) {
        WireReader rin = new WireReader(buf, rs.message()[0], rs.message()[1]);
        while (rin.hasMore()) {
          int tag = rin.readTag();
          if (tag == tag(1, LEN)) {
            attrs.add(slice(rin));
          } else if (tag == tag(2, VARINT)) {
            dropped = rin.readVarint();
          } else {
            known(tag, 1, 2);
            rin.skipField(tag);
          }
        }
        service = serviceName(buf, attrs);
      }
      keyValues(buf, attrs, r);
      r.writeInt((int) dropped);
      string(buf, rs.schemaUrl(), r);
      byte[] resource = r.toByteArray();
      for (int[] s : rs.children()) {
        scopeSpans(buf, s[0], s[1], resource, service);
      }
    }

    private void scopeSpans(byte[] buf, int off, int len, byte[] resource, String service)
        throws IOException, NeedsModel {
      Group ss = group(buf, off, len);
      // InstrumentationScope: name, version, attributes, droppedAttributesCount, schemaUrl
      AvroBytes e = new AvroBytes(128);
      int[] name = null;
      int[] version = null;
      long dropped = 0;
      List<int[]> attrs = new ArrayList<>();
      if (ss.message() != null) {
        WireReader sin = new WireReader(buf, ss.message()[0], ss.message()[1]);
        while (sin.hasMore()) {
          int tag = sin.readTag();
          if (tag == tag(1, LEN)) {
            name = slice(sin);
          } else if (tag == tag(2, LEN)) {
            version = slice(sin);
          } else if (tag == tag(3, LEN)) {
            attrs.add(slice(sin));
          } else if (tag == tag(4, VARINT)) {
            dropped = sin.readVarint();
          } else {
            known(tag, 1, 2, 3, 4);
            sin.skipField(tag);
          }
        }
      }
      string(buf, name, e);
      string(buf, version, e);
      keyValues(buf, attrs, e);
      e.writeInt((int) dropped);
      string(buf, ss.schemaUrl(), e);
      byte[] scope = e.toByteArray();
      for (int[] s : ss.children()) {
        span(buf, s[0], s[1], resource, scope, service);
      }
    }

    private void span(byte[] buf, int off, int len, byte[] resource, byte[] scope, String service)
        throws IOException, NeedsModel {
      WireReader in = new WireReader(buf, off, len);
      int traceIdOff = -1;
      int traceIdLen = 0;
      long spanId = 0;
      boolean hasSpanId = false;
      int stateOff = 0;
      int stateLen = 0;
      long parent = 0;
      int flags = 0;
      int nameOff = 0;
      int nameLen = 0;
      long kind = 0;
      long start = 0;
      long end = 0;
      List<int[]> attrs = new ArrayList<>();
      long droppedAttrs = 0;
      List<int[]> events = new ArrayList<>();
      long droppedEvents = 0;
      List<int[]> links = new ArrayList<>();
      long droppedLinks = 0;
      int statusOff = -1;
      int statusLen = 0;
      while (in.hasMore()) {
        int tag = in.readTag();
        switch (tag) {
          case (1 << 3) | LEN -> {
            traceIdLen = in.readLength();
            traceIdOff = in.position();
            in.skip(traceIdLen);
          }
          case (2 << 3) | LEN -> {
            int l = in.readLength();
            if (l != 8) {
              throw NEEDS_MODEL;
            }
            spanId = longAt(buf, in.position());
            hasSpanId = true;
            in.skip(l);
          }
          case (3 << 3) | LEN -> {
            stateLen = in.readLength();
            stateOff = in.position();
            in.skip(stateLen);
          }
          case (4 << 3) | LEN -> {
            int l = in.readLength();
            if (l == 0) {
              parent = 0;
            } else if (l == 8) {
              parent = longAt(buf, in.position());
            } else {
              throw NEEDS_MODEL;
            }
            in.skip(l);
          }
          case (16 << 3) | FIXED32 -> flags = fixed32(in, buf);
          case (5 << 3) | LEN -> {
            nameLen = in.readLength();
            nameOff = in.position();
            in.skip(nameLen);
          }
          case (6 << 3) | VARINT -> kind = in.readVarint();
          case (7 << 3) | FIXED64 -> start = in.readFixed64();
          case (8 << 3) | FIXED64 -> end = in.readFixed64();
          case (9 << 3) | LEN -> slice(in, attrs);
          case (10 << 3) | VARINT -> droppedAttrs = in.readVarint();
          case (11 << 3) | LEN -> slice(in, events);
          case (12 << 3) | VARINT -> droppedEvents = in.readVarint();
          case (13 << 3) | LEN -> slice(in, links);
          case (14 << 3) | VARINT -> droppedLinks = in.readVarint();
          case (15 << 3) | LEN -> {
            if (statusOff >= 0) {
              throw NEEDS_MODEL;
            }
            statusLen = in.readLength();
            statusOff = in.position();
            in.skip(statusLen);
          }
          default -> {
            known(tag, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
            in.skipField(tag);
          }
        }
      }
      if (traceIdOff < 0
          || traceIdLen != 16
          || !Arrays.equals(buf, traceIdOff, traceIdOff + 16, traceIdBytes, 0, 16)
          || !hasSpanId
          || spanId == 0) {
        throw NEEDS_MODEL;
      }
      if (alreadyEmitted.test(spanId) || !seen.add(spanId)) {
        duplicates++;
        return;
      }
      int statusCode = 0;
      int msgOff = 0;
      int msgLen = 0;
      if (statusOff >= 0) {
        WireReader s = new WireReader(buf, statusOff, statusLen);
        while (s.hasMore()) {
          int tag = s.readTag();
          if (tag == tag(2, LEN)) {
            msgLen = s.readLength();
            msgOff = s.position();
            s.skip(msgLen);
          } else if (tag == tag(3, VARINT)) {
            statusCode = (int) s.readVarint();
          } else {
            known(tag, 2, 3);
            s.skipField(tag);
          }
        }
      }
      int code = statusCode >= 0 && statusCode <= 2 ? statusCode : 0;

      AvroBytes out = spanBytes;
      int spanStart = out.size();
      out.writeFixed(buf, traceIdOff, 16);
      out.writeFixed(longBytes(spanId));
      if (parent == 0) {
        out.writeInt(0);
      } else {
        out.writeInt(1);
        out.writeFixed(longBytes(parent));
      }
      string(buf, stateOff, stateLen, out);
      out.writeInt(flags);
      string(buf, nameOff, nameLen, out);
      int k = (int) kind;
      out.writeInt(k >= 0 && k <= 5 ? k : 0);
      out.writeLong(start);
      out.writeLong(end);
      keyValues(buf, attrs, out);
      out.writeInt((int) droppedAttrs);
      out.arrayStart(events.size());
      for (int[] ev : events) {
        event(buf, ev[0], ev[1], out);
      }
      out.arrayEnd();
      out.writeInt((int) droppedEvents);
      out.arrayStart(links.size());
      for (int[] l : links) {
        link(buf, l[0], l[1], out);
      }
      out.arrayEnd();
      out.writeInt((int) droppedLinks);
      out.writeInt(code);
      string(buf, msgOff, msgLen, out);
      out.writeFixed(EMPTY_RESOURCE);
      out.writeFixed(scope);
      spans.add(
          new SpanOut(
              spanId,
              parent,
              start,
              end,
              code == 2,
              service,
              Arrays.copyOfRange(buf, nameOff, nameOff + nameLen),
              resource,
              spanStart,
              out.size() - spanStart));
    }

    private void event(byte[] buf, int off, int len, AvroBytes e) throws IOException, NeedsModel {
      WireReader in = new WireReader(buf, off, len);
      long time = 0;
      int[] name = null;
      List<int[]> attrs = new ArrayList<>();
      long dropped = 0;
      while (in.hasMore()) {
        int tag = in.readTag();
        if (tag == tag(1, FIXED64)) {
          time = in.readFixed64();
        } else if (tag == tag(2, LEN)) {
          name = slice(in);
        } else if (tag == tag(3, LEN)) {
          slice(in, attrs);
        } else if (tag == tag(4, VARINT)) {
          dropped = in.readVarint();
        } else {
          known(tag, 1, 2, 3, 4);
          in.skipField(tag);
        }
      }
      e.writeLong(time);
      string(buf, name, e);
      keyValues(buf, attrs, e);
      e.writeInt((int) dropped);
    }

    private void link(byte[] buf, int off, int len, AvroBytes e) throws IOException, NeedsModel {
      WireReader in = new WireReader(buf, off, len);
      int[] linkTrace = null;
      int[] linkSpan = null;
      int[] state = null;
      List<int[]> attrs = new ArrayList<>();
      long dropped = 0;
      int flags = 0;
      while (in.hasMore()) {
        int tag = in.readTag();
        if (tag == tag(1, LEN)) {
          linkTrace = slice(in);
        } else if (tag == tag(2, LEN)) {
          linkSpan = slice(in);
        } else if (tag == tag(3, LEN)) {
          state = slice(in);
        } else if (tag == tag(4, LEN)) {
          slice(in, attrs);
        } else if (tag == tag(5, VARINT)) {
          dropped = in.readVarint();
        } else if (tag == tag(6, FIXED32)) {
          flags = fixed32(in, buf);
        } else {
          known(tag, 1, 2, 3, 4, 5, 6);
          in.skipField(tag);
        }
      }
      if (linkTrace == null
          || linkSpan == null
          || linkTrace[1] != 16
          || linkSpan[1] != 8
          || allZero(buf, linkTrace[0], 16)
          || allZero(buf, linkSpan[0], 8)) {
        throw NEEDS_MODEL;
      }
      e.writeFixed(buf, linkTrace[0], 16);
      e.writeFixed(buf, linkSpan[0], 8);
      string(buf, state, e);
      keyValues(buf, attrs, e);
      e.writeInt((int) dropped);
      e.writeInt(flags);
    }

    /** An Avro array of KeyValue from OTLP KeyValue messages. */
    private void keyValues(byte[] buf, List<int[]> kvs, AvroBytes e)
        throws IOException, NeedsModel {
      e.arrayStart(kvs.size());
      for (int[] kv : kvs) {
        keyValue(buf, kv[0], kv[1], e);
      }
      e.arrayEnd();
    }

    private void keyValue(byte[] buf, int off, int len, AvroBytes e)
        throws IOException, NeedsModel {
      WireReader in = new WireReader(buf, off, len);
      int keyOff = 0;
      int keyLen = 0;
      int valOff = -1;
      int valLen = 0;
      while (in.hasMore()) {
        int tag = in.readTag();
        if (tag == tag(1, LEN)) {
          keyLen = in.readLength();
          keyOff = in.position();
          in.skip(keyLen);
        } else if (tag == tag(2, LEN)) {
          if (valOff >= 0) {
            throw NEEDS_MODEL;
          }
          valLen = in.readLength();
          valOff = in.position();
          in.skip(valLen);
        } else {
          known(tag, 1, 2);
          in.skipField(tag);
        }
      }
      string(buf, keyOff, keyLen, e);
      if (valOff < 0) {
        e.writeInt(0);
      } else {
        anyValue(buf, valOff, valLen, e);
      }
    }

    /**
     * AnyValue's Avro union: null, string, boolean, long, double, bytes, ArrayValue, KeyValueList.
     */
    private void anyValue(byte[] buf, int off, int len, AvroBytes e)
        throws IOException, NeedsModel {
      WireReader in = new WireReader(buf, off, len);
      int field = 0;
      long scalar = 0;
      int sliceOff = 0;
      int sliceLen = 0;
      boolean nested = false;
      while (in.hasMore()) {
        int tag = in.readTag();
        int number = tag >>> 3;
        int type = tag & 7;
        if ((number == 1 || number == 7) && type == LEN) {
          sliceLen = in.readLength();
          sliceOff = in.position();
          in.skip(sliceLen);
          field = number;
        } else if ((number == 5 || number == 6) && type == LEN) {
          if (nested) {
            throw NEEDS_MODEL; // a repeated message field of the oneof merges in protobuf
          }
          nested = true;
          sliceLen = in.readLength();
          sliceOff = in.position();
          in.skip(sliceLen);
          field = number;
        } else if ((number == 2 || number == 3 || number == 8) && type == VARINT) {
          scalar = in.readVarint();
          field = number;
        } else if (number == 4 && type == FIXED64) {
          scalar = in.readFixed64();
          field = number;
        } else {
          known(tag, 1, 2, 3, 4, 5, 6, 7, 8);
          in.skipField(tag);
        }
        if (field != 5 && field != 6) {
          nested = false;
        }
      }
      switch (field) {
        case 1 -> {
          e.writeInt(1);
          string(buf, sliceOff, sliceLen, e);
        }
        case 2 -> {
          e.writeInt(2);
          e.writeBoolean(scalar != 0);
        }
        case 3 -> {
          e.writeInt(3);
          e.writeLong(scalar);
        }
        case 4 -> {
          e.writeInt(4);
          e.writeDouble(Double.longBitsToDouble(scalar));
        }
        case 7 -> {
          e.writeInt(5);
          e.writeBytes(buf, sliceOff, sliceLen);
        }
        case 5 -> {
          e.writeInt(6);
          List<int[]> values = repeated(buf, sliceOff, sliceLen);
          e.arrayStart(values.size());
          for (int[] v : values) {
            anyValue(buf, v[0], v[1], e);
          }
          e.arrayEnd();
        }
        case 6 -> {
          e.writeInt(7);
          keyValues(buf, repeated(buf, sliceOff, sliceLen), e);
        }
        default -> e.writeInt(0);
      }
    }

    /** The slices of field 1 (repeated message) of an ArrayValue or KeyValueList. */
    private static List<int[]> repeated(byte[] buf, int off, int len)
        throws IOException, NeedsModel {
      WireReader in = new WireReader(buf, off, len);
      List<int[]> out = new ArrayList<>();
      while (in.hasMore()) {
        int tag = in.readTag();
        if (tag == tag(1, LEN)) {
          slice(in, out);
        } else {
          known(tag, 1);
          in.skipField(tag);
        }
      }
      return out;
    }

    /** The first {@code service.name} attribute's string value, "" when there is none. */
    private static String serviceName(byte[] buf, List<int[]> attrs)
        throws IOException, NeedsModel {
      for (int[] kv : attrs) {
        WireReader in = new WireReader(buf, kv[0], kv[1]);
        int keyOff = 0;
        int keyLen = 0;
        int valOff = -1;
        int valLen = 0;
        while (in.hasMore()) {
          int tag = in.readTag();
          if (tag == tag(1, LEN)) {
            keyLen = in.readLength();
            keyOff = in.position();
            in.skip(keyLen);
          } else if (tag == tag(2, LEN)) {
            valLen = in.readLength();
            valOff = in.position();
            in.skip(valLen);
          } else {
            in.skipField(tag);
          }
        }
        if (keyLen == SERVICE_NAME.length
            && Arrays.equals(buf, keyOff, keyOff + keyLen, SERVICE_NAME, 0, keyLen)) {
          if (valOff < 0) {
            return "";
          }
          WireReader v = new WireReader(buf, valOff, valLen);
          String value = null;
          while (v.hasMore()) {
            int tag = v.readTag();
            if (tag == tag(1, LEN)) {
              int l = v.readLength();
              if (!validUtf8(buf, v.position(), l)) {
                throw NEEDS_MODEL;
              }
              value = new String(buf, v.position(), l, StandardCharsets.UTF_8);
              v.skip(l);
            } else {
              throw NEEDS_MODEL; // a service.name that is not only a string
            }
          }
          return value == null ? "" : value;
        }
      }
      return "";
    }

    Result finish(String tenant, int fragment) throws IOException {
      if (spans.isEmpty()) {
        return new Result(null, new long[0], duplicates, List.of());
      }
      spans.sort(Comparator.comparingLong(SpanOut::start));
      Set<Long> ids = new HashSet<>(spans.size() * 2);
      for (SpanOut s : spans) {
        ids.add(s.spanId());
      }
      SpanOut root = null;
      SpanOut earliest = null;
      long start = Long.MAX_VALUE;
      long end = Long.MIN_VALUE;
      boolean error = false;
      int missingParents = 0;
      TreeSet<String> services = new TreeSet<>();
      for (SpanOut s : spans) {
        start = Math.min(start, s.start());
        end = Math.max(end, s.end());
        error |= s.error();
        if (!s.service().isEmpty()) {
          services.add(s.service());
        }
        if (s.parent() == 0) {
          if (root == null || s.start() < root.start()) {
            root = s;
          }
        } else if (!ids.contains(s.parent())) {
          missingParents++;
        }
        if (earliest == null || s.start() < earliest.start()) {
          earliest = s;
        }
      }
      SpanOut chosen = root != null ? root : earliest;
      AvroBytes e = new AvroBytes(spanBytes.size() + 256);
      e.writeString(tenant);
      e.writeFixed(traceIdBytes);
      e.writeInt(fragment);
      e.writeString(chosen.service());
      e.writeBytes(chosen.name());
      e.writeLong(start);
      e.writeLong(end);
      e.writeLong(end - start);
      e.writeInt(spans.size());
      e.writeBoolean(error);
      e.arrayStart(services.size());
      for (String service : services) {
        e.writeString(service);
      }
      e.arrayEnd();
      e.writeInt(missingParents);
      // each distinct resource once, numbered as the spans first name it (equal bytes, one
      // entry); the spans of one ResourceSpans share its array, so bytes are compared once per
      // array, not per span
      Map<ByteBuffer, Integer> byContent = new HashMap<>();
      Map<byte[], Integer> byArray = new IdentityHashMap<>();
      List<byte[]> resources = new ArrayList<>();
      int[] spanResource = new int[spans.size()];
      for (int i = 0; i < spans.size(); i++) {
        byte[] r = spans.get(i).resource();
        Integer index = byArray.get(r);
        if (index == null) {
          index = byContent.putIfAbsent(ByteBuffer.wrap(r), resources.size());
          if (index == null) {
            index = resources.size();
            resources.add(r);
          }
          byArray.put(r, index);
        }
        spanResource[i] = index;
      }
      e.arrayStart(resources.size());
      for (byte[] r : resources) {
        e.writeFixed(r);
      }
      e.arrayEnd();
      e.arrayStart(spans.size());
      long[] spanIds = new long[spans.size()];
      for (int i = 0; i < spans.size(); i++) {
        SpanOut s = spans.get(i);
        spanBytes.copyTo(s.avroOffset(), s.avroLength(), e);
        e.writeInt(spanResource[i]);
        spanIds[i] = s.spanId();
      }
      e.arrayEnd();
      return new Result(e.toByteArray(), spanIds, duplicates, List.of());
    }

    /** An Avro string copied from UTF-8 bytes, which must be valid UTF-8 as protobuf demands. */
    private static void string(byte[] buf, int off, int len, AvroBytes e)
        throws IOException, NeedsModel {
      if (len > 0 && !validUtf8(buf, off, len)) {
        throw NEEDS_MODEL;
      }
      e.writeBytes(buf, off, len);
    }

    private static boolean validUtf8(byte[] buf, int off, int len) {
      int i = off;
      int end = off + len;
      // ASCII, the common case, eight bytes at a time
      for (; i + 8 <= end; i += 8) {
        if (((long) LONGS.get(buf, i) & 0x8080808080808080L) != 0) {
          return UnsafeByteOperations.unsafeWrap(buf, off, len).isValidUtf8();
        }
      }
      for (; i < end; i++) {
        if (buf[i] < 0) {
          return UnsafeByteOperations.unsafeWrap(buf, off, len).isValidUtf8();
        }
      }
      return true;
    }

    /** The length-delimited field at the cursor as {offset, length}; the cursor moves past it. */
    private static int[] slice(WireReader in) throws IOException {
      int l = in.readLength();
      int[] s = {in.position(), l};
      in.skip(l);
      return s;
    }

    private static void slice(WireReader in, List<int[]> out) throws IOException {
      out.add(slice(in));
    }

    /** A string field given as {offset, length}; absent (null) is the empty string. */
    private static void string(byte[] buf, int[] s, AvroBytes e) throws IOException, NeedsModel {
      if (s == null) {
        e.writeInt(0);
      } else {
        string(buf, s[0], s[1], e);
      }
    }

    private static int fixed32(WireReader in, byte[] buf) throws IOException {
      long v = in.readFixed32();
      return (int) v;
    }

    /** A known field number with an unexpected wire type: protobuf-java would not read it so. */
    private static void known(int tag, int... numbers) throws NeedsModel {
      int number = tag >>> 3;
      for (int n : numbers) {
        if (n == number) {
          throw NEEDS_MODEL;
        }
      }
    }

    private static boolean allZero(byte[] buf, int off, int len) {
      for (int i = off; i < off + len; i++) {
        if (buf[i] != 0) {
          return false;
        }
      }
      return true;
    }

    private static long longAt(byte[] buf, int off) {
      long v = 0;
      for (int i = off; i < off + 8; i++) {
        v = (v << 8) | (buf[i] & 0xffL);
      }
      return v;
    }

    private static byte[] longBytes(long v) {
      byte[] b = new byte[8];
      for (int i = 7; i >= 0; i--) {
        b[i] = (byte) v;
        v >>>= 8;
      }
      return b;
    }
  }

  private static int tag(int number, int wireType) {
    return (number << 3) | wireType;
  }
}
