package io.spanline.schemas.codec.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.proto.trace.v1.TracesData;
import io.spanline.schemas.codec.MalformedOtlpException;
import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.Resource;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanEvent;
import io.spanline.schemas.model.Status;
import io.spanline.schemas.model.StatusCode;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.testing.OtlpOracle;
import io.spanline.schemas.testing.OtlpOracle.SpanInContext;
import io.spanline.schemas.testing.TestSpans;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OtlpWireSplitterTest {

  /** A policy from a judging function; rewrites rename the span, resources get an attribute. */
  private static SpanPolicy policy(
      Set<String> watched, Function<SpanFacts, SpanPolicy.Verdict> judge) {
    return new SpanPolicy() {
      @Override
      public Set<String> watchedKeys() {
        return watched;
      }

      @Override
      public Verdict judge(SpanFacts facts) {
        return judge.apply(facts);
      }

      @Override
      public Span rewrite(Span span) {
        return span.toBuilder().name(span.name() + "-rewritten").build();
      }

      @Override
      public Resource rewriteResource(Resource resource) {
        List<Attribute> attributes = new ArrayList<>(resource.attributes());
        attributes.removeIf(a -> watched.contains(a.key()));
        return new Resource(attributes, resource.droppedAttributesCount(), resource.schemaUrl());
      }
    };
  }

  private static final SpanPolicy KEEP_ALL = policy(Set.of(), f -> SpanPolicy.Verdict.keep());

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 42})
  void keepsEverySpanOnce_withItsResourceAndScope_andNeverMixesTraces(long seed) throws Exception {
    List<Span> spans = new TestSpans(seed).interleavedTraces(7, 12, 40);
    byte[] request = OtlpProtoCodec.encode(spans);

    WireSplit split = OtlpWireSplitter.split(request, KEEP_ALL, 1_000_000);

    assertThat(split.parts()).extracting(TracePart::traceId).doesNotHaveDuplicates().hasSize(7);
    assertThat(split.keptSpans()).isEqualTo(84);
    List<SpanInContext> all = new ArrayList<>();
    for (TracePart part : split.parts()) {
      assertThat(OtlpProtoCodec.decode(part.tracesData()))
          .hasSize(part.spanCount())
          .allMatch(s -> s.traceId().equals(part.traceId()));
      all.addAll(OtlpOracle.flatten(TracesData.parseFrom(part.tracesData())));
    }
    assertThat(all)
        .containsExactlyInAnyOrderElementsOf(OtlpOracle.flatten(TracesData.parseFrom(request)));
  }

  @ParameterizedTest(name = "limit {0} bytes")
  @ValueSource(ints = {1_000, 4_096, 20_000})
  void splitsALargeTraceUnderTheLimit(int limit) throws Exception {
    List<Span> spans = new TestSpans(limit).interleavedTraces(1, 300, 200);
    byte[] request = OtlpProtoCodec.encode(spans);

    WireSplit split = OtlpWireSplitter.split(request, KEEP_ALL, limit);

    assertThat(split.parts()).hasSizeGreaterThan(1);
    assertThat(split.parts()).allSatisfy(p -> assertThat(p.sizeBytes()).isLessThanOrEqualTo(limit));
    List<SpanInContext> all = new ArrayList<>();
    for (TracePart part : split.parts()) {
      all.addAll(OtlpOracle.flatten(TracesData.parseFrom(part.tracesData())));
    }
    assertThat(all)
        .containsExactlyInAnyOrderElementsOf(OtlpOracle.flatten(TracesData.parseFrom(request)));
  }

  @Test
  void rejectsInvalidIdsBeforeThePolicySeesThem() {
    String trace = "5b8efff798038103d269b633813fc60c";
    String json =
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":["
            + "{\"traceId\":\""
            + trace
            + "\",\"spanId\":\"eee19b7ec3c1b174\",\"name\":\"ok\"},"
            + "{\"traceId\":\"00000000000000000000000000000000\",\"spanId\":\"eee19b7ec3c1b175\"},"
            + "{\"traceId\":\""
            + trace
            + "\",\"spanId\":\"0000000000000000\"},"
            + "{\"traceId\":\""
            + trace
            + "\",\"spanId\":\"eee19b7ec3c1b176\",\"parentSpanId\":\"ab\"},"
            + "{\"traceId\":\""
            + trace
            + "\",\"spanId\":\"eee19b7ec3c1b177\",\"links\":[{\"traceId\":\"ab\",\"spanId\":\"eee19b7ec3c1b174\"}]}"
            + "]}]}]}";
    List<SpanFacts> judged = new ArrayList<>();

    WireSplit split =
        OtlpWireSplitter.split(
            OtlpJsonCodec.toProtobuf(json.getBytes(StandardCharsets.UTF_8)),
            policy(
                Set.of(),
                f -> {
                  judged.add(f);
                  return SpanPolicy.Verdict.keep();
                }),
            1_000_000);

    assertThat(judged).hasSize(1);
    assertThat(split.keptSpans()).isEqualTo(1);
    assertThat(split.rejections())
        .extracting(SpanRejection::reason)
        .containsExactly(
            "invalid_trace_id", "invalid_span_id", "invalid_parent_span_id", "invalid_link");
    assertThat(split.rejections().get(3).detail())
        .startsWith("resourceSpans[0].scopeSpans[0].spans[4]");
  }

  @Test
  void reportsFactsAndFollowsTheVerdicts() {
    TestSpans make = new TestSpans(8);
    TraceId trace = make.traceId();
    Resource resource =
        new Resource(
            List.of(Attribute.of("service.name", "s"), Attribute.of("secret", "x")), 0, "");
    Span keep =
        make.span(trace, null, resource, TestSpans.scope("a"), 10).toBuilder().name("keep").build();
    Span rewrite =
        make.span(trace, null, resource, TestSpans.scope("a"), 10).toBuilder()
            .name("rewrite")
            .addAttribute(Attribute.of("big", "y".repeat(5000)))
            .addEvent(new SpanEvent(1, "e", List.of(Attribute.of("secret", "z")), 0))
            .build();
    Span reject =
        make.span(trace, null, resource, TestSpans.scope("a"), 10).toBuilder()
            .name("reject")
            .time(5, 1)
            .build();
    Span drop =
        make.span(trace, null, resource, TestSpans.scope("a"), 10).toBuilder().name("drop").build();
    byte[] request = OtlpProtoCodec.encode(List.of(keep, rewrite, reject, drop));
    List<SpanFacts> facts = new ArrayList<>();

    WireSplit split =
        OtlpWireSplitter.split(
            request,
            policy(
                Set.of("secret"),
                f -> {
                  facts.add(f);
                  if (f.endEpochNanos() < f.startEpochNanos()) {
                    return SpanPolicy.Verdict.reject("end_before_start");
                  }
                  if (f.maxValueBytes() > 1000 || f.watchedKey()) {
                    return SpanPolicy.Verdict.rewrite();
                  }
                  return facts.size() == 4 ? SpanPolicy.Verdict.drop() : SpanPolicy.Verdict.keep();
                }),
            1_000_000);

    assertThat(facts.get(1).maxValueBytes()).isEqualTo(5000);
    assertThat(facts.get(1).attributes()).isEqualTo(rewrite.attributes().size());
    assertThat(facts.get(1).events()).isEqualTo(2);
    assertThat(facts.get(1).watchedKey()).isTrue();
    assertThat(facts.get(0).watchedKey()).isFalse();
    assertThat(facts.get(0).traceId()).isEqualTo(trace);
    assertThat(split.rejections())
        .extracting(SpanRejection::reason)
        .containsExactly("end_before_start");
    assertThat(split.droppedSpans()).isEqualTo(1);
    List<Span> written = OtlpProtoCodec.decode(split.parts().get(0).tracesData());
    assertThat(written).extracting(Span::name).containsExactly("keep", "rewrite-rewritten");
    assertThat(written.get(0).toBuilder().resource(keep.resource()).build()).isEqualTo(keep);
    assertThat(written)
        .allSatisfy(s -> assertThat(Attribute.find(s.resource().attributes(), "secret")).isEmpty());
    assertThat(Attribute.find(written.get(1).attributes(), "big"))
        .contains(AnyValue.of("y".repeat(5000)));
  }

  @Test
  void truncatedProtobufIsMalformed() {
    byte[] request = OtlpProtoCodec.encode(new TestSpans(3).interleavedTraces(2, 3, 10));
    byte[] truncated = Arrays.copyOf(request, request.length - 9);

    assertThatThrownBy(() -> OtlpWireSplitter.split(truncated, KEEP_ALL, 1000))
        .isInstanceOf(MalformedOtlpException.class)
        .hasMessageContaining("not a valid TracesData");
  }

  @Test
  void findsTheTracesWithAnErrorSpan_asTheDecodedModelDoes() {
    // Given interleaved traces where some spans failed, some are OK, and one trace has only a
    // status message with code UNSET
    List<Span> spans = new ArrayList<>(new TestSpans(11).interleavedTraces(12, 4, 40));
    for (int i = 0; i < spans.size(); i++) {
      Status status =
          switch (i % 7) {
            case 0 -> new Status(StatusCode.ERROR, "boom");
            case 1 -> new Status(StatusCode.OK, "");
            case 2 -> new Status(StatusCode.UNSET, "not an error");
            default -> Status.UNSET;
          };
      spans.set(i, spans.get(i).toBuilder().status(status).build());
    }
    byte[] request = OtlpProtoCodec.encode(spans);
    Set<TraceId> expected = new java.util.HashSet<>();
    for (Span s : OtlpProtoCodec.decodeLenient(request).spans()) {
      if (s.status().isError()) {
        expected.add(s.traceId());
      }
    }

    // When the wire scan looks for error spans
    Set<TraceId> found = OtlpWireSplitter.tracesWithErrors(request);

    // Then it finds exactly the traces the full decode finds
    assertThat(expected).isNotEmpty().hasSizeLessThan(12);
    assertThat(found).isEqualTo(expected);
  }

  @Test
  void errorScanOfTruncatedProtobufIsMalformed() {
    byte[] request = OtlpProtoCodec.encode(new TestSpans(3).interleavedTraces(2, 3, 10));
    byte[] truncated = Arrays.copyOf(request, request.length - 9);

    assertThatThrownBy(() -> OtlpWireSplitter.tracesWithErrors(truncated))
        .isInstanceOf(MalformedOtlpException.class);
  }
}
