package io.spanline.schemas.codec.otlp;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.InstrumentationScope;
import io.spanline.schemas.model.InvalidIdException;
import io.spanline.schemas.model.Resource;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanEvent;
import io.spanline.schemas.model.SpanId;
import io.spanline.schemas.model.SpanKind;
import io.spanline.schemas.model.SpanLink;
import io.spanline.schemas.model.Status;
import io.spanline.schemas.model.StatusCode;
import io.spanline.schemas.model.TraceId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Maps OTLP protobuf messages to the model and back. */
final class OtlpProtoMapper {
  private OtlpProtoMapper() {}

  // ---- protobuf -> model ----

  /**
   * @throws InvalidIdException naming the span's position when an ID breaks the OTLP rules
   */
  static List<Span> toSpans(TracesData data) {
    return toSpans(data, null);
  }

  /** Spans with invalid IDs go to {@code rejections}, or throw when it is null. */
  static List<Span> toSpans(TracesData data, List<SpanRejection> rejections) {
    List<Span> out = new ArrayList<>();
    for (int r = 0; r < data.getResourceSpansCount(); r++) {
      ResourceSpans rs = data.getResourceSpans(r);
      Resource resource = toResource(rs);
      for (int s = 0; s < rs.getScopeSpansCount(); s++) {
        ScopeSpans ss = rs.getScopeSpans(s);
        InstrumentationScope scope = toScope(ss);
        for (int i = 0; i < ss.getSpansCount(); i++) {
          try {
            out.add(toSpan(ss.getSpans(i), resource, scope));
          } catch (InvalidIdException e) {
            String detail = spanPath(r, s, i) + ": " + e.getMessage();
            if (rejections == null) {
              throw new InvalidIdException(detail);
            }
            rejections.add(new SpanRejection(reasonOf(e), detail));
          }
        }
      }
    }
    return out;
  }

  private static String reasonOf(InvalidIdException e) {
    String message = e.getMessage();
    if (message.startsWith("links[")) {
      return "invalid_link";
    }
    if (message.startsWith("parent span ID")) {
      return "invalid_parent_span_id";
    }
    return message.startsWith("trace ID") ? "invalid_trace_id" : "invalid_span_id";
  }

  static String spanPath(int resourceIndex, int scopeIndex, int spanIndex) {
    return "resourceSpans["
        + resourceIndex
        + "].scopeSpans["
        + scopeIndex
        + "].spans["
        + spanIndex
        + "]";
  }

  static Resource toResource(ResourceSpans rs) {
    io.opentelemetry.proto.resource.v1.Resource r = rs.getResource();
    return new Resource(
        toAttributes(r.getAttributesList()), r.getDroppedAttributesCount(), rs.getSchemaUrl());
  }

  static InstrumentationScope toScope(ScopeSpans ss) {
    io.opentelemetry.proto.common.v1.InstrumentationScope s = ss.getScope();
    return new InstrumentationScope(
        s.getName(),
        s.getVersion(),
        toAttributes(s.getAttributesList()),
        s.getDroppedAttributesCount(),
        ss.getSchemaUrl());
  }

  static Span toSpan(
      io.opentelemetry.proto.trace.v1.Span p, Resource resource, InstrumentationScope scope) {
    List<SpanEvent> events = new ArrayList<>(p.getEventsCount());
    for (io.opentelemetry.proto.trace.v1.Span.Event e : p.getEventsList()) {
      events.add(
          new SpanEvent(
              e.getTimeUnixNano(),
              e.getName(),
              toAttributes(e.getAttributesList()),
              e.getDroppedAttributesCount()));
    }
    List<SpanLink> links = new ArrayList<>(p.getLinksCount());
    for (int i = 0; i < p.getLinksCount(); i++) {
      io.opentelemetry.proto.trace.v1.Span.Link l = p.getLinks(i);
      try {
        links.add(
            new SpanLink(
                traceId(l.getTraceId()),
                spanId(l.getSpanId()),
                l.getTraceState(),
                toAttributes(l.getAttributesList()),
                l.getDroppedAttributesCount(),
                l.getFlags()));
      } catch (InvalidIdException e) {
        throw new InvalidIdException("links[" + i + "]: " + e.getMessage());
      }
    }
    return new Span(
        traceId(p.getTraceId()),
        spanId(p.getSpanId()),
        parentSpanId(p.getParentSpanId()),
        p.getTraceState(),
        p.getFlags(),
        p.getName(),
        SpanKind.fromOtlpNumber(p.getKindValue()),
        p.getStartTimeUnixNano(),
        p.getEndTimeUnixNano(),
        toAttributes(p.getAttributesList()),
        p.getDroppedAttributesCount(),
        events,
        p.getDroppedEventsCount(),
        links,
        p.getDroppedLinksCount(),
        new Status(
            StatusCode.fromOtlpNumber(p.getStatus().getCodeValue()), p.getStatus().getMessage()),
        resource,
        scope);
  }

