package io.spanline.query.api.jaeger;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.InstrumentationScope;
import io.spanline.schemas.model.Resource;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanEvent;
import io.spanline.schemas.model.SpanId;
import io.spanline.schemas.model.SpanKind;
import io.spanline.schemas.model.SpanLink;
import io.spanline.schemas.model.Status;
import io.spanline.schemas.model.StatusCode;
import io.spanline.schemas.model.TraceId;
import io.spanline.storage.Dependency;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Jaeger JSON model of spans, as the Jaeger UI and Grafana read it: typed tags with the OTLP
 * translator's span kind, status and scope tags, references from parent and links, logs from
 * events, processes one per distinct resource.
 */
class JaegerJsonModelTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TraceId TRACE = new TraceId(0x1122334455667788L, 0x99aabbccddeeff00L);
  private static final TraceId SHORT_TRACE = new TraceId(0, 0xabcL);
  private static final TraceId OTHER_TRACE = new TraceId(7, 8);
  private static final long START = 1_763_800_000_123_456_789L;
  private static final Resource CART =
      new Resource(
          List.of(Attribute.of("service.name", "cart"), Attribute.of("host.name", "node-1")),
          0,
          "");

  private static Span.Builder span(long id) {
    return Span.builder(TRACE, new SpanId(id))
        .name("op-" + id)
        .time(START, START + 2_500_999)
        .resource(CART);
  }

  private static JsonNode trace(List<Span> spans) throws Exception {
    // through text, as a client reads it
    return JSON.readTree(
        JSON.writeValueAsString(JaegerJsonModel.trace(spans, List.of(), Map.of())));
  }

  private static JsonNode tag(JsonNode tags, String key) {
    for (JsonNode t : tags) {
      if (t.get("key").asText().equals(key)) {
        return t;
      }
    }
    return null;
  }

  private static List<String> keys(JsonNode keyValues) {
    List<String> out = new ArrayList<>();
    keyValues.forEach(t -> out.add(t.get("key").asText()));
    return out;
  }

  @Test
  void typesTags_andAddsScopeKindAndStatusAsTheTranslatorDoes() throws Exception {
    // Given a failed server span with attributes of every type
    Span span =
        span(1)
            .kind(SpanKind.SERVER)
            .status(new Status(StatusCode.ERROR, "card declined"))
            .traceState("vendor=x")
            .scope(new InstrumentationScope("io.demo.shop", "1.2.0", List.of(), 0, ""))
            .addAttribute(Attribute.of("http.route", "/pay"))
            .addAttribute(Attribute.of("retry", true))
            .addAttribute(Attribute.of("http.response.status_code", 502L))
            .addAttribute(Attribute.of("amount", 72.5))
            .addAttribute(new Attribute("blob", AnyValue.ofBytes(new byte[] {0, 0, 48, 57})))
            .addAttribute(Attribute.of("big", 9_007_199_254_740_993L))
            .addAttribute(
                new Attribute(
                    "items", AnyValue.ofArray(List.of(AnyValue.of("a"), AnyValue.of(2L)))))
            .build();

    // When converted
    JsonNode tags = trace(List.of(span)).at("/spans/0/tags");

    // Then scope tags come first, then the attributes in order, then kind, status, error, message
    assertThat(keys(tags))
        .containsExactly(
            "otel.scope.name",
            "otel.scope.version",
            "http.route",
            "retry",
            "http.response.status_code",
            "amount",
            "blob",
            "big",
            "items",
            "span.kind",
            "otel.status_code",
            "error",
            "otel.status_description",
            "w3c.tracestate");
    assertThat(tag(tags, "otel.scope.name").get("value").asText()).isEqualTo("io.demo.shop");
    assertThat(tag(tags, "otel.scope.version").get("value").asText()).isEqualTo("1.2.0");
    assertThat(tag(tags, "http.route").get("type").asText()).isEqualTo("string");
    assertThat(tag(tags, "retry").get("type").asText()).isEqualTo("bool");
    assertThat(tag(tags, "retry").get("value").isBoolean()).isTrue();
    assertThat(tag(tags, "http.response.status_code").get("type").asText()).isEqualTo("int64");
    assertThat(tag(tags, "http.response.status_code").get("value").isIntegralNumber()).isTrue();
    assertThat(tag(tags, "http.response.status_code").get("value").asLong()).isEqualTo(502);
    assertThat(tag(tags, "amount").get("type").asText()).isEqualTo("float64");
    assertThat(tag(tags, "amount").get("value").asDouble()).isEqualTo(72.5);
    assertThat(tag(tags, "blob").get("type").asText()).isEqualTo("binary");
    assertThat(tag(tags, "blob").get("value").asText()).isEqualTo("AAAwOQ==");
    // beyond JavaScript's safe integers, the value is its decimal text (Jaeger's rule)
    assertThat(tag(tags, "big").get("type").asText()).isEqualTo("int64");
    assertThat(tag(tags, "big").get("value").isTextual()).isTrue();
    assertThat(tag(tags, "big").get("value").asText()).isEqualTo("9007199254740993");
    assertThat(tag(tags, "items").get("type").asText()).isEqualTo("string");
    assertThat(tag(tags, "items").get("value").asText()).isEqualTo("[\"a\",2]");
    assertThat(tag(tags, "span.kind").get("value").asText()).isEqualTo("server");
    assertThat(tag(tags, "otel.status_code").get("value").asText()).isEqualTo("ERROR");
    assertThat(tag(tags, "error").get("type").asText()).isEqualTo("bool");
    assertThat(tag(tags, "error").get("value").asBoolean()).isTrue();
    assertThat(tag(tags, "otel.status_description").get("value").asText())
        .isEqualTo("card declined");
    assertThat(tag(tags, "w3c.tracestate").get("value").asText()).isEqualTo("vendor=x");
  }

  @Test
  void leavesOutKindAndStatusTags_whenUnspecifiedOrUnset_andErrorWhenOk() throws Exception {
    JsonNode unset = trace(List.of(span(1).build())).at("/spans/0/tags");
    assertThat(keys(unset)).isEmpty();
    assertThat(unset.isArray()).isTrue();

    JsonNode ok =
        trace(
                List.of(
                    span(2).kind(SpanKind.INTERNAL).status(new Status(StatusCode.OK, "")).build()))
            .at("/spans/0/tags");
    assertThat(keys(ok)).containsExactly("span.kind", "otel.status_code");
    assertThat(tag(ok, "span.kind").get("value").asText()).isEqualTo("internal");
    assertThat(tag(ok, "otel.status_code").get("value").asText()).isEqualTo("OK");
  }

  @Test
  void writesReferences_parentFirstAsChildOf_linksAsFollowsFrom() throws Exception {
    // Given a span with a parent, a link to another trace, a link marked child_of, a link to the
    // parent itself
    Span span =
        span(10)
            .parentSpanId(new SpanId(9))
            .addLink(new SpanLink(OTHER_TRACE, new SpanId(3), "", List.of(), 0, 0))
            .addLink(
                new SpanLink(
                    OTHER_TRACE,
                    new SpanId(4),
                    "",
                    List.of(Attribute.of("opentracing.ref_type", "child_of")),
                    0,
                    0))
            .addLink(
                new SpanLink(
                    TRACE,
                    new SpanId(9),
                    "",
                    List.of(Attribute.of("opentracing.ref_type", "follows_from")),
                    0,
                    0))
            .build();

    JsonNode refs = trace(List.of(span)).at("/spans/0/references");

    // Then the parent comes first, with the type the link to it gave; the other links follow
    assertThat(refs).hasSize(3);
    assertThat(refs.get(0).get("refType").asText()).isEqualTo("FOLLOWS_FROM");
    assertThat(refs.get(0).get("traceID").asText()).isEqualTo(TRACE.toHex());
    assertThat(refs.get(0).get("spanID").asText()).isEqualTo("0000000000000009");
    assertThat(refs.get(1).get("refType").asText()).isEqualTo("FOLLOWS_FROM");
    assertThat(refs.get(1).get("traceID").asText()).isEqualTo("00000000000000070000000000000008");
    assertThat(refs.get(1).get("spanID").asText()).isEqualTo("0000000000000003");
    assertThat(refs.get(2).get("refType").asText()).isEqualTo("CHILD_OF");

    // and a root span without links has an empty array
    JsonNode root = trace(List.of(span(11).build())).at("/spans/0/references");
    assertThat(root.isArray()).isTrue();
    assertThat(root).isEmpty();
  }

  @Test
  void writesLogsFromEvents_withTheEventNameAsFieldEvent() throws Exception {
    Span span =
        span(1)
            .addEvent(
                new SpanEvent(
                    START + 1_000_999,
                    "exception",
                    List.of(Attribute.of("exception.type", "IOException")),
                    0))
            .addEvent(
                new SpanEvent(START + 2_000_000, "named", List.of(Attribute.of("event", "own")), 0))
            .build();

    JsonNode logs = trace(List.of(span)).at("/spans/0/logs");

    assertThat(logs).hasSize(2);
    assertThat(logs.get(0).get("timestamp").asLong()).isEqualTo((START + 1_000_999) / 1000);
    assertThat(keys(logs.get(0).get("fields"))).containsExactly("event", "exception.type");
    assertThat(logs.get(0).at("/fields/0/value").asText()).isEqualTo("exception");
    assertThat(logs.get(0).at("/fields/0/type").asText()).isEqualTo("string");
    // an attribute named event wins over the name
    assertThat(keys(logs.get(1).get("fields"))).containsExactly("event");
    assertThat(logs.get(1).at("/fields/0/value").asText()).isEqualTo("own");
  }

  @Test
  void writesOneProcessPerDistinctResource_inOrderOfFirstUse() throws Exception {
    Resource payment = new Resource(List.of(Attribute.of("service.name", "payment")), 0, "");
    List<Span> spans =
        List.of(
            span(1).build(),
            span(2).resource(payment).build(),
            span(3).build(),
            span(4).resource(Resource.EMPTY).build());

    JsonNode trace = trace(spans);

    assertThat(trace.at("/spans/0/processID").asText()).isEqualTo("p1");
    assertThat(trace.at("/spans/1/processID").asText()).isEqualTo("p2");
    assertThat(trace.at("/spans/2/processID").asText()).isEqualTo("p1");
    assertThat(trace.at("/spans/3/processID").asText()).isEqualTo("p3");
    JsonNode processes = trace.get("processes");
    assertThat(processes.size()).isEqualTo(3);
    assertThat(processes.at("/p1/serviceName").asText()).isEqualTo("cart");
    // service.name is the process's name, not one of its tags
    assertThat(keys(processes.at("/p1/tags"))).containsExactly("host.name");
    assertThat(processes.at("/p1/tags/0/value").asText()).isEqualTo("node-1");
    assertThat(processes.at("/p2/serviceName").asText()).isEqualTo("payment");
    assertThat(processes.at("/p2/tags").isArray()).isTrue();
    assertThat(processes.at("/p2/tags")).isEmpty();
    assertThat(processes.at("/p3/serviceName").asText()).isEqualTo(JaegerJsonModel.NO_SERVICE_NAME);
  }

  @Test
  void writesIdsTimesFlagsAndWarnings_asJaegerDoes() throws Exception {
    Span sampled = span(1).flags(0x301).build();
    Span unsampled = span(2).traceId(TRACE).build();
    JsonNode trace =
        JSON.readTree(
            JSON.writeValueAsString(
                JaegerJsonModel.trace(
                    List.of(sampled, unsampled),
                    List.of("trace truncated"),
                    Map.of(new SpanId(2), List.of("adjusted by 1ms")))));

    assertThat(trace.get("traceID").asText()).isEqualTo("112233445566778899aabbccddeeff00");
    JsonNode first = trace.at("/spans/0");
    assertThat(first.get("traceID").asText()).isEqualTo("112233445566778899aabbccddeeff00");
    assertThat(first.get("spanID").asText()).isEqualTo("0000000000000001");
    assertThat(first.get("operationName").asText()).isEqualTo("op-1");
    // microseconds, truncated
    assertThat(first.get("startTime").asLong()).isEqualTo(1_763_800_000_123_456L);
    assertThat(first.get("duration").asLong()).isEqualTo(2_500L);
    assertThat(first.get("flags").asInt()).isEqualTo(1);
    assertThat(first.get("warnings").isNull()).isTrue();
    JsonNode second = trace.at("/spans/1");
    assertThat(second.has("flags")).isFalse();
    assertThat(second.get("warnings")).hasSize(1);
    assertThat(second.at("/warnings/0").asText()).isEqualTo("adjusted by 1ms");
    assertThat(trace.at("/warnings/0").asText()).isEqualTo("trace truncated");

    // a trace ID whose high half is zero is written in 16 hex characters, as Jaeger writes it
    JsonNode shortId =
        trace(List.of(Span.builder(SHORT_TRACE, new SpanId(5)).resource(CART).build()));
    assertThat(shortId.get("traceID").asText()).isEqualTo("0000000000000abc");
    assertThat(shortId.at("/spans/0/traceID").asText()).isEqualTo("0000000000000abc");
    assertThat(shortId.get("warnings").isNull()).isTrue();
  }

  @Test
  void sortsAttributesByKey_whenAdjusting() {
    Span span =
        span(1)
            .addAttribute(Attribute.of("zeta", "z"))
            .addAttribute(Attribute.of("alpha", "a"))
            .resource(
                new Resource(
                    List.of(Attribute.of("service.name", "cart"), Attribute.of("a.b", "c")), 0, ""))
            .build();

    Span sorted = JaegerHttpApi.sortedAttributes(span);

    assertThat(sorted.attributes()).extracting(Attribute::key).containsExactly("alpha", "zeta");
    assertThat(sorted.resource().attributes())
        .extracting(Attribute::key)
        .containsExactly("a.b", "service.name");
  }

  @Test
  void writesDependencyLinks() {
    JsonNode d = JaegerJsonModel.dependency(new Dependency("frontend", "checkout", 12));
    assertThat(d.get("parent").asText()).isEqualTo("frontend");
    assertThat(d.get("child").asText()).isEqualTo("checkout");
    assertThat(d.get("callCount").asLong()).isEqualTo(12);
  }
}
