package io.spanline.schemas.codec.avro;

import io.spanline.schemas.codec.MalformedAvroException;
import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.DecisionOutcome;
import io.spanline.schemas.model.InstrumentationScope;
import io.spanline.schemas.model.Resource;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.schemas.model.ServiceMetrics;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanEvent;
import io.spanline.schemas.model.SpanId;
import io.spanline.schemas.model.SpanKind;
import io.spanline.schemas.model.SpanLink;
import io.spanline.schemas.model.Status;
import io.spanline.schemas.model.StatusCode;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.model.TraceSummary;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps the model to the Avro records generated from {@code src/main/avro} and back. Avro records
 * are written with fully qualified names ({@code io.spanline.avro.*}) where they share a simple
 * name with the model.
 */
final class AvroModelMapper {
  private AvroModelMapper() {}

  // ---- model -> Avro ----

  static io.spanline.avro.ServiceMetrics toAvro(ServiceMetrics m) {
    List<io.spanline.avro.SpanMetric> series = new ArrayList<>(m.spanMetrics().size());
    for (ServiceMetrics.SpanMetric s : m.spanMetrics()) {
      series.add(
          new io.spanline.avro.SpanMetric(
              s.service(),
              s.operation(),
              s.spanKind().name(),
              s.statusCode().name(),
              s.requestCount(),
              s.errorCount(),
              s.durationSumNanos(),
              s.durationBucketCounts()));
    }
    List<io.spanline.avro.ServiceGraphEdge> edges = new ArrayList<>(m.edges().size());
    for (ServiceMetrics.ServiceGraphEdge e : m.edges()) {
      edges.add(
          new io.spanline.avro.ServiceGraphEdge(
              e.client(), e.server(), e.requestCount(), e.errorCount(), e.durationSumNanos()));
    }
    return new io.spanline.avro.ServiceMetrics(
        m.tenant(),
        m.windowStartEpochNanos(),
        m.windowEndEpochNanos(),
        m.durationBucketBoundsNanos(),
        series,
        edges);
  }

  static ServiceMetrics fromAvro(io.spanline.avro.ServiceMetrics m) {
    List<ServiceMetrics.SpanMetric> series = new ArrayList<>(m.getSpanMetrics().size());
    for (io.spanline.avro.SpanMetric s : m.getSpanMetrics()) {
      series.add(
          new ServiceMetrics.SpanMetric(
              s.getService().toString(),
              s.getOperation().toString(),
              SpanKind.valueOf(s.getSpanKind().toString()),
              StatusCode.valueOf(s.getStatusCode().toString()),
              s.getRequestCount(),
              s.getErrorCount(),
              s.getDurationSumNanos(),
              s.getDurationBucketCounts()));
    }
    List<ServiceMetrics.ServiceGraphEdge> edges = new ArrayList<>(m.getEdges().size());
    for (io.spanline.avro.ServiceGraphEdge e : m.getEdges()) {
      edges.add(
          new ServiceMetrics.ServiceGraphEdge(
              e.getClient().toString(),
              e.getServer().toString(),
              e.getRequestCount(),
              e.getErrorCount(),
              e.getDurationSumNanos()));
    }
    return new ServiceMetrics(
        m.getTenant().toString(),
        m.getWindowStartUnixNano(),
        m.getWindowEndUnixNano(),
        m.getDurationBucketBoundsNanos(),
        series,
        edges);
  }

  static io.spanline.avro.AssembledTrace toAvro(AssembledTrace t) {
    TraceSummary s = t.summary();
    // Spans of one request share resource and scope instances: convert each instance once.
    Map<Object, Object> converted = new IdentityHashMap<>();
    ResourceTable table = new ResourceTable();
    List<io.spanline.avro.Resource> resources = new ArrayList<>();
    List<io.spanline.avro.Span> spans = new ArrayList<>(t.spans().size());
    for (Span span : t.spans()) {
      int index = table.indexOf(span.resource());
      if (index == resources.size()) {
        resources.add(toAvro(span.resource()));
      }
      spans.add(toAvro(span, index, converted));
    }
    return new io.spanline.avro.AssembledTrace(
        t.tenant(),
        toAvro(t.traceId()),
        t.fragment(),
        s.rootServiceName(),
        s.rootSpanName(),
        s.startEpochNanos(),
        s.endEpochNanos(),
        s.durationNanos(),
        s.spanCount(),
        s.error(),
        s.services(),
        s.missingParentSpanCount(),
        resources,
        spans);
  }

