package io.spanline.query.api.jaeger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.Resource;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanEvent;
import io.spanline.schemas.model.SpanId;
import io.spanline.schemas.model.SpanKind;
import io.spanline.schemas.model.SpanLink;
import io.spanline.schemas.model.StatusCode;
import io.spanline.schemas.model.TraceId;
import io.spanline.storage.Dependency;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Spanline's span model in the JSON model of Jaeger's HTTP API, the one the Jaeger UI and Grafana's
 * Jaeger data source read (Jaeger's {@code model/json} and {@code model/converter/json}), with the
 * OTLP-to-Jaeger rules of the OpenTelemetry Collector's translator ({@code
 * pkg/translator/jaeger/traces_to_jaegerproto.go}):
 *
 * <ul>
 *   <li>a trace is {@code {"traceID", "spans": [...], "processes": {"p1": {...}}, "warnings"}};
 *       trace IDs whose first 8 bytes are zero are written as 16 hex characters, others as 32, span
 *       IDs as 16 (Jaeger's {@code TraceID.String});
 *   <li>a span's {@code startTime} is epoch microseconds and its {@code duration} microseconds
 *       (both truncated, a negative duration written as 0); {@code flags} is 1 when the W3C sampled
 *       bit is set and left out otherwise;
 *   <li>{@code references}: the parent as {@code CHILD_OF} first, then each link as {@code
 *       FOLLOWS_FROM} ({@code CHILD_OF} when the link's {@code opentracing.ref_type} attribute says
 *       {@code child_of}; a link to the parent itself only sets the parent reference's type);
 *   <li>{@code tags}: {@code otel.scope.name} and {@code otel.scope.version} (when set), the span's
 *       attributes, {@code span.kind} ({@code server}, {@code client}, {@code producer}, {@code
 *       consumer}, {@code internal}; none when unspecified), {@code otel.status_code} ({@code OK}
 *       or {@code ERROR}; none when unset), {@code error=true} for ERROR, {@code
 *       otel.status_description} (when there is a message) and {@code w3c.tracestate} (when set);
 *   <li>typed values {@code {"key", "type", "value"}}: {@code string}, {@code bool}, {@code int64}
 *       (a number, or its decimal text beyond JavaScript's safe integers ±(2^53−1), as Jaeger
 *       writes it), {@code float64}, {@code binary} (base64); arrays and key-value lists are {@code
 *       string} holding their JSON text;
 *   <li>{@code logs}: one per event, {@code {"timestamp": µs, "fields": [...]}}, the event's name
 *       as the first field {@code event} (unless an attribute is named so), then its attributes;
 *   <li>{@code processes}: one per distinct resource, {@code p1}, {@code p2}, … in the order spans
 *       first use them: {@code serviceName} from {@code service.name} and the other resource
 *       attributes as {@code tags}; a resource without attributes is named {@code
 *       OTLPResourceNoServiceName}.
 * </ul>
 *
 * <p>Array fields are always written ({@code []} when empty), span and trace {@code warnings} are
 * {@code null} when there are none, as Jaeger's model serializes them.
 */
final class JaegerJsonModel {
  /** The service name of a process whose resource had no attributes (the translator's). */
  static final String NO_SERVICE_NAME = "OTLPResourceNoServiceName";

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final long JS_MAX_SAFE_INTEGER = (1L << 53) - 1;

  private JaegerJsonModel() {}

  /**
   * One trace.
   *
   * @param spans the trace's spans, at least one, all of one trace ID
   * @param warnings the trace's warnings (e.g. that it was cut at the span limit)
   * @param spanWarnings warnings per span (e.g. clock-skew adjustments)
   */
  static ObjectNode trace(
      List<Span> spans, List<String> warnings, Map<SpanId, List<String>> spanWarnings) {
    if (spans.isEmpty()) {
      throw new IllegalArgumentException("a trace has at least one span");
    }
    ObjectNode trace = NODES.objectNode();
    trace.put("traceID", traceId(spans.get(0).traceId()));
    ArrayNode out = trace.putArray("spans");
    Map<Process, String> processIds = new LinkedHashMap<>();
    for (Span span : spans) {
      Process process = process(span.resource());
      String processId = processIds.computeIfAbsent(process, p -> "p" + (processIds.size() + 1));
      out.add(span(span, processId, spanWarnings.getOrDefault(span.spanId(), List.of())));
    }
    ObjectNode processes = trace.putObject("processes");
    processIds.forEach(
        (process, id) -> {
          ObjectNode p = processes.putObject(id);
          p.put("serviceName", process.serviceName());
          ArrayNode tags = p.putArray("tags");
          process.tags().forEach(a -> tags.add(keyValue(a.key(), a.value())));
        });
    putWarnings(trace, warnings);
    return trace;
  }

  /** A dependency link, {@code {"parent", "child", "callCount"}}. */
  static ObjectNode dependency(Dependency d) {
    ObjectNode out = NODES.objectNode();
    out.put("parent", d.parent());
    out.put("child", d.child());
    out.put("callCount", d.callCount());
    return out;
  }

  /**
   * Jaeger's text form of a trace ID: 16 hex characters when the high 8 bytes are zero, else 32.
   */
  static String traceId(TraceId id) {
    String hex = id.toHex();
    return id.high() == 0 ? hex.substring(16) : hex;
  }

  /** A span kind as Jaeger's {@code span.kind} tag and operation kinds name it; "" unspecified. */
  static String spanKind(SpanKind kind) {
    return kind == SpanKind.UNSPECIFIED ? "" : kind.name().toLowerCase(Locale.ROOT);
  }

  private static ObjectNode span(Span span, String processId, List<String> warnings) {
    ObjectNode out = NODES.objectNode();
    out.put("traceID", traceId(span.traceId()));
    out.put("spanID", span.spanId().toHex());
    if ((span.flags() & 0x01) != 0) {
      out.put("flags", 1);
    }
    out.put("operationName", span.name());
    out.set("references", references(span));
    out.put("startTime", Math.floorDiv(span.startEpochNanos(), 1000L));
    out.put("duration", Math.max(0, span.durationNanos() / 1000L));
    out.set("tags", tags(span));
    ArrayNode logs = out.putArray("logs");
    for (SpanEvent event : span.events()) {
      logs.add(log(event));
    }
    out.put("processID", processId);
    putWarnings(out, warnings);
    return out;
  }

  private static ArrayNode references(Span span) {
    ArrayNode refs = NODES.arrayNode();
    ObjectNode parentRef = null;
    if (span.parentSpanId() != null) {
      parentRef = reference("CHILD_OF", span.traceId(), span.parentSpanId());
      refs.add(parentRef);
    }
    for (SpanLink link : span.links()) {
      String type =
          Attribute.find(link.attributes(), "opentracing.ref_type")
                  .filter(v -> "child_of".equals(v.asText()))
                  .isPresent()
              ? "CHILD_OF"
              : "FOLLOWS_FROM";
      if (parentRef != null
          && link.traceId().equals(span.traceId())
          && link.spanId().equals(span.parentSpanId())) {
        parentRef.put("refType", type);
        continue;
      }
      refs.add(reference(type, link.traceId(), link.spanId()));
    }
    return refs;
  }

  private static ObjectNode reference(String type, TraceId traceId, SpanId spanId) {
    ObjectNode ref = NODES.objectNode();
    ref.put("refType", type);
    ref.put("traceID", traceId(traceId));
    ref.put("spanID", spanId.toHex());
    return ref;
  }

  private static ArrayNode tags(Span span) {
    ArrayNode tags = NODES.arrayNode();
    if (!span.scope().name().isEmpty()) {
      tags.add(string("otel.scope.name", span.scope().name()));
    }
    if (!span.scope().version().isEmpty()) {
      tags.add(string("otel.scope.version", span.scope().version()));
    }
    for (Attribute a : span.attributes()) {
      tags.add(keyValue(a.key(), a.value()));
    }
    if (span.kind() != SpanKind.UNSPECIFIED) {
      tags.add(string("span.kind", spanKind(span.kind())));
    }
    if (span.status().code() != StatusCode.UNSET) {
      tags.add(string("otel.status_code", span.status().code().name()));
    }
    if (span.status().code() == StatusCode.ERROR) {
      ObjectNode error = NODES.objectNode();
      error.put("key", "error");
      error.put("type", "bool");
      error.put("value", true);
      tags.add(error);
    }
    if (!span.status().message().isEmpty()) {
      tags.add(string("otel.status_description", span.status().message()));
    }
    if (!span.traceState().isEmpty()) {
      tags.add(string("w3c.tracestate", span.traceState()));
    }
    return tags;
  }

  private static ObjectNode log(SpanEvent event) {
    ObjectNode log = NODES.objectNode();
    log.put("timestamp", Math.floorDiv(event.epochNanos(), 1000L));
    ArrayNode fields = log.putArray("fields");
    if (!event.name().isEmpty() && Attribute.find(event.attributes(), "event").isEmpty()) {
      fields.add(string("event", event.name()));
    }
    for (Attribute a : event.attributes()) {
      fields.add(keyValue(a.key(), a.value()));
    }
    return log;
  }

  private static ObjectNode string(String key, String value) {
    ObjectNode kv = NODES.objectNode();
    kv.put("key", key);
    kv.put("type", "string");
    kv.put("value", value);
    return kv;
  }

  /** A typed key-value, {@code {"key", "type", "value"}}. */
  static ObjectNode keyValue(String key, AnyValue value) {
    ObjectNode kv = NODES.objectNode();
    kv.put("key", key);
    if (value instanceof AnyValue.StringValue s) {
      kv.put("type", "string").put("value", s.value());
    } else if (value instanceof AnyValue.BoolValue b) {
      kv.put("type", "bool").put("value", b.value());
    } else if (value instanceof AnyValue.LongValue l) {
      kv.put("type", "int64");
      if (l.value() > JS_MAX_SAFE_INTEGER || l.value() < -JS_MAX_SAFE_INTEGER) {
        kv.put("value", Long.toString(l.value()));
      } else {
        kv.put("value", l.value());
      }
    } else if (value instanceof AnyValue.DoubleValue d) {
      kv.put("type", "float64").put("value", d.value());
    } else if (value instanceof AnyValue.BytesValue b) {
      kv.put("type", "binary").put("value", Base64.getEncoder().encodeToString(b.value()));
    } else if (value instanceof AnyValue.ArrayValue || value instanceof AnyValue.KeyValueList) {
      kv.put("type", "string").put("value", raw(value).toString());
    } else {
      kv.put("type", "string").put("value", "");
    }
    return kv;
  }

  /** A value as JSON, for the text of arrays and key-value lists (the Collector's AsString). */
  private static JsonNode raw(AnyValue value) {
    if (value instanceof AnyValue.StringValue s) {
      return NODES.textNode(s.value());
    } else if (value instanceof AnyValue.BoolValue b) {
      return NODES.booleanNode(b.value());
    } else if (value instanceof AnyValue.LongValue l) {
      return NODES.numberNode(l.value());
    } else if (value instanceof AnyValue.DoubleValue d) {
      return NODES.numberNode(d.value());
    } else if (value instanceof AnyValue.BytesValue b) {
      return NODES.textNode(Base64.getEncoder().encodeToString(b.value()));
    } else if (value instanceof AnyValue.ArrayValue a) {
      ArrayNode out = NODES.arrayNode();
      a.values().forEach(v -> out.add(raw(v)));
      return out;
    } else if (value instanceof AnyValue.KeyValueList l) {
      ObjectNode out = NODES.objectNode();
      l.values().forEach(kv -> out.set(kv.key(), raw(kv.value())));
      return out;
    }
    return NODES.nullNode();
  }

  private static void putWarnings(ObjectNode node, List<String> warnings) {
    if (warnings.isEmpty()) {
      node.putNull("warnings");
    } else {
      ArrayNode out = node.putArray("warnings");
      warnings.forEach(out::add);
    }
  }

  /** A Jaeger process: the service name and the other resource attributes. */
  private record Process(String serviceName, List<Attribute> tags) {
    Process {
      Objects.requireNonNull(serviceName, "serviceName");
      tags = List.copyOf(tags);
    }
  }

  private static Process process(Resource resource) {
    if (resource.attributes().isEmpty()) {
      return new Process(NO_SERVICE_NAME, List.of());
    }
    List<Attribute> tags = new ArrayList<>();
    for (Attribute a : resource.attributes()) {
      if (!a.key().equals(Resource.SERVICE_NAME)) {
        tags.add(a);
      }
    }
    return new Process(resource.serviceName(), tags);
  }
}