  static TraceId traceId(ByteString bytes) {
    if (bytes.size() != TraceId.BYTES) {
      throw new InvalidIdException(
          "trace ID has " + bytes.size() + " bytes; it must be 16 bytes, not all zero");
    }
    return new TraceId(readLong(bytes, 0), readLong(bytes, 8));
  }

  static SpanId spanId(ByteString bytes) {
    if (bytes.size() != SpanId.BYTES) {
      throw new InvalidIdException(
          "span ID has " + bytes.size() + " bytes; it must be 8 bytes, not all zero");
    }
    return new SpanId(readLong(bytes, 0));
  }

  /** Empty (or all-zero) means "no parent", as OTLP defines for root spans. */
  static SpanId parentSpanId(ByteString bytes) {
    if (bytes.isEmpty()) {
      return null;
    }
    if (bytes.size() != SpanId.BYTES) {
      throw new InvalidIdException(
          "parent span ID has " + bytes.size() + " bytes; it must be empty or 8 bytes");
    }
    long value = readLong(bytes, 0);
    return value == 0 ? null : new SpanId(value);
  }

  private static long readLong(ByteString bytes, int offset) {
    long value = 0;
    for (int i = offset; i < offset + 8; i++) {
      value = (value << 8) | (bytes.byteAt(i) & 0xffL);
    }
    return value;
  }

  static List<Attribute> toAttributes(List<KeyValue> kvs) {
    if (kvs.isEmpty()) {
      return List.of();
    }
    List<Attribute> out = new ArrayList<>(kvs.size());
    for (KeyValue kv : kvs) {
      out.add(new Attribute(kv.getKey(), toValue(kv.getValue())));
    }
    return out;
  }