  static io.spanline.avro.SamplingDecision toAvro(SamplingDecision d) {
    return new io.spanline.avro.SamplingDecision(
        d.tenant(),
        toAvro(d.traceId()),
        io.spanline.avro.DecisionOutcome.valueOf(d.outcome().name()),
        d.policies(),
        d.samplingProbability(),
        d.decidedAtEpochNanos());
  }

  static io.spanline.avro.SampledTrace toAvro(SampledTrace t) {
    return new io.spanline.avro.SampledTrace(toAvro(t.trace()), toAvro(t.decision()));
  }

  /**
   * A span whose resource is entry {@code resourceIndex} of the trace's resources: its own {@code
   * resource} is left empty.
   */
  static io.spanline.avro.Span toAvro(Span s, int resourceIndex, Map<Object, Object> converted) {
    List<io.spanline.avro.SpanEvent> events = new ArrayList<>(s.events().size());
    for (SpanEvent e : s.events()) {
      events.add(
          new io.spanline.avro.SpanEvent(
              e.epochNanos(), e.name(), toAvro(e.attributes()), e.droppedAttributesCount()));
    }
    List<io.spanline.avro.SpanLink> links = new ArrayList<>(s.links().size());
    for (SpanLink l : s.links()) {
      links.add(
          new io.spanline.avro.SpanLink(
              toAvro(l.traceId()),
              toAvro(l.spanId()),
              l.traceState(),
              toAvro(l.attributes()),
              l.droppedAttributesCount(),
              l.flags()));
    }
    return new io.spanline.avro.Span(
        toAvro(s.traceId()),
        toAvro(s.spanId()),
        s.parentSpanId() == null ? null : toAvro(s.parentSpanId()),
        s.traceState(),
        s.flags(),
        s.name(),
        io.spanline.avro.SpanKind.values()[s.kind().ordinal()],
        s.startEpochNanos(),
        s.endEpochNanos(),
        toAvro(s.attributes()),
        s.droppedAttributesCount(),
        events,
        s.droppedEventsCount(),
        links,
        s.droppedLinksCount(),
        new io.spanline.avro.Status(
            io.spanline.avro.StatusCode.values()[s.status().code().ordinal()],
            s.status().message()),
        EMPTY_RESOURCE,
        (io.spanline.avro.InstrumentationScope)
            converted.computeIfAbsent(s.scope(), sc -> toAvro((InstrumentationScope) sc)),
        resourceIndex);
  }

  private static final io.spanline.avro.Resource EMPTY_RESOURCE =
      new io.spanline.avro.Resource(List.of(), 0, "");

  private static io.spanline.avro.Resource toAvro(Resource r) {
    return new io.spanline.avro.Resource(
        toAvro(r.attributes()), r.droppedAttributesCount(), r.schemaUrl());
  }

  private static io.spanline.avro.InstrumentationScope toAvro(InstrumentationScope s) {
    return new io.spanline.avro.InstrumentationScope(
        s.name(), s.version(), toAvro(s.attributes()), s.droppedAttributesCount(), s.schemaUrl());
  }

  static io.spanline.avro.TraceId toAvro(TraceId id) {
    return new io.spanline.avro.TraceId(id.toBytes());
  }

  static io.spanline.avro.SpanId toAvro(SpanId id) {
    return new io.spanline.avro.SpanId(id.toBytes());
  }

