package io.spanline.index.document;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.util.RawValue;
import io.spanline.index.layout.Fields;
import io.spanline.index.layout.IndexLayout;
import io.spanline.index.testing.IndexSinkHarness;
import io.spanline.schemas.codec.otlp.OtlpJsonCodec;
import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.testing.TraceBuilder;
import java.nio.charset.StandardCharsets;
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
  void mapsEachSpanToADocumentInTheIndexOfItsStartDay_withADeterministicId() {
    TraceDocuments docs = MAPPER.map(IndexSinkHarness.kept(trace, "errors"));

    assertThat(docs.spans()).hasSize(2);
    SpanDocument child = docs.spans().get(1);
    Span span = trace.spans().get(1);
    assertThat(child.index())
        .isEqualTo("spanline-spans-" + IndexLayout.dayOf(span.startEpochNanos()));
    assertThat(child.id())
        .isEqualTo("acme:" + trace.traceId().toHex() + ":" + span.spanId().toHex())
        .isEqualTo(MAPPER.map(IndexSinkHarness.kept(trace, "other")).spans().get(1).id());
    Map<String, Object> source = child.source();
    assertThat(source)
        .containsEntry(Fields.TENANT, "acme")
        .containsEntry(Fields.TRACE_ID, trace.traceId().toHex())
        .containsEntry(Fields.SPAN_ID, span.spanId().toHex())
        .containsEntry(Fields.PARENT_SPAN_ID, trace.spans().get(0).spanId().toHex())
        .containsEntry(Fields.SERVICE, "checkout")
        .containsEntry(Fields.NAME, "POST /orders")
        .containsEntry(Fields.KIND, "CLIENT")
        .containsEntry(Fields.STATUS, "ERROR")
        .containsEntry(Fields.STATUS_MESSAGE, "failed")
        .containsEntry(Fields.START_TIME, span.startEpochNanos() / 1_000_000)
        .containsEntry(Fields.START_TIME_UNIX_NANO, span.startEpochNanos())
        .containsEntry(Fields.DURATION_NANOS, 80_000_000L);
    assertThat(docs.spans().get(0).source()).doesNotContainKey(Fields.PARENT_SPAN_ID);
  }

  @Test
  void indexesOnlyAllowlistedAttributes_fromSpanAndResource_withDotsAsAt() {
    TraceDocuments docs = MAPPER.map(IndexSinkHarness.kept(trace, "errors"));

    assertThat(docs.spans().get(0).source().get(Fields.ATTRIBUTES))
        .isEqualTo(Map.of("deployment@environment@name", "prod"));
    assertThat(docs.spans().get(1).source().get(Fields.ATTRIBUTES))
        .isEqualTo(Map.of("http@response@status_code", 201L));
    assertThat(Fields.attributeField("http.response.status_code"))
        .isEqualTo("attr.http@response@status_code");
  }

  @Test
  void storesTheWholeSpanAsOtlpJson() {
    SpanDocument doc = MAPPER.map(IndexSinkHarness.kept(trace, "errors")).spans().get(1);

    RawValue otlp = (RawValue) doc.source().get(Fields.OTLP);
    List<Span> decoded =
        OtlpJsonCodec.decode(otlp.rawValue().toString().getBytes(StandardCharsets.UTF_8));
    assertThat(decoded).containsExactly(trace.spans().get(1));
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
  void summarisesTheFragmentForTheMergeScript() {
    TraceSummaryUpdate summary =
        MAPPER.map(IndexSinkHarness.kept(trace, "errors", "slow")).summary();

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

    TraceDocuments docs = MAPPER.map(IndexSinkHarness.kept(late, "errors"));

    assertThat(docs.summary().fragment()).isEqualTo(2);
    assertThat(docs.summary().params()).containsEntry("rootFound", false);
    assertThat(docs.spans().get(0).source()).containsEntry(Fields.FRAGMENT, 2);
    assertThat(docs.spans().get(0).index())
        .isEqualTo(
            LAYOUT.spanIndex(IndexLayout.dayOf(trace.summary().startEpochNanos()).plusDays(1)));
    assertThat(IndexLayout.dayOf(late.summary().startEpochNanos()))
        .isAfter(LocalDate.of(2025, 1, 1));
  }
}
