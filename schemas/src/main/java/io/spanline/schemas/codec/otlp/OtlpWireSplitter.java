package io.spanline.schemas.codec.otlp;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.spanline.schemas.codec.MalformedOtlpException;
import io.spanline.schemas.codec.otlp.SpanPolicy.Verdict;
import io.spanline.schemas.model.InvalidIdException;
import io.spanline.schemas.model.Resource;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanId;
import io.spanline.schemas.model.TraceId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Splits an OTLP {@code TracesData} (or {@code ExportTraceServiceRequest}) by trace ID at the wire
 * level: each span is scanned for its IDs, times, counts and attribute sizes without being decoded,
 * judged by a {@link SpanPolicy}, and copied as bytes into one part per trace (several when a trace
 * exceeds the byte limit), under copies of its resource and scope. Only spans the policy wants
 * rewritten are decoded into the model. This is the gateway's hot path: cost grows with the bytes
 * of a request, not with the objects a full decode would allocate.
 *
 * <p>Spans with an invalid trace, span, parent or link ID (OTLP: trace ID 16 bytes, span ID 8
 * bytes, neither all zero; parent empty or 8 bytes) are rejected before the policy sees them.
 * Unknown fields of resource spans, scope spans and the request are dropped; those of spans,
 * resources and scopes are kept.
 */
public final class OtlpWireSplitter {
  private static final int LEN = WireReader.LEN;

  /** Worst-case bytes of a field tag plus a length prefix around a nested message. */
  private static final int CONTAINER_OVERHEAD = 1 + 5;

  private OtlpWireSplitter() {}

  /**
   * @param maxPartBytes largest encoded part wanted; a single span that alone exceeds it is
   *     returned in a part of its own, larger than the limit, for the caller to reject
   * @throws MalformedOtlpException if the bytes are not valid protobuf of the OTLP shape
   * @throws IllegalArgumentException if {@code maxPartBytes} is not positive
   */
  public static WireSplit split(byte[] tracesData, SpanPolicy policy, int maxPartBytes) {
    return split(tracesData, policy, maxPartBytes, false);
  }

  /**
   * As {@link #split(byte[], SpanPolicy, int)}; with {@code wholeIfSingle}, input that holds one
   * trace, fits the limit and loses or changes no span comes back as one part holding the input
   * bytes themselves (unknown fields included), without copying them.
   */
  static WireSplit split(
      byte[] tracesData, SpanPolicy policy, int maxPartBytes, boolean wholeIfSingle) {
    if (maxPartBytes <= 0) {
      throw new IllegalArgumentException("maxPartBytes must be > 0, was " + maxPartBytes);
    }
    try {
      return new Scan(tracesData, policy).run(maxPartBytes, wholeIfSingle);
    } catch (InvalidProtocolBufferException e) {
      throw OtlpProtoCodec.malformed(tracesData, e);
    } catch (IOException e) {
      throw new MalformedOtlpException("OTLP protobuf cannot be read: " + e.getMessage(), e);
    }
  }