  static List<io.spanline.avro.KeyValue> toAvro(List<Attribute> attributes) {
    if (attributes.isEmpty()) {
      return List.of();
    }
    List<io.spanline.avro.KeyValue> out = new ArrayList<>(attributes.size());
    for (Attribute a : attributes) {
      out.add(new io.spanline.avro.KeyValue(a.key(), toAvro(a.value())));
    }
    return out;
  }

  static io.spanline.avro.AnyValue toAvro(AnyValue v) {
    Object value;
    if (v instanceof AnyValue.StringValue s) {
      value = s.value();
    } else if (v instanceof AnyValue.BoolValue b) {
      value = b.value();
    } else if (v instanceof AnyValue.LongValue l) {
      value = l.value();
    } else if (v instanceof AnyValue.DoubleValue d) {
      value = d.value();
    } else if (v instanceof AnyValue.BytesValue b) {
      value = ByteBuffer.wrap(b.value());
    } else if (v instanceof AnyValue.ArrayValue a) {
      List<io.spanline.avro.AnyValue> values = new ArrayList<>(a.values().size());
      for (AnyValue e : a.values()) {
        values.add(toAvro(e));
      }
      value = new io.spanline.avro.ArrayValue(values);
    } else if (v instanceof AnyValue.KeyValueList kv) {
      value = new io.spanline.avro.KeyValueList(toAvro(kv.values()));
    } else {
      value = null;
    }
    return new io.spanline.avro.AnyValue(value);
  }

  // ---- Avro -> model ----

  static AssembledTrace fromAvro(io.spanline.avro.AssembledTrace t) {
    // Equal resources and scopes decode to one shared instance, as they were before encoding.
    Map<Object, Object> converted = new HashMap<>();
    List<Resource> resources = new ArrayList<>(t.getResources().size());
    for (io.spanline.avro.Resource r : t.getResources()) {
      resources.add((Resource) converted.computeIfAbsent(r, x -> fromAvro(r)));
    }
    List<Span> spans = new ArrayList<>(t.getSpans().size());
    for (io.spanline.avro.Span s : t.getSpans()) {
      int index = s.getResourceIndex();
      Resource resource;
      if (index < 0) {
        resource =
            (Resource)
                converted.computeIfAbsent(
                    s.getResource(), r -> fromAvro((io.spanline.avro.Resource) r));
      } else if (index < resources.size()) {
        resource = resources.get(index);
      } else {
        throw new MalformedAvroException(
            "span resourceIndex "
                + index
                + " is past the trace's "
                + resources.size()
                + " resources");
      }
      spans.add(fromAvro(s, resource, converted));
    }
    TraceSummary summary =
        new TraceSummary(
            t.getRootServiceName(),
            t.getRootSpanName(),
            t.getStartTimeUnixNano(),
            t.getEndTimeUnixNano(),
            t.getSpanCount(),
            t.getError(),
            strings(t.getServices()),
            t.getMissingParentSpanCount());
    return new AssembledTrace(
        t.getTenant(), fromAvro(t.getTraceId()), t.getFragment(), summary, spans);
  }

  static SamplingDecision fromAvro(io.spanline.avro.SamplingDecision d) {
    return new SamplingDecision(
        d.getTenant(),
        fromAvro(d.getTraceId()),
        DecisionOutcome.valueOf(d.getOutcome().name()),
        strings(d.getPolicies()),
        d.getSamplingProbability(),
        d.getDecidedAtUnixNano());
  }

  static SampledTrace fromAvro(io.spanline.avro.SampledTrace t) {
    return new SampledTrace(fromAvro(t.getTrace()), fromAvro(t.getDecision()));
  }

