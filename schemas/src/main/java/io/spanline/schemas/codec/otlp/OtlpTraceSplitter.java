package io.spanline.schemas.codec.otlp;

import com.google.protobuf.CodedOutputStream;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.spanline.schemas.codec.MalformedOtlpException;
import io.spanline.schemas.model.InvalidIdException;
import io.spanline.schemas.model.TraceId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits OTLP {@code TracesData} protobuf at the byte level, without building the model: first by
 * trace ID (one part per trace, in order of first appearance), then, where a part is larger than a
 * byte limit, into several parts under the limit. Every span lands in exactly one part, with its
 * resource, scope and schema URLs, and spans keep their relative order.
 */
public final class OtlpTraceSplitter {
  /** Worst-case bytes of a field tag plus a length prefix around a nested message. */
  private static final int CONTAINER_OVERHEAD = 1 + 5;

  private OtlpTraceSplitter() {}

  /**
   * Splits by trace ID, then each trace under {@code maxPartBytes}.
   *
   * @param maxPartBytes largest encoded part wanted, e.g. the topic's max.message.bytes less room
   *     for the record's key and headers; a single span that alone exceeds it is returned in a part
   *     of its own, larger than the limit, for the caller to reject
   * @throws MalformedOtlpException if the bytes are not valid {@code TracesData} protobuf
   * @throws InvalidIdException if a span's trace ID is not 16 bytes or is all zero
   * @throws IllegalArgumentException if {@code maxPartBytes} is not positive
   */
  public static List<TracePart> split(byte[] tracesData, int maxPartBytes) {
    if (maxPartBytes <= 0) {
      throw new IllegalArgumentException("maxPartBytes must be > 0, was " + maxPartBytes);
    }
    List<TracePart> out = new ArrayList<>();
    for (TracePart part : splitByTrace(tracesData)) {
      if (part.sizeBytes() <= maxPartBytes) {
        out.add(part);
      } else {
        out.addAll(splitBySize(part, maxPartBytes));
      }
    }
    return out;
  }

  /**
   * One part per trace ID. When every span already belongs to one trace, the input bytes are
   * returned as they are, not re-encoded.
   *
   * @throws MalformedOtlpException if the bytes are not valid {@code TracesData} protobuf
   * @throws InvalidIdException if a span's trace ID is not 16 bytes or is all zero
   */
  public static List<TracePart> splitByTrace(byte[] tracesData) {
    TracesData data = OtlpProtoCodec.parse(tracesData);
    Map<TraceId, Accumulator> traces = new LinkedHashMap<>();
    Accumulator last = null;
    for (int r = 0; r < data.getResourceSpansCount(); r++) {
      ResourceSpans rs = data.getResourceSpans(r);
      for (int s = 0; s < rs.getScopeSpansCount(); s++) {
        ScopeSpans ss = rs.getScopeSpans(s);
        for (int i = 0; i < ss.getSpansCount(); i++) {
          Span span = ss.getSpans(i);
          TraceId traceId;
          try {
            traceId = OtlpProtoMapper.traceId(span.getTraceId());
          } catch (InvalidIdException e) {
            throw new InvalidIdException(OtlpProtoMapper.spanPath(r, s, i) + ": " + e.getMessage());
          }
          if (last == null || !last.traceId.equals(traceId)) {
            last = traces.computeIfAbsent(traceId, Accumulator::new);
          }
          last.add(r, rs, s, ss, span);
        }
      }
    }
    if (traces.size() == 1) {
      Accumulator only = last;
      return List.of(new TracePart(only.traceId, tracesData, only.spanCount));
    }
    List<TracePart> out = new ArrayList<>(traces.size());
    for (Accumulator a : traces.values()) {
      out.add(new TracePart(a.traceId, a.data.build().toByteArray(), a.spanCount));
    }
    return out;
  }

  /**
   * Splits one trace's part into parts of at most {@code maxPartBytes}, packing spans greedily in
   * order. Sizes are bounded from above (length prefixes counted at their widest), so every part
   * but a lone oversized span fits.
   *
   * @throws IllegalArgumentException if {@code maxPartBytes} is not positive
   */
  public static List<TracePart> splitBySize(TracePart part, int maxPartBytes) {
    if (maxPartBytes <= 0) {
      throw new IllegalArgumentException("maxPartBytes must be > 0, was " + maxPartBytes);
    }
    if (part.sizeBytes() <= maxPartBytes) {
      return List.of(part);
    }
    TracesData data = OtlpProtoCodec.parse(part.tracesData());
    List<TracePart> out = new ArrayList<>();
    Accumulator current = new Accumulator(part.traceId());
    for (int r = 0; r < data.getResourceSpansCount(); r++) {
      ResourceSpans rs = data.getResourceSpans(r);
      for (int s = 0; s < rs.getScopeSpansCount(); s++) {
        ScopeSpans ss = rs.getScopeSpans(s);
        for (Span span : ss.getSpansList()) {
          long added = current.bytesToAdd(r, rs, s, ss, span);
          if (current.spanCount > 0 && current.estimatedBytes + added > maxPartBytes) {
            out.add(current.toPart());
            current = new Accumulator(part.traceId());
            added = current.bytesToAdd(r, rs, s, ss, span);
          }
          current.add(r, rs, s, ss, span);
          current.estimatedBytes += added;
        }
      }
    }
    if (current.spanCount > 0) {
      out.add(current.toPart());
    }
    return out;
  }

  /** The spans of one trace (or part), regrouped under copies of their resource and scope. */
  private static final class Accumulator {
    final TraceId traceId;
    final TracesData.Builder data = TracesData.newBuilder();
    int spanCount;
    long estimatedBytes;
    private int lastResource = -1;
    private int lastScope = -1;
    private ResourceSpans.Builder resourceSpans;
    private ScopeSpans.Builder scopeSpans;

    Accumulator(TraceId traceId) {
      this.traceId = traceId;
    }

    void add(int r, ResourceSpans rs, int s, ScopeSpans ss, Span span) {
      if (r != lastResource) {
        resourceSpans = data.addResourceSpansBuilder().setSchemaUrl(rs.getSchemaUrl());
        if (rs.hasResource()) {
          resourceSpans.setResource(rs.getResource());
        }
        lastResource = r;
        lastScope = -1;
      }
      if (s != lastScope) {
        scopeSpans = resourceSpans.addScopeSpansBuilder().setSchemaUrl(ss.getSchemaUrl());
        if (ss.hasScope()) {
          scopeSpans.setScope(ss.getScope());
        }
        lastScope = s;
      }
      scopeSpans.addSpans(span);
      spanCount++;
    }

    /** Upper bound of the bytes that adding this span adds to the encoded part. */
    long bytesToAdd(int r, ResourceSpans rs, int s, ScopeSpans ss, Span span) {
      long bytes = CodedOutputStream.computeMessageSize(2, span);
      if (r != lastResource) {
        bytes += CONTAINER_OVERHEAD + CodedOutputStream.computeMessageSize(1, rs.getResource());
        bytes += CodedOutputStream.computeStringSize(3, rs.getSchemaUrl());
      }
      if (r != lastResource || s != lastScope) {
        bytes += CONTAINER_OVERHEAD + CodedOutputStream.computeMessageSize(1, ss.getScope());
        bytes += CodedOutputStream.computeStringSize(3, ss.getSchemaUrl());
      }
      return bytes;
    }

    TracePart toPart() {
      return new TracePart(traceId, data.build().toByteArray(), spanCount);
    }
  }
}