  /**
   * The IDs of the traces with a span whose status code is ERROR (OTLP {@code Status.code} 2,
   * opentelemetry-proto trace.proto), read at the wire level: of each span only its trace ID (field
   * 1) and status (field 15) are read, everything else skipped unread. Spans whose trace ID is not
   * 16 bytes or is all zero are left out ({@link #split} rejects them).
   *
   * @throws MalformedOtlpException if the bytes are not valid protobuf of the OTLP shape
   */
  public static Set<TraceId> tracesWithErrors(byte[] tracesData) {
    Set<TraceId> out = new HashSet<>();
    try {
      WireReader request = new WireReader(tracesData, 0, tracesData.length);
      while (request.hasMore()) {
        int tag = request.readTag();
        if (tag != tag(1, LEN)) {
          request.skipField(tag);
          continue;
        }
        WireReader resourceSpans = nested(request, tracesData);
        while (resourceSpans.hasMore()) {
          int rTag = resourceSpans.readTag();
          if (rTag != tag(2, LEN)) {
            resourceSpans.skipField(rTag);
            continue;
          }
          WireReader scopeSpans = nested(resourceSpans, tracesData);
          while (scopeSpans.hasMore()) {
            int sTag = scopeSpans.readTag();
            if (sTag != tag(2, LEN)) {
              scopeSpans.skipField(sTag);
              continue;
            }
            WireReader span = nested(scopeSpans, tracesData);
            int traceIdAt = -1;
            int traceIdLength = 0;
            boolean error = false;
            while (span.hasMore()) {
              int field = span.readTag();
              if (field == tag(1, LEN)) {
                traceIdLength = span.readLength();
                traceIdAt = span.position();
                span.skip(traceIdLength);
              } else if (field == tag(15, LEN)) {
                WireReader status = nested(span, tracesData);
                while (status.hasMore()) {
                  int statusTag = status.readTag();
                  if (statusTag == tag(3, WireReader.VARINT)) {
                    error = status.readVarint() == 2;
                  } else {
                    status.skipField(statusTag);
                  }
                }
              } else {
                span.skipField(field);
              }
            }
            if (error && traceIdAt >= 0 && traceIdLength == TraceId.BYTES) {
              try {
                out.add(TraceId.fromBytes(tracesData, traceIdAt));
              } catch (InvalidIdException e) {
                // an all-zero trace ID: the split rejects the span
              }
            }
          }
        }
      }
    } catch (InvalidProtocolBufferException e) {
      throw OtlpProtoCodec.malformed(tracesData, e);
    }
    return out;
  }

  /** A reader over the length-delimited field at the cursor, which moves past it. */
  private static WireReader nested(WireReader in, byte[] buf)
      throws InvalidProtocolBufferException {
    int length = in.readLength();
    WireReader inner = new WireReader(buf, in.position(), length);
    in.skip(length);
    return inner;
  }

  /** A byte range of the request (or of a rewritten span). */
  private record Slice(byte[] buf, int off, int len) {
    static final Slice NONE = new Slice(new byte[0], 0, 0);

    int fieldSize() {
      return len == 0 ? 0 : 1 + CodedOutputStream.computeUInt32SizeNoTag(len) + len;
    }
  }

  private static final class ResourceGroup {
    final int index;
    Slice resource = Slice.NONE;
    boolean hasResource;
    Slice schemaUrl = Slice.NONE;

    ResourceGroup(int index) {
      this.index = index;
    }
  }

  private static final class ScopeGroup {
    final ResourceGroup resource;
    final int index;
    Slice scope = Slice.NONE;
    boolean hasScope;
    Slice schemaUrl = Slice.NONE;

    ScopeGroup(ResourceGroup resource, int index) {
      this.resource = resource;
      this.index = index;
    }
  }

  private record Entry(ScopeGroup scope, Slice span) {}

  private static final class Scan {
    private final byte[] buf;
    private final SpanPolicy policy;
    private final byte[][] watched;
    // Cursors reused for every KeyValue and AnyValue: a request holds thousands of attributes.
    private final WireReader keyValue;
    private final WireReader anyValue;
    private final Map<TraceId, List<Entry>> traces = new LinkedHashMap<>();
    private final List<SpanRejection> rejections = new ArrayList<>();
    private int dropped;
    private int kept;
    private boolean rewritten;

    Scan(byte[] buf, SpanPolicy policy) {
      this.buf = buf;
      this.policy = policy;
      this.watched =
          policy.watchedKeys().stream()
              .map(k -> k.getBytes(StandardCharsets.UTF_8))
              .toArray(byte[][]::new);
      this.keyValue = new WireReader(buf, 0, 0);
      this.anyValue = new WireReader(buf, 0, 0);
    }