  static AnyValue toValue(io.opentelemetry.proto.common.v1.AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> AnyValue.of(v.getStringValue());
      case BOOL_VALUE -> AnyValue.of(v.getBoolValue());
      case INT_VALUE -> AnyValue.of(v.getIntValue());
      case DOUBLE_VALUE -> AnyValue.of(v.getDoubleValue());
      case BYTES_VALUE -> AnyValue.ofBytes(v.getBytesValue().toByteArray());
      case ARRAY_VALUE -> {
        List<AnyValue> values = new ArrayList<>(v.getArrayValue().getValuesCount());
        for (io.opentelemetry.proto.common.v1.AnyValue e : v.getArrayValue().getValuesList()) {
          values.add(toValue(e));
        }
        yield AnyValue.ofArray(values);
      }
      case KVLIST_VALUE -> AnyValue.ofKeyValues(toAttributes(v.getKvlistValue().getValuesList()));
      // string_value_strindex is only used by OTLP profiles' dictionaries, never in traces.
      case STRING_VALUE_STRINDEX, VALUE_NOT_SET -> AnyValue.EMPTY;
    };
  }

  // ---- model -> protobuf ----

  /**
   * Groups spans under one {@code ResourceSpans} per distinct resource and one {@code ScopeSpans}
   * per distinct scope within it, in order of first appearance; spans keep their relative order.
   */
  static TracesData toTracesData(List<Span> spans) {
    Map<Resource, Map<InstrumentationScope, ScopeSpans.Builder>> groups = new LinkedHashMap<>();
    Resource lastResource = null;
    InstrumentationScope lastScope = null;
    ScopeSpans.Builder current = null;
    for (Span span : spans) {
      // Spans of one request share resource and scope instances: skip hashing while they repeat.
      if (span.resource() != lastResource || span.scope() != lastScope) {
        lastResource = span.resource();
        lastScope = span.scope();
        current =
            groups
                .computeIfAbsent(lastResource, r -> new LinkedHashMap<>())
                .computeIfAbsent(lastScope, OtlpProtoMapper::scopeSpansFor);
      }
      current.addSpans(toProto(span));
    }
    TracesData.Builder out = TracesData.newBuilder();
    groups.forEach(
        (resource, scopes) -> {
          ResourceSpans.Builder rs =
              ResourceSpans.newBuilder()
                  .setResource(toProto(resource))
                  .setSchemaUrl(resource.schemaUrl());
          scopes.values().forEach(rs::addScopeSpans);
          out.addResourceSpans(rs);
        });
    return out.build();
  }

  private static ScopeSpans.Builder scopeSpansFor(InstrumentationScope scope) {
    return ScopeSpans.newBuilder()
        .setScope(
            io.opentelemetry.proto.common.v1.InstrumentationScope.newBuilder()
                .setName(scope.name())
                .setVersion(scope.version())
                .addAllAttributes(toProto(scope.attributes()))
                .setDroppedAttributesCount(scope.droppedAttributesCount()))
        .setSchemaUrl(scope.schemaUrl());
  }

  static io.opentelemetry.proto.resource.v1.Resource toProto(Resource resource) {
    return io.opentelemetry.proto.resource.v1.Resource.newBuilder()
        .addAllAttributes(toProto(resource.attributes()))
        .setDroppedAttributesCount(resource.droppedAttributesCount())
        .build();
  }

  static io.opentelemetry.proto.trace.v1.Span toProto(Span s) {
    io.opentelemetry.proto.trace.v1.Span.Builder b =
        io.opentelemetry.proto.trace.v1.Span.newBuilder()
            .setTraceId(ByteString.copyFrom(s.traceId().toBytes()))
            .setSpanId(ByteString.copyFrom(s.spanId().toBytes()))
            .setTraceState(s.traceState())
            .setFlags(s.flags())
            .setName(s.name())
            .setKindValue(s.kind().otlpNumber())
            .setStartTimeUnixNano(s.startEpochNanos())
            .setEndTimeUnixNano(s.endEpochNanos())
            .addAllAttributes(toProto(s.attributes()))
            .setDroppedAttributesCount(s.droppedAttributesCount())
            .setDroppedEventsCount(s.droppedEventsCount())
            .setDroppedLinksCount(s.droppedLinksCount());
    if (s.parentSpanId() != null) {
      b.setParentSpanId(ByteString.copyFrom(s.parentSpanId().toBytes()));
    }
    for (SpanEvent e : s.events()) {
      b.addEvents(
          io.opentelemetry.proto.trace.v1.Span.Event.newBuilder()
              .setTimeUnixNano(e.epochNanos())
              .setName(e.name())
              .addAllAttributes(toProto(e.attributes()))
              .setDroppedAttributesCount(e.droppedAttributesCount()));
    }
    for (SpanLink l : s.links()) {
      b.addLinks(
          io.opentelemetry.proto.trace.v1.Span.Link.newBuilder()
              .setTraceId(ByteString.copyFrom(l.traceId().toBytes()))
              .setSpanId(ByteString.copyFrom(l.spanId().toBytes()))
              .setTraceState(l.traceState())
              .addAllAttributes(toProto(l.attributes()))
              .setDroppedAttributesCount(l.droppedAttributesCount())
              .setFlags(l.flags()));
    }
    if (!s.status().equals(Status.UNSET)) {
      b.setStatus(
          io.opentelemetry.proto.trace.v1.Status.newBuilder()
              .setCodeValue(s.status().code().otlpNumber())
              .setMessage(s.status().message()));
    }
    return b.build();
  }

  static List<KeyValue> toProto(List<Attribute> attributes) {
    if (attributes.isEmpty()) {
      return List.of();
    }
    List<KeyValue> out = new ArrayList<>(attributes.size());
    for (Attribute a : attributes) {
      out.add(KeyValue.newBuilder().setKey(a.key()).setValue(toProto(a.value())).build());
    }
    return out;
  }

  static io.opentelemetry.proto.common.v1.AnyValue toProto(AnyValue value) {
    io.opentelemetry.proto.common.v1.AnyValue.Builder b =
        io.opentelemetry.proto.common.v1.AnyValue.newBuilder();
    if (value instanceof AnyValue.StringValue v) {
      b.setStringValue(v.value());
    } else if (value instanceof AnyValue.BoolValue v) {
      b.setBoolValue(v.value());
    } else if (value instanceof AnyValue.LongValue v) {
      b.setIntValue(v.value());
    } else if (value instanceof AnyValue.DoubleValue v) {
      b.setDoubleValue(v.value());
    } else if (value instanceof AnyValue.BytesValue v) {
      b.setBytesValue(ByteString.copyFrom(v.value()));
    } else if (value instanceof AnyValue.ArrayValue v) {
      ArrayValue.Builder array = ArrayValue.newBuilder();
      for (AnyValue e : v.values()) {
        array.addValues(toProto(e));
      }
      b.setArrayValue(array);
    } else if (value instanceof AnyValue.KeyValueList v) {
      b.setKvlistValue(KeyValueList.newBuilder().addAllValues(toProto(v.values())));
    }
    return b.build();
  }
}
