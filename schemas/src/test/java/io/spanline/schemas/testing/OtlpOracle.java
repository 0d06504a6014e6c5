package io.spanline.schemas.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * An OTLP/JSON reader independent of Spanline's codec: protobuf's own JSON parser, after turning
 * the hex trace and span IDs (the OTLP/JSON exception) into the base64 that parser expects. It
 * rejects unknown field names, so it also checks the names Spanline writes.
 */
public final class OtlpOracle {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> HEX_FIELDS = Set.of("traceId", "spanId", "parentSpanId");

  private OtlpOracle() {}

  public static TracesData parseJson(byte[] otlpJson) {
    try {
      JsonNode tree = JSON.readTree(otlpJson);
      hexToBase64(tree);
      TracesData.Builder b = TracesData.newBuilder();
      JsonFormat.parser().merge(JSON.writeValueAsString(tree), b);
      return b.build();
    } catch (IOException e) {
      throw new AssertionError("oracle cannot parse OTLP/JSON: " + e.getMessage(), e);
    }
  }

  private static void hexToBase64(JsonNode node) {
    if (node.isObject()) {
      ObjectNode o = (ObjectNode) node;
      List<String> names = new ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        JsonNode child = o.get(name);
        if (HEX_FIELDS.contains(name) && child.isTextual()) {
          o.put(name, Base64.getEncoder().encodeToString(HexFormat.of().parseHex(child.asText())));
        } else {
          hexToBase64(child);
        }
      }
    } else if (node.isArray()) {
      node.forEach(OtlpOracle::hexToBase64);
    }
  }

  /** A span with the resource and scope (and their schema URLs) it was sent under. */
  public record SpanInContext(
      Resource resource,
      String resourceSchemaUrl,
      InstrumentationScope scope,
      String scopeSchemaUrl,
      Span span) {}

  /**
   * Every span with its context, ignoring how the spans were grouped. A present but empty status
   * reads as an absent one, as protobuf's JSON mapping treats them alike.
   */
  public static List<SpanInContext> flatten(TracesData data) {
    List<SpanInContext> out = new ArrayList<>();
    for (ResourceSpans rs : data.getResourceSpansList()) {
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (Span span : ss.getSpansList()) {
          if (span.hasStatus()
              && span.getStatus().equals(span.getStatus().getDefaultInstanceForType())) {
            span = span.toBuilder().clearStatus().build();
          }
          out.add(
              new SpanInContext(
                  rs.getResource(), rs.getSchemaUrl(), ss.getScope(), ss.getSchemaUrl(), span));
        }
      }
    }
    return out;
  }
}