    WireSplit run(int maxPartBytes, boolean wholeIfSingle) throws IOException {
      WireReader in = new WireReader(buf, 0, buf.length);
      int r = 0;
      while (in.hasMore()) {
        int tag = in.readTag();
        if (tag == tag(1, LEN)) {
          readResourceSpans(slice(in), r++);
        } else {
          in.skipField(tag);
        }
      }
      if (wholeIfSingle
          && traces.size() == 1
          && rejections.isEmpty()
          && dropped == 0
          && !rewritten
          && buf.length <= maxPartBytes) {
        TraceId only = traces.keySet().iterator().next();
        return new WireSplit(List.of(new TracePart(only, buf, kept)), rejections, kept, dropped);
      }
      List<TracePart> parts = new ArrayList<>();
      for (Map.Entry<TraceId, List<Entry>> trace : traces.entrySet()) {
        pack(trace.getKey(), trace.getValue(), maxPartBytes, parts);
      }
      return new WireSplit(parts, rejections, kept, dropped);
    }

    /** The length-delimited field at the cursor, which moves past it. */
    private Slice slice(WireReader in) throws IOException {
      int len = in.readLength();
      Slice s = new Slice(buf, in.position(), len);
      in.skip(len);
      return s;
    }

    private WireReader reader(Slice s) {
      return new WireReader(buf, s.off, s.len);
    }

    private void readResourceSpans(Slice rs, int r) throws IOException {
      ResourceGroup group = new ResourceGroup(r);
      List<Slice> scopeSpans = new ArrayList<>();
      WireReader in = reader(rs);
      while (in.hasMore()) {
        int tag = in.readTag();
        switch (tag) {
          case (1 << 3) | LEN -> {
            group.resource = slice(in);
            group.hasResource = true;
          }
          case (2 << 3) | LEN -> scopeSpans.add(slice(in));
          case (3 << 3) | LEN -> group.schemaUrl = slice(in);
          default -> in.skipField(tag);
        }
      }
      if (group.hasResource && watched.length > 0 && hasWatchedKey(group.resource)) {
        group.resource = rewriteResource(group);
      }
      for (int s = 0; s < scopeSpans.size(); s++) {
        readScopeSpans(scopeSpans.get(s), group, s);
      }
    }

    private void readScopeSpans(Slice ss, ResourceGroup resource, int s) throws IOException {
      ScopeGroup group = new ScopeGroup(resource, s);
      WireReader in = reader(ss);
      int index = 0;
      while (in.hasMore()) {
        int tag = in.readTag();
        switch (tag) {
          case (1 << 3) | LEN -> {
            group.scope = slice(in);
            group.hasScope = true;
          }
          // a span needs only its group's indexes, so it is scanned where it stands
          case (2 << 3) | LEN -> readSpan(slice(in), group, index++);
          case (3 << 3) | LEN -> group.schemaUrl = slice(in);
          default -> in.skipField(tag);
        }
      }
    }

