package io.spanline.schemas.codec.avro;

import io.spanline.schemas.codec.MalformedAvroException;
import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.Resource;
import io.spanline.schemas.model.SpanKind;
import io.spanline.schemas.model.StatusCode;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.model.TraceView;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * A {@link TraceView} read straight from the Avro binary of an {@code AssembledTrace} written with
 * the current schema ({@code schemas/src/main/avro/AssembledTrace.avsc}), without building the
 * model: one pass records each span's fixed fields and where its attributes are; names and service
 * names are decoded, everything else (events, links, scope, other attribute values) is skipped and
 * read again only when {@link #anyAttribute} asks for a key. Several times cheaper than decoding
 * the model for code that looks at a few fields of every span. Not thread-safe; holds on to the
 * array it reads.
 */
public final class AvroTraceView implements TraceView {
  private static final byte[] SERVICE_NAME = Resource.SERVICE_NAME.getBytes(StandardCharsets.UTF_8);
  private static final SpanKind[] KINDS = SpanKind.values();
  private static final StatusCode[] CODES = StatusCode.values();

  /**
   * Fewer bytes than any span takes in Avro (IDs alone are 24): the declared span count is trusted
   * for the arrays' first size only as far as the bytes left could hold that many spans.
   */
  private static final int MIN_SPAN_BYTES = 32;

  /**
   * Deepest array or key-value-list nesting of an attribute value read; deeper is refused, not a
   * stack overflow. OTLP protobuf (parsed with protobuf's limit of 100 nested messages) cannot
   * carry half as deep.
   */
  static final int MAX_VALUE_DEPTH = 100;

  private final byte[] buf;
  private int pos;
  private final int limit;

  private final String tenant;
  private final TraceId traceId;
  private final int fragment;
  private final String rootServiceName;
  private final long start;
  private final long end;
  private int count;
  private long[] spanIds;
  private long[] parentIds;
  private boolean[] hasParent;
  private String[] names;
  private String[] services;
  private byte[] kinds;
  private byte[] codes;
  private int[] flags;
  private long[] starts;
  private long[] ends;
  private int[] traceStateAt;
  private int[] tailAt;
  private int tailEnd;
  private String[] resourceServices = new String[0];
  private int resourceCount;
  private int[] attributeHashes = new int[64];
  private int[] attributeKeysAt = new int[64];
  private int attributeCount;

  private AvroTraceView(byte[] buf, int offset, int length) {
    this.buf = buf;
    this.pos = offset;
    this.limit = offset + length;
    this.tenant = readCachedString();
    this.traceId = TraceId.fromBytes(buf, take(TraceId.BYTES));
    this.fragment = readInt();
    this.rootServiceName = readString();
    skipBytes(); // rootSpanName
    this.start = readLong();
    this.end = readLong();
    readLong(); // duration
    int declared = readInt();
    skipBytes(1); // error
    for (long n = blockCount(); n != 0; n = blockCount()) {
      for (long i = 0; i < n; i++) {
        skipBytes(); // services
      }
    }
    readInt(); // missingParentSpanCount
    readResources();
    allocate(Math.max(1, Math.min(declared, (limit - pos) / MIN_SPAN_BYTES + 1)));
    for (long n = blockCount(); n != 0; n = blockCount()) {
      for (long i = 0; i < n; i++) {
        readSpan();
      }
    }
    if (pos != limit) {
      throw new MalformedAvroException(
          "AssembledTrace Avro has " + (limit - pos) + " bytes after its last field");
    }
  }

  /**
   * Reads the Avro binary of an {@code AssembledTrace} in the current schema.
   *
   * @throws MalformedAvroException if the bytes end early, hold impossible values or do not end
   *     where the record does
   * @throws io.spanline.schemas.model.InvalidIdException if the trace ID is all zero
   */
  public static AvroTraceView of(byte[] avroBinary, int offset, int length) {
    try {
      return new AvroTraceView(avroBinary, offset, length);
    } catch (ArrayIndexOutOfBoundsException | NegativeArraySizeException e) {
      throw new MalformedAvroException("AssembledTrace Avro ends early or is corrupt", e);
    }
  }

  private void allocate(int n) {
    spanIds = new long[n];
    parentIds = new long[n];
    hasParent = new boolean[n];
    names = new String[n];
    services = new String[n];
    kinds = new byte[n];
    codes = new byte[n];
    flags = new int[n];
    starts = new long[n];
    ends = new long[n];
    traceStateAt = new int[n];
    tailAt = new int[n];
  }

  private void grow() {
    int n = spanIds.length * 2;
    spanIds = Arrays.copyOf(spanIds, n);
    parentIds = Arrays.copyOf(parentIds, n);
    hasParent = Arrays.copyOf(hasParent, n);
    names = Arrays.copyOf(names, n);
    services = Arrays.copyOf(services, n);
    kinds = Arrays.copyOf(kinds, n);
    codes = Arrays.copyOf(codes, n);
    flags = Arrays.copyOf(flags, n);
    starts = Arrays.copyOf(starts, n);
    ends = Arrays.copyOf(ends, n);
    traceStateAt = Arrays.copyOf(traceStateAt, n);
    tailAt = Arrays.copyOf(tailAt, n);
  }

  private void readSpan() {
    if (count == spanIds.length) {
      grow();
    }
    int i = count++;
    skipBytes(TraceId.BYTES);
    spanIds[i] = readFixed64();
    int parentBranch = readInt();
    if (parentBranch == 1) {
      hasParent[i] = true;
      parentIds[i] = readFixed64();
    } else if (parentBranch != 0) {
      throw new MalformedAvroException("parentSpanId union branch " + parentBranch);
    }
    traceStateAt[i] = pos;
    skipBytes();
    flags[i] = readInt();
    names[i] = readCachedString();
    kinds[i] = (byte) index(readInt(), KINDS.length, "SpanKind");
    starts[i] = readLong();
    ends[i] = readLong();
    indexKeyValues();
    readInt(); // droppedAttributesCount
    for (long n = blockCount(); n != 0; n = blockCount()) {
      for (long e = 0; e < n; e++) {
        readLong(); // event time
        skipBytes(); // event name
        skipKeyValues(0);
        readInt();
      }
    }
    readInt(); // droppedEventsCount
    for (long n = blockCount(); n != 0; n = blockCount()) {
      for (long l = 0; l < n; l++) {
        skipBytes(TraceId.BYTES + 8);
        skipBytes(); // traceState
        skipKeyValues(0);
        readInt();
        readInt();
      }
    }
    readInt(); // droppedLinksCount
    codes[i] = (byte) index(readInt(), CODES.length, "StatusCode");
    skipBytes(); // status message
    tailAt[i] = pos;
    // spans of one export share resource and scope, written byte for byte alike: when the bytes
    // here (own resource, scope, resource index) repeat the previous span's, take its findings
    if (i > 0) {
      int prev = tailAt[i - 1];
      int length = tailEnd - prev;
      if (pos + length <= limit
          && Arrays.equals(buf, prev, prev + length, buf, pos, pos + length)) {
        services[i] = services[i - 1];
        pos += length;
        tailEnd = pos;
        return;
      }
    }
    int keysBefore = attributeCount;
    String ownService = readResource();
    skipBytes(); // scope name
    skipBytes(); // scope version
    skipKeyValues(0);
    readInt();
    skipBytes(); // scope schemaUrl
    int resourceIndex = readInt();
    if (resourceIndex < 0) {
      services[i] = ownService; // a span that carries its resource itself
    } else if (resourceIndex < resourceCount) {
      attributeCount = keysBefore; // the span's resource is the entry's, not its own (empty) one
      services[i] = resourceServices[resourceIndex];
    } else {
      throw new MalformedAvroException(
          "span resourceIndex " + resourceIndex + " is past the " + resourceCount + " resources");
    }
    tailEnd = pos;
  }

  /**
   * Reads {@code AssembledTrace.resources}, each distinct resource once: its attribute keys go to
   * the attribute index, its service.name is kept for the spans that point at it.
   */
  private void readResources() {
    for (long n = blockCount(); n != 0; n = blockCount()) {
      for (long k = 0; k < n; k++) {
        if (resourceCount == resourceServices.length) {
          resourceServices = Arrays.copyOf(resourceServices, Math.max(4, resourceCount * 2));
        }
        resourceServices[resourceCount++] = readResource();
      }
    }
  }

  /** Reads a {@code Resource} record, returning its service.name ("" when absent). */
  private String readResource() {
    String service = serviceNameAndSkip();
    readInt(); // droppedAttributesCount
    skipBytes(); // schemaUrl
    return service;
  }

  /** Reads a resource's attributes, returning its service.name as text ("" when absent). */
  private String serviceNameAndSkip() {
    String service = null;
    for (long n = blockCount(); n != 0; n = blockCount()) {
      for (long k = 0; k < n; k++) {
        int keyAt = pos;
        indexKey();
        pos = keyAt;
        boolean match = keyEquals(SERVICE_NAME);
        if (match && service == null) {
          service = readServiceName();
        } else {
          skipAnyValue(0);
        }
      }
    }
    return service == null ? "" : service;
  }

  // ---- TraceView ----

  @Override
  public String tenant() {
    return tenant;
  }

  @Override
  public TraceId traceId() {
    return traceId;
  }

  @Override
  public int fragment() {
    return fragment;
  }

  @Override
  public String rootServiceName() {
    return rootServiceName;
  }

  @Override
  public long startEpochNanos() {
    return start;
  }

  @Override
  public long endEpochNanos() {
    return end;
  }

  @Override
  public int spanCount() {
    return count;
  }

  @Override
  public long spanId(int span) {
    check(span);
    return spanIds[span];
  }

  @Override
  public boolean hasParent(int span) {
    check(span);
    return hasParent[span];
  }

  @Override
  public long parentSpanId(int span) {
    check(span);
    return parentIds[span];
  }

  @Override
  public String name(int span) {
    check(span);
    return names[span];
  }

  @Override
  public SpanKind kind(int span) {
    check(span);
    return KINDS[kinds[span]];
  }

  @Override
  public long startEpochNanos(int span) {
    check(span);
    return starts[span];
  }

  @Override
  public long endEpochNanos(int span) {
    check(span);
    return ends[span];
  }

  @Override
  public StatusCode statusCode(int span) {
    check(span);
    return CODES[codes[span]];
  }

  @Override
  public int flags(int span) {
    check(span);
    return flags[span];
  }

  @Override
  public String traceState(int span) {
    check(span);
    pos = traceStateAt[span];
    return readString();
  }

  @Override
  public String serviceName(int span) {
    check(span);
    return services[span];
  }

  /**
   * {@inheritDoc}
   *
   * <p>Looks the key up in an index of the attribute keys (span and distinct resource attributes,
   * by hash and position) made while reading the spans, and decodes only the values under the key.
   */
  @Override
  public boolean anyAttribute(String key, Predicate<AnyValue> test) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    int h = hash(k, 0, k.length);
    for (int j = 0; j < attributeCount; j++) {
      if (attributeHashes[j] == h) {
        pos = attributeKeysAt[j];
        if (keyEquals(k) && test.test(readAnyValue(0))) {
          return true;
        }
      }
    }
    return false;
  }

  /** Skips a KeyValue array, indexing each key. */
  private void indexKeyValues() {
    for (long n = blockCount(); n != 0; n = blockCount()) {
      for (long i = 0; i < n; i++) {
        indexKey();
        skipAnyValue(0);
      }
    }
  }

  /** Adds the key at {@code pos} to the attribute index and moves past it. */
  private void indexKey() {
    int at = pos;
    int n = readInt();
    if (n < 0 || n > limit - pos) {
      throw new MalformedAvroException("AssembledTrace Avro ends early");
    }
    if (attributeCount == attributeHashes.length) {
      attributeHashes = Arrays.copyOf(attributeHashes, attributeCount * 2);
      attributeKeysAt = Arrays.copyOf(attributeKeysAt, attributeCount * 2);
    }
    attributeHashes[attributeCount] = hash(buf, pos, n);
    attributeKeysAt[attributeCount++] = at;
    pos += n;
  }

  /** A cheap hash of a key: its length and a few of its bytes (a match is checked in full). */
  private static int hash(byte[] b, int at, int n) {
    if (n == 0) {
      return 0;
    }
    int h = n;
    h = 31 * h + b[at];
    h = 31 * h + b[at + n - 1];
    h = 31 * h + b[at + (n >> 1)];
    h = 31 * h + b[at + (n >> 2)];
    h = 31 * h + b[at + n - 1 - (n >> 2)];
    return h;
  }

  private void check(int span) {
    if (span < 0 || span >= count) {
      throw new IndexOutOfBoundsException("span " + span + " of " + count);
    }
  }

  // ---- Avro binary ----

  private long readLong() {
    if (pos < limit) {
      byte first = buf[pos];
      if (first >= 0) { // one-byte varint: most lengths, counts, enums and small ints
        pos++;
        return (first >>> 1) ^ -(first & 1);
      }
    }
    long value = 0;
    int shift = 0;
    while (true) {
      if (pos >= limit) {
        throw new MalformedAvroException("AssembledTrace Avro ends inside a number");
      }
      byte b = buf[pos++];
      value |= (long) (b & 0x7f) << shift;
      if (b >= 0) {
        break;
      }
      shift += 7;
      if (shift > 63) {
        throw new MalformedAvroException("AssembledTrace Avro has a number longer than 10 bytes");
      }
    }
    return (value >>> 1) ^ -(value & 1);
  }

  private int readInt() {
    long v = readLong();
    if (v != (int) v) {
      throw new MalformedAvroException("AssembledTrace Avro int out of range: " + v);
    }
    return (int) v;
  }

  private static int index(int value, int size, String what) {
    if (value < 0 || value >= size) {
      throw new MalformedAvroException(what + " symbol " + value + " is not in the schema");
    }
    return value;
  }

  /** Next array block's item count (0 ends the array); a negative count's byte size is skipped. */
  private long blockCount() {
    long n = readLong();
    if (n < 0) {
      readLong();
      n = -n;
    }
    return n;
  }

  /** Returns the current position and moves past {@code n} bytes. */
  private int take(int n) {
    int at = pos;
    skipBytes(n);
    return at;
  }

  private void skipBytes(int n) {
    if (n < 0 || n > limit - pos) { // not pos + n: that overflows for a length near 2^31
      throw new MalformedAvroException("AssembledTrace Avro ends early");
    }
    pos += n;
  }

  /** Skips a string or bytes value (length-prefixed). */
  private void skipBytes() {
    skipBytes(readInt());
  }

  private String readString() {
    int n = readInt();
    int at = take(n);
    return new String(buf, at, n, StandardCharsets.UTF_8);
  }

  /** A service.name value as text; a string value comes from the string cache. */
  private String readServiceName() {
    int at = pos;
    if (readInt() == 1) {
      return readCachedString();
    }
    pos = at;
    return readAnyValue(0).asText();
  }

  /** A short string, from a cache of recent ones (span names repeat across traces). */
  private String readCachedString() {
    int n = readInt();
    int at = take(n);
    if (n > 64) {
      return new String(buf, at, n, StandardCharsets.UTF_8);
    }
    int h = n;
    for (int i = at; i < at + n; i++) {
      h = 31 * h + buf[i];
    }
    int slot = (h ^ (h >>> 11)) & (STRINGS.length - 1);
    CachedString c = STRINGS[slot];
    if (c != null && c.utf8.length == n && Arrays.equals(c.utf8, 0, n, buf, at, at + n)) {
      return c.value;
    }
    String s = new String(buf, at, n, StandardCharsets.UTF_8);
    STRINGS[slot] = new CachedString(Arrays.copyOfRange(buf, at, at + n), s);
    return s;
  }

  /**
   * Direct-mapped cache shared by all threads: slots are replaced racily, but each holds an
   * immutable pair, so a reader sees either a whole old pair or a whole new one.
   */
  private static final CachedString[] STRINGS = new CachedString[1024];

  private record CachedString(byte[] utf8, String value) {}

  private long readFixed64() {
    int at = take(8);
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (buf[at + i] & 0xffL);
    }
    return v;
  }

  /** Reads a KeyValue's key and says whether it equals {@code key}. */
  private boolean keyEquals(byte[] key) {
    int n = readInt();
    int at = take(n);
    return n == key.length && Arrays.equals(buf, at, at + n, key, 0, n);
  }

  private void skipKeyValues(int depth) {
    for (long n = blockCount(); n != 0; n = blockCount()) {
      for (long i = 0; i < n; i++) {
        skipBytes();
        skipAnyValue(depth);
      }
    }
  }

  private void skipAnyValue(int depth) {
    int branch = readInt();
    if (branch >= 6) {
      checkDepth(depth);
    }
    switch (branch) {
      case 0 -> {}
      case 1, 5 -> skipBytes();
      case 2 -> skipBytes(1);
      case 3 -> readLong();
      case 4 -> skipBytes(8);
      case 6 -> {
        for (long n = blockCount(); n != 0; n = blockCount()) {
          for (long i = 0; i < n; i++) {
            skipAnyValue(depth + 1);
          }
        }
      }
      case 7 -> skipKeyValues(depth + 1);
      default -> throw new MalformedAvroException("AnyValue union branch " + branch);
    }
  }

  private static void checkDepth(int depth) {
    if (depth >= MAX_VALUE_DEPTH) {
      throw new MalformedAvroException(
          "AssembledTrace Avro nests attribute values deeper than " + MAX_VALUE_DEPTH + " levels");
    }
  }

  private AnyValue readAnyValue(int depth) {
    int branch = readInt();
    if (branch >= 6) {
      checkDepth(depth);
    }
    switch (branch) {
      case 0:
        return AnyValue.EMPTY;
      case 1:
        return new AnyValue.StringValue(readString());
      case 2:
        return new AnyValue.BoolValue(buf[take(1)] != 0);
      case 3:
        return new AnyValue.LongValue(readLong());
      case 4:
        {
          int at = take(8);
          long bits = 0;
          for (int i = 7; i >= 0; i--) {
            bits = (bits << 8) | (buf[at + i] & 0xffL);
          }
          return new AnyValue.DoubleValue(Double.longBitsToDouble(bits));
        }
      case 5:
        {
          int n = readInt();
          int at = take(n);
          return new AnyValue.BytesValue(Arrays.copyOfRange(buf, at, at + n));
        }
      case 6:
        {
          List<AnyValue> values = new ArrayList<>();
          for (long n = blockCount(); n != 0; n = blockCount()) {
            for (long i = 0; i < n; i++) {
              values.add(readAnyValue(depth + 1));
            }
          }
          return new AnyValue.ArrayValue(values);
        }
      case 7:
        {
          List<Attribute> values = new ArrayList<>();
          for (long n = blockCount(); n != 0; n = blockCount()) {
            for (long i = 0; i < n; i++) {
              String k = readString();
              values.add(new Attribute(k, readAnyValue(depth + 1)));
            }
          }
          return new AnyValue.KeyValueList(values);
        }
      default:
        throw new MalformedAvroException("AnyValue union branch " + branch);
    }
  }
}
