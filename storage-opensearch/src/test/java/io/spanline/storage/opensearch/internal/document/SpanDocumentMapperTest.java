package io.spanline.storage.opensearch.internal.document;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.DecisionOutcome;
import io.spanline.schemas.model.InstrumentationScope;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanEvent;
import io.spanline.schemas.model.SpanId;
import io.spanline.schemas.model.SpanLink;
import io.spanline.schemas.testing.TraceBuilder;
import io.spanline.storage.opensearch.Fields;
import io.spanline.storage.opensearch.IndexLayout;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SpanDocumentMapperTest {
  private static final IndexLayout LAYOUT = new IndexLayout("spanline");
  private static final SpanDocumentMapper MAPPER =
      new SpanDocumentMapper(
          LAYOUT, Set.of("http.response.status_code", "deployment.environment.name", "tags"));

  private static final ObjectMapper JSON = new ObjectMapper();

  private final AssembledTrace trace =
      TraceBuilder.trace()
          .tenant("acme")
          .root("frontend", "GET /checkout", 120)
          .resourceAttr("deployment.environment.name", "prod")
          .child("checkout", "POST /orders", 80)
          .attr("http.response.status_code", 201)
          .attr("order.id", "o-1")
          .error()
          .build();

  @Test
  void eachTenantsAllowlist_decidesWhichOfItsAttributesAreIndexed() {
    // Given acme indexing order.id, globex nothing and every other tenant every key
    Map<String, Set<String>> lists =
        Map.of("acme", Set.of("order.id"), "globex", Set.of(), "*", Set.of("*"));
    SpanDocumentMapper mapper =
        new SpanDocumentMapper(LAYOUT, tenant -> lists.getOrDefault(tenant, lists.get("*")));
    AssembledTrace globex =
        TraceBuilder.trace()
            .tenant("globex")
            .root("frontend", "GET /checkout", 120)
            .attr("order.id", "o-1")
            .build();
    AssembledTrace initech =
        TraceBuilder.trace()
            .tenant("initech")
            .root("frontend", "GET /checkout", 120)
            .attr("order.id", "o-1")
            .build();

    // When the same attributes are mapped for each
    JsonNode acmeDoc = json(mapper.map(kept(trace, "all")).spans().get(1));
    JsonNode globexDoc = json(mapper.map(kept(globex, "all")).spans().get(0));
    JsonNode initechDoc = json(mapper.map(kept(initech, "all")).spans().get(0));

    // Then only each tenant's own keys become tags and typed fields
    assertThat(texts(acmeDoc.get(Fields.TAGS))).containsExactly("order.id=o-1");
    assertThat(acmeDoc.path(Fields.ATTRIBUTES).path("order@id").asText()).isEqualTo("o-1");
    assertThat(acmeDoc.path(Fields.ATTRIBUTES).has("http@response@status_code")).isFalse();
    assertThat(globexDoc.has(Fields.TAGS)).isFalse();
    assertThat(globexDoc.has(Fields.ATTRIBUTES)).isFalse();
    assertThat(texts(initechDoc.get(Fields.TAGS)))
        .contains("order.id=o-1", "service.name=frontend");
  }

  @Test
  void mapsEachSpanToADocumentInTheIndexOfItsStartDay_withADeterministicId() {
    TraceDocuments docs = MAPPER.map(kept(trace, "errors"));

    assertThat(docs.spans()).hasSize(2);
    SpanDocument child = docs.spans().get(1);
    Span span = trace.spans().get(1);
    assertThat(child.index())
        .isEqualTo("spanline-spans-" + IndexLayout.dayOf(span.startEpochNanos()));
    assertThat(child.id())
        .isEqualTo("acme:" + trace.traceId().toHex() + ":" + span.spanId().toHex())
        .isEqualTo(MAPPER.map(kept(trace, "other")).spans().get(1).id());
    JsonNode source = json(child);
    assertThat(source.get(Fields.TENANT).asText()).isEqualTo("acme");
    assertThat(source.get(Fields.TRACE_ID).asText()).isEqualTo(trace.traceId().toHex());
    assertThat(source.get(Fields.SPAN_ID).asText()).isEqualTo(span.spanId().toHex());
    assertThat(source.get(Fields.PARENT_SPAN_ID).asText())
        .isEqualTo(trace.spans().get(0).spanId().toHex());
    assertThat(source.get(Fields.SERVICE).asText()).isEqualTo("checkout");
    assertThat(source.get(Fields.NAME).asText()).isEqualTo("POST /orders");
    assertThat(source.get(Fields.KIND).asText()).isEqualTo("CLIENT");
    assertThat(source.get(Fields.STATUS).asText()).isEqualTo("ERROR");
    assertThat(source.get(Fields.STATUS_MESSAGE).asText()).isEqualTo("failed");
    assertThat(source.get(Fields.START_TIME).asLong())
        .isEqualTo(span.startEpochNanos() / 1_000_000);
    assertThat(source.get(Fields.START_TIME_UNIX_NANO).asLong()).isEqualTo(span.startEpochNanos());
    assertThat(source.get(Fields.DURATION_NANOS).asLong()).isEqualTo(80_000_000L);
    assertThat(source.at("/scope/name").asText()).isEqualTo("io.spanline.test");
    assertThat(json(docs.spans().get(0)).has(Fields.PARENT_SPAN_ID)).isFalse();
  }

  @Test
  void indexesOnlyAllowlistedAttributes_fromSpanAndResource_withDotsAsAt() {
    TraceDocuments docs = MAPPER.map(kept(trace, "errors"));

    assertThat(json(docs.spans().get(0)).get(Fields.ATTRIBUTES).toString())
        .isEqualTo("{\"deployment@environment@name\":\"prod\"}");
    assertThat(json(docs.spans().get(1)).get(Fields.ATTRIBUTES).toString())
        .isEqualTo("{\"http@response@status_code\":201}");
    assertThat(Fields.attributeField("http.response.status_code"))
        .isEqualTo("attr.http@response@status_code");
  }

  @Test
  void tagsHoldAllowlistedKeysOfSpanEventsLinksResourceAndScope_inStringForm() {
    Span base = trace.spans().get(1);
    Span span =
        base.toBuilder()
            .addAttribute(Attribute.of("ratio", 72.5))
            .addEvent(
                new SpanEvent(
                    base.startEpochNanos(), "retry", List.of(Attribute.of("attempt", 2)), 0))
            .addLink(
                new SpanLink(
                    trace.traceId(),
                    trace.spans().get(0).spanId(),
                    "",
                    List.of(Attribute.of("linked", true)),
                    0,
                    0))
            .scope(
                new InstrumentationScope(
                    "lib", "1.0", List.of(Attribute.of("scope.attr", "s")), 0, ""))
            .build();

    JsonNode all = json(new SpanDocumentMapper(LAYOUT, Set.of("*")).spanDocument("acme", 0, span));
    JsonNode some = json(MAPPER.spanDocument("acme", 0, span));

    assertThat(texts(all.get(Fields.TAGS)))
        .containsExactlyInAnyOrder(
            "http.response.status_code=201",
            "order.id=o-1",
            "ratio=72.5",
            "attempt=2",
            "linked=true",
            "service.name=checkout",
            "scope.attr=s");
    assertThat(texts(some.get(Fields.TAGS))).containsExactly("http.response.status_code=201");
    assertThat(texts(all.get(Fields.TAG_KEYS)))
        .containsExactlyInAnyOrder(
            "http.response.status_code",
            "order.id",
            "ratio",
            "attempt",
            "linked",
            "service.name",
            "scope.attr");
    assertThat(texts(some.get(Fields.TAG_KEYS))).containsExactly("http.response.status_code");
  }

  @Test
  void indexesWhereTheSpansLinksPoint_eachTargetOnce_andNothingForASpanWithoutLinks() {
    // Given a consumer span linking to a producer span of another trace twice (two messages of
    // one batch), to a second span of that trace, and to a span of its own trace
    AssembledTrace producer =
        TraceBuilder.trace().root("checkout", "publish", 10).child("checkout", "send", 2).build();
    SpanId published = producer.spans().get(0).spanId();
    SpanId sent = producer.spans().get(1).spanId();
    AssembledTrace consumer =
        TraceBuilder.trace()
            .root("fulfillment", "process", 10)
            .link(producer.traceId(), published, Attribute.of("messaging.kafka.offset", 7L))
            .link(producer.traceId(), published, Attribute.of("messaging.kafka.offset", 8L))
            .link(producer.traceId(), sent)
            .child("fulfillment", "pack", 5)
            .build();
    Span root = consumer.spans().get(0);
    Span linkedToOwnTrace =
        consumer.spans().get(1).toBuilder()
            .addLink(new SpanLink(consumer.traceId(), root.spanId(), "", List.of(), 0, 0))
            .build();

    // When mapped
    JsonNode consumerDoc = json(MAPPER.spanDocument("acme", 0, root));
    JsonNode ownTraceDoc = json(MAPPER.spanDocument("acme", 0, linkedToOwnTrace));
    JsonNode withoutLinks = json(MAPPER.spanDocument("acme", 0, consumer.spans().get(1)));

    // Then each target trace and span is there once, in hex
    assertThat(texts(consumerDoc.get(Fields.LINKED_TRACE_IDS)))
        .containsExactly(producer.traceId().toHex());
    assertThat(texts(consumerDoc.get(Fields.LINKED_SPANS)))
        .containsExactly(
            producer.traceId().toHex() + ":" + published.toHex(),
            producer.traceId().toHex() + ":" + sent.toHex())
        .containsExactly(
            Fields.linkedSpan(producer.traceId(), published),
            Fields.linkedSpan(producer.traceId(), sent));
    assertThat(texts(ownTraceDoc.get(Fields.LINKED_TRACE_IDS)))
        .containsExactly(consumer.traceId().toHex());
    assertThat(withoutLinks.has(Fields.LINKED_TRACE_IDS)).isFalse();
    assertThat(withoutLinks.has(Fields.LINKED_SPANS)).isFalse();
  }

  @Test
  void namesTheParentService_onlyForCallsFromAnotherServiceInTheSameFragment() {
    AssembledTrace calls =
        TraceBuilder.trace()
            .root("frontend", "GET /", 100)
            .child("frontend", "render", 10)
            .child("checkout", "POST /orders", 50)
            .orphan("payment", "charge", 5, 20)
            .build();

    List<JsonNode> docs =
        MAPPER.map(kept(calls, "errors")).spans().stream()
            .map(SpanDocumentMapperTest::json)
            .toList();

    assertThat(docs)
        .extracting(
            d -> d.path(Fields.NAME).asText() + "<-" + d.path(Fields.PARENT_SERVICE).asText())
        .containsExactlyInAnyOrder("GET /<-", "render<-", "POST /orders<-frontend", "charge<-");
  }

  @Test
  void storesTheFragmentsSpansOnceAsGzipOtlpProtobuf_andNoCopyPerSpan() throws Exception {
    TraceDocuments docs = MAPPER.map(kept(trace, "errors"));

    assertThat(docs.spans()).allSatisfy(d -> assertThat(json(d).has(Fields.OTLP)).isFalse());
    FragmentDocument fragment = docs.fragment();
    JsonNode doc = JSON.readTree(fragment.json());
    List<Span> decoded = SpanDocumentMapper.decodeFragment(doc.get(Fields.SPANS).binaryValue());
    assertThat(decoded).containsExactlyElementsOf(trace.spans());
    assertThat(doc.get(Fields.TENANT).asText()).isEqualTo(trace.tenant());
    assertThat(doc.get(Fields.TRACE_ID).asText()).isEqualTo(trace.traceId().toHex());
    assertThat(doc.get(Fields.FRAGMENT).asInt()).isEqualTo(trace.fragment());
    assertThat(doc.get(Fields.SPAN_COUNT).asInt()).isEqualTo(trace.spans().size());
    long start = trace.spans().stream().mapToLong(Span::startEpochNanos).min().orElseThrow();
    assertThat(doc.get(Fields.START_TIME_UNIX_NANO).asLong()).isEqualTo(start);
    assertThat(fragment.id())
        .isEqualTo(trace.tenant() + ":" + trace.traceId().toHex() + ":f" + trace.fragment());
    assertThat(fragment.index()).isEqualTo(LAYOUT.fragmentIndex(IndexLayout.dayOf(start)));
  }

  @Test
  void refusesFragmentBytesThatAreNotGzip() {
    assertThatThrownBy(() -> SpanDocumentMapper.decodeFragment(new byte[] {1, 2, 3}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not gzip");
  }

  @Test
  void indexesScalarsAndUniformArrays_butNotBytesMapsOrMixedArrays() {
    assertThat(SpanDocumentMapper.indexable(new AnyValue.StringValue("x"))).isEqualTo("x");
    assertThat(SpanDocumentMapper.indexable(new AnyValue.BoolValue(true))).isEqualTo(true);
    assertThat(SpanDocumentMapper.indexable(new AnyValue.DoubleValue(1.5))).isEqualTo(1.5);
    assertThat(SpanDocumentMapper.indexable(new AnyValue.DoubleValue(Double.NaN))).isNull();
    assertThat(
            SpanDocumentMapper.indexable(
                new AnyValue.ArrayValue(
                    List.of(new AnyValue.LongValue(1), new AnyValue.LongValue(2)))))
        .isEqualTo(List.of(1L, 2L));
    assertThat(
            SpanDocumentMapper.indexable(
                new AnyValue.ArrayValue(
                    List.of(new AnyValue.LongValue(1), new AnyValue.StringValue("2")))))
        .isNull();
    assertThat(SpanDocumentMapper.indexable(new AnyValue.BytesValue(new byte[] {1}))).isNull();
    assertThat(SpanDocumentMapper.indexable(new AnyValue.KeyValueList(List.of()))).isNull();
  }

  @Test
  void anArrayAttributeIsTaggedWhole_andElementByElement() throws Exception {
    Span span =
        trace.spans().get(1).toBuilder()
            .addAttribute(
                new Attribute(
                    "tags",
                    new AnyValue.ArrayValue(
                        List.of(new AnyValue.StringValue("blue"), new AnyValue.LongValue(7)))))
            .build();

    JsonNode doc = json(MAPPER.spanDocument("acme", 0, span));

    assertThat(texts(doc.get(Fields.TAGS)))
        .contains(
            Fields.tag(
                "tags", span.attributes().get(span.attributes().size() - 1).value().asText()),
            "tags=blue",
            "tags=7");
    assertThat(texts(doc.get(Fields.TAG_KEYS))).containsOnlyOnce("tags");
  }

  @Test
  void summarisesTheFragmentForTheMergeScript() {
    TraceSummaryUpdate summary = MAPPER.map(kept(trace, "errors", "slow")).summary();

    assertThat(summary.id()).isEqualTo("acme:" + trace.traceId().toHex());
    assertThat(summary.fragment()).isZero();
    assertThat(summary.params())
        .containsEntry("spanCount", 2)
        .containsEntry("error", true)
        .containsEntry("services", List.of("checkout", "frontend"))
        .containsEntry("policies", List.of("errors", "slow"))
        .containsEntry("rootFound", true)
        .containsEntry("rootService", "frontend")
        .containsEntry("rootName", "GET /checkout")
        .containsEntry("start", trace.summary().startEpochNanos())
        .containsEntry("end", trace.summary().endEpochNanos());
  }

  @Test
  void aLateFragmentWithoutRootSaysSo() {
    AssembledTrace late =
        TraceBuilder.trace()
            .traceId(trace.traceId())
            .fragment(2)
            .shiftedBy(Duration.ofDays(1))
            .orphan("audit", "record", 10, 5)
            .build();

    TraceDocuments docs = MAPPER.map(kept(late, "errors"));

    assertThat(docs.summary().fragment()).isEqualTo(2);
    assertThat(docs.summary().params()).containsEntry("rootFound", false);
    assertThat(json(docs.spans().get(0)).get(Fields.FRAGMENT).asInt()).isEqualTo(2);
    assertThat(docs.spans().get(0).index())
        .isEqualTo(
            LAYOUT.spanIndex(IndexLayout.dayOf(trace.summary().startEpochNanos()).plusDays(1)));
    assertThat(IndexLayout.dayOf(late.summary().startEpochNanos()))
        .isAfter(LocalDate.of(2025, 1, 1));
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new java.util.ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static JsonNode json(SpanDocument doc) {
    try {
      return JSON.readTree(doc.json());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static SampledTrace kept(AssembledTrace trace, String... policies) {
    return new SampledTrace(
        trace,
        new SamplingDecision(
            trace.tenant(), trace.traceId(), DecisionOutcome.KEEP, List.of(policies), 1.0, 1L));
  }
}