    /** Scans one span and files it under its trace, or rejects or drops it. */
    private void readSpan(Slice span, ScopeGroup scope, int index) throws IOException {
      Facts f = new Facts();
      WireReader in = reader(span);
      while (in.hasMore()) {
        int tag = in.readTag();
        switch (tag) {
          case (1 << 3) | LEN -> f.traceId = slice(in);
          case (2 << 3) | LEN -> f.spanId = slice(in);
          case (4 << 3) | LEN -> f.parentId = slice(in);
          case (7 << 3) | WireReader.FIXED64 -> f.start = in.readFixed64();
          case (8 << 3) | WireReader.FIXED64 -> f.end = in.readFixed64();
          case (9 << 3) | LEN -> {
            f.attributes++;
            scanKeyValue(in, f);
          }
          case (11 << 3) | LEN -> {
            f.events++;
            f.maxNested = Math.max(f.maxNested, scanAttributes(reader(slice(in)), 3, f));
          }
          case (13 << 3) | LEN -> {
            f.links++;
            f.maxNested = Math.max(f.maxNested, scanAttributes(reader(slice(in)), 4, f));
          }
          default -> in.skipField(tag);
        }
      }
      TraceId traceId;
      try {
        traceId = traceId(f.traceId);
        spanId(f.spanId, "span ID");
        if (f.parentId != null && f.parentId.len != 0 && f.parentId.len != SpanId.BYTES) {
          throw new InvalidIdException(
              "parent span ID has " + f.parentId.len + " bytes; it must be empty or 8 bytes");
        }
      } catch (InvalidIdException e) {
        String where = OtlpProtoMapper.spanPath(scope.resource.index, scope.index, index);
        rejections.add(new SpanRejection(reasonOf(e.getMessage()), where + ": " + e.getMessage()));
        return;
      }
      if (f.badLink != null) {
        String where = OtlpProtoMapper.spanPath(scope.resource.index, scope.index, index);
        rejections.add(new SpanRejection("invalid_link", where + ": " + f.badLink));
        return;
      }
      SpanFacts facts =
          new SpanFacts(
              traceId,
              f.start,
              f.end,
              f.attributes,
              f.events,
              f.links,
              f.maxNested,
              f.maxValue,
              f.watched);
      Verdict verdict = policy.judge(facts);
      switch (verdict.kind()) {
        case KEEP -> add(traceId, scope, span);
        case REWRITE -> {
          rewritten = true;
          add(traceId, scope, rewrite(span));
        }
        case REJECT -> {
          String where = OtlpProtoMapper.spanPath(scope.resource.index, scope.index, index);
          rejections.add(new SpanRejection(verdict.reason(), where + ": " + verdict.reason()));
        }
        case DROP -> dropped++;
      }
    }

    private void add(TraceId traceId, ScopeGroup scope, Slice span) {
      traces.computeIfAbsent(traceId, t -> new ArrayList<>()).add(new Entry(scope, span));
      kept++;
    }

    private static final class Facts {
      Slice traceId;
      Slice spanId;
      Slice parentId;
      long start;
      long end;
      int attributes;
      int events;
      int links;
      int maxNested;
      int maxValue;
      boolean watched;
      String badLink;
    }

    /**
     * Scans an event (attributes in field 3), link (field 4; IDs in fields 1 and 2) or resource
     * (field 1), returning its attribute count.
     */
    private int scanAttributes(WireReader in, int field, Facts f) throws IOException {
      int count = 0;
      boolean link = field == 4;
      Slice trace = null;
      Slice span = null;
      while (in.hasMore()) {
        int tag = in.readTag();
        if (tag == tag(field, LEN)) {
          count++;
          scanKeyValue(in, f);
        } else if (link && tag == tag(1, LEN)) {
          trace = slice(in);
        } else if (link && tag == tag(2, LEN)) {
          span = slice(in);
        } else {
          in.skipField(tag);
        }
      }
      if (link && f.badLink == null) {
        try {
          traceId(trace);
          spanId(span, "span ID");
        } catch (InvalidIdException e) {
          f.badLink = "link " + e.getMessage();
        }
      }
      return count;
    }

    /**
     * Notes the value size of the KeyValue at the cursor, and whether its key is watched; the
     * cursor moves past it.
     */
    private void scanKeyValue(WireReader at, Facts f) throws IOException {
      int length = at.readLength();
      WireReader in = keyValue.reset(at.position(), length);
      at.skip(length);
      while (in.hasMore()) {
        int tag = in.readTag();
        if (tag == tag(1, LEN)) {
          int len = in.readLength();
          if (!f.watched && watched.length > 0 && isWatched(in.position(), len)) {
            f.watched = true;
          }
          in.skip(len);
        } else if (tag == tag(2, LEN)) {
          int valueLength = in.readLength();
          WireReader value = anyValue.reset(in.position(), valueLength);
          in.skip(valueLength);
          while (value.hasMore()) {
            int valueTag = value.readTag();
            if ((valueTag & 7) == LEN) {
              int len = value.readLength();
              f.maxValue = Math.max(f.maxValue, len);
              value.skip(len);
            } else {
              value.skipField(valueTag);
            }
          }
        } else {
          in.skipField(tag);
        }
      }
    }