  static Span fromAvro(io.spanline.avro.Span s, Resource resource, Map<Object, Object> converted) {
    List<SpanEvent> events = new ArrayList<>(s.getEvents().size());
    for (io.spanline.avro.SpanEvent e : s.getEvents()) {
      events.add(
          new SpanEvent(
              e.getTimeUnixNano(),
              e.getName(),
              fromAvro(e.getAttributes()),
              e.getDroppedAttributesCount()));
    }
    List<SpanLink> links = new ArrayList<>(s.getLinks().size());
    for (io.spanline.avro.SpanLink l : s.getLinks()) {
      links.add(
          new SpanLink(
              fromAvro(l.getTraceId()),
              fromAvro(l.getSpanId()),
              l.getTraceState(),
              fromAvro(l.getAttributes()),
              l.getDroppedAttributesCount(),
              l.getFlags()));
    }
    return new Span(
        fromAvro(s.getTraceId()),
        fromAvro(s.getSpanId()),
        s.getParentSpanId() == null ? null : fromAvro(s.getParentSpanId()),
        s.getTraceState(),
        s.getFlags(),
        s.getName(),
        SpanKind.valueOf(s.getKind().name()),
        s.getStartTimeUnixNano(),
        s.getEndTimeUnixNano(),
        fromAvro(s.getAttributes()),
        s.getDroppedAttributesCount(),
        events,
        s.getDroppedEventsCount(),
        links,
        s.getDroppedLinksCount(),
        new Status(StatusCode.valueOf(s.getStatus().getCode().name()), s.getStatus().getMessage()),
        resource,
        (InstrumentationScope)
            converted.computeIfAbsent(
                s.getScope(), sc -> fromAvro((io.spanline.avro.InstrumentationScope) sc)));
  }

  private static Resource fromAvro(io.spanline.avro.Resource r) {
    return new Resource(
        fromAvro(r.getAttributes()), r.getDroppedAttributesCount(), r.getSchemaUrl());
  }

  private static InstrumentationScope fromAvro(io.spanline.avro.InstrumentationScope s) {
    return new InstrumentationScope(
        s.getName(),
        s.getVersion(),
        fromAvro(s.getAttributes()),
        s.getDroppedAttributesCount(),
        s.getSchemaUrl());
  }

  static TraceId fromAvro(io.spanline.avro.TraceId id) {
    return TraceId.fromBytes(id.bytes());
  }

  static SpanId fromAvro(io.spanline.avro.SpanId id) {
    return SpanId.fromBytes(id.bytes());
  }

  static List<Attribute> fromAvro(List<io.spanline.avro.KeyValue> kvs) {
    if (kvs.isEmpty()) {
      return List.of();
    }
    List<Attribute> out = new ArrayList<>(kvs.size());
    for (io.spanline.avro.KeyValue kv : kvs) {
      out.add(new Attribute(kv.getKey(), fromAvro(kv.getValue())));
    }
    return out;
  }

  static AnyValue fromAvro(io.spanline.avro.AnyValue v) {
    Object value = v.getValue();
    if (value == null) {
      return AnyValue.EMPTY;
    } else if (value instanceof CharSequence s) {
      return AnyValue.of(s.toString());
    } else if (value instanceof Boolean b) {
      return AnyValue.of(b.booleanValue());
    } else if (value instanceof Long l) {
      return AnyValue.of(l.longValue());
    } else if (value instanceof Double d) {
      return AnyValue.of(d.doubleValue());
    } else if (value instanceof ByteBuffer b) {
      byte[] bytes = new byte[b.remaining()];
      b.duplicate().get(bytes);
      return AnyValue.ofBytes(bytes);
    } else if (value instanceof io.spanline.avro.ArrayValue a) {
      List<AnyValue> values = new ArrayList<>(a.getValues().size());
      for (io.spanline.avro.AnyValue e : a.getValues()) {
        values.add(fromAvro(e));
      }
      return AnyValue.ofArray(values);
    } else if (value instanceof io.spanline.avro.KeyValueList kv) {
      return AnyValue.ofKeyValues(fromAvro(kv.getValues()));
    }
    throw new IllegalStateException("unexpected Avro AnyValue branch " + value.getClass());
  }

  private static List<String> strings(List<? extends CharSequence> values) {
    List<String> out = new ArrayList<>(values.size());
    for (CharSequence v : values) {
      out.add(v.toString());
    }
    return out;
  }
}