    private boolean isWatched(int off, int len) {
      for (byte[] w : watched) {
        if (w.length == len && java.util.Arrays.equals(w, 0, w.length, buf, off, off + len)) {
          return true;
        }
      }
      return false;
    }

    /** Whether a resource has a watched attribute key (resource attributes are field 1). */
    private boolean hasWatchedKey(Slice resource) throws IOException {
      Facts f = new Facts();
      scanAttributes(reader(resource), 1, f);
      return f.watched;
    }

    private Slice rewriteResource(ResourceGroup group) throws IOException {
      io.opentelemetry.proto.resource.v1.Resource proto =
          io.opentelemetry.proto.resource.v1.Resource.parseFrom(
              CodedInputStream.newInstance(buf, group.resource.off, group.resource.len));
      Resource model =
          OtlpProtoMapper.toResource(ResourceSpans.newBuilder().setResource(proto).build());
      byte[] bytes = OtlpProtoMapper.toProto(policy.rewriteResource(model)).toByteArray();
      return new Slice(bytes, 0, bytes.length);
    }

    private Slice rewrite(Slice span) throws IOException {
      io.opentelemetry.proto.trace.v1.Span proto =
          io.opentelemetry.proto.trace.v1.Span.parseFrom(
              CodedInputStream.newInstance(span.buf, span.off, span.len));
      Span model =
          OtlpProtoMapper.toSpan(
              proto,
              io.spanline.schemas.model.Resource.EMPTY,
              io.spanline.schemas.model.InstrumentationScope.EMPTY);
      byte[] bytes = OtlpProtoMapper.toProto(policy.rewrite(model)).toByteArray();
      return new Slice(bytes, 0, bytes.length);
    }

    // ---- packing parts ----

    private void pack(TraceId traceId, List<Entry> entries, int maxPartBytes, List<TracePart> out) {
      List<Entry> part = new ArrayList<>();
      long estimate = 0;
      ScopeGroup lastScope = null;
      for (Entry e : entries) {
        long added = e.span.fieldSize();
        if (e.scope != lastScope) {
          added += CONTAINER_OVERHEAD + e.scope.scope.fieldSize() + e.scope.schemaUrl.fieldSize();
          if (lastScope == null || e.scope.resource != lastScope.resource) {
            added +=
                CONTAINER_OVERHEAD
                    + e.scope.resource.resource.fieldSize()
                    + e.scope.resource.schemaUrl.fieldSize();
          }
        }
        if (!part.isEmpty() && estimate + added > maxPartBytes) {
          out.add(encode(traceId, part));
          part = new ArrayList<>();
          estimate = 0;
          lastScope = null;
          added =
              e.span.fieldSize()
                  + 2L * CONTAINER_OVERHEAD
                  + e.scope.scope.fieldSize()
                  + e.scope.schemaUrl.fieldSize()
                  + e.scope.resource.resource.fieldSize()
                  + e.scope.resource.schemaUrl.fieldSize();
        }
        part.add(e);
        estimate += added;
        lastScope = e.scope;
      }
      if (!part.isEmpty()) {
        out.add(encode(traceId, part));
      }
    }

    /**
     * Writes runs of spans under their scope and resource: TracesData{ResourceSpans{ScopeSpans}}.
     */
    private static TracePart encode(TraceId traceId, List<Entry> entries) {
      // group consecutive entries: resource runs holding scope runs
      List<List<List<Entry>>> resources = new ArrayList<>();
      ScopeGroup lastScope = null;
      for (Entry e : entries) {
        if (lastScope == null || e.scope.resource != lastScope.resource) {
          resources.add(new ArrayList<>());
        }
        List<List<Entry>> scopes = resources.get(resources.size() - 1);
        if (e.scope != lastScope || scopes.isEmpty()) {
          scopes.add(new ArrayList<>());
        }
        scopes.get(scopes.size() - 1).add(e);
        lastScope = e.scope;
      }
      int total = 0;
      int[][] scopeSizes = new int[resources.size()][];
      int[] resourceSizes = new int[resources.size()];
      for (int r = 0; r < resources.size(); r++) {
        List<List<Entry>> scopes = resources.get(r);
        ResourceGroup rg = scopes.get(0).get(0).scope.resource;
        int rBody = resourceField(rg) + rg.schemaUrl.fieldSize();
        scopeSizes[r] = new int[scopes.size()];
        for (int s = 0; s < scopes.size(); s++) {
          ScopeGroup sg = scopes.get(s).get(0).scope;
          int sBody = scopeField(sg) + sg.schemaUrl.fieldSize();
          for (Entry e : scopes.get(s)) {
            sBody += e.span.fieldSize();
          }
          scopeSizes[r][s] = sBody;
          rBody += 1 + CodedOutputStream.computeUInt32SizeNoTag(sBody) + sBody;
        }
        resourceSizes[r] = rBody;
        total += 1 + CodedOutputStream.computeUInt32SizeNoTag(rBody) + rBody;
      }
      byte[] out = new byte[total];
      CodedOutputStream o = CodedOutputStream.newInstance(out);
      int spans = 0;
      try {
        for (int r = 0; r < resources.size(); r++) {
          List<List<Entry>> scopes = resources.get(r);
          ResourceGroup rg = scopes.get(0).get(0).scope.resource;
          o.writeTag(1, LEN);
          o.writeUInt32NoTag(resourceSizes[r]);
          if (rg.hasResource) {
            writeField(o, 1, rg.resource);
          }
          for (int s = 0; s < scopes.size(); s++) {
            ScopeGroup sg = scopes.get(s).get(0).scope;
            o.writeTag(2, LEN);
            o.writeUInt32NoTag(scopeSizes[r][s]);
            if (sg.hasScope) {
              writeField(o, 1, sg.scope);
            }
            for (Entry e : scopes.get(s)) {
              writeField(o, 2, e.span);
              spans++;
            }
            writeNonEmpty(o, 3, sg.schemaUrl);
          }
          writeNonEmpty(o, 3, rg.schemaUrl);
        }
        o.checkNoSpaceLeft();
      } catch (IOException e) {
        throw new IllegalStateException("OTLP part size was miscalculated", e);
      }
      return new TracePart(traceId, out, spans);
    }

    private static int resourceField(ResourceGroup rg) {
      return rg.hasResource
          ? 1 + CodedOutputStream.computeUInt32SizeNoTag(rg.resource.len) + rg.resource.len
          : 0;
    }

    private static int scopeField(ScopeGroup sg) {
      return sg.hasScope
          ? 1 + CodedOutputStream.computeUInt32SizeNoTag(sg.scope.len) + sg.scope.len
          : 0;
    }

    private static void writeField(CodedOutputStream o, int field, Slice s) throws IOException {
      o.writeTag(field, LEN);
      o.writeUInt32NoTag(s.len);
      o.writeRawBytes(s.buf, s.off, s.len);
    }

    private static void writeNonEmpty(CodedOutputStream o, int field, Slice s) throws IOException {
      if (s.len > 0) {
        writeField(o, field, s);
      }
    }
  }

  private static int tag(int field, int wireType) {
    return (field << 3) | wireType;
  }

  private static TraceId traceId(Slice s) {
    if (s == null || s.len != TraceId.BYTES) {
      throw new InvalidIdException(
          "trace ID has " + (s == null ? 0 : s.len) + " bytes; it must be 16 bytes, not all zero");
    }
    return TraceId.fromBytes(s.buf, s.off);
  }

  private static void spanId(Slice s, String what) {
    if (s == null || s.len != SpanId.BYTES) {
      throw new InvalidIdException(
          what + " has " + (s == null ? 0 : s.len) + " bytes; it must be 8 bytes, not all zero");
    }
    SpanId.fromBytes(s.buf, s.off);
  }

  private static String reasonOf(String message) {
    if (message.startsWith("parent span ID")) {
      return "invalid_parent_span_id";
    }
    return message.startsWith("trace ID") ? "invalid_trace_id" : "invalid_span_id";
  }
}
