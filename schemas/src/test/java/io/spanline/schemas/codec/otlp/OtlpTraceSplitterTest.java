package io.spanline.schemas.codec.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.proto.trace.v1.TracesData;
import io.spanline.schemas.codec.MalformedOtlpException;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.testing.OtlpOracle;
import io.spanline.schemas.testing.OtlpOracle.SpanInContext;
import io.spanline.schemas.testing.TestSpans;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OtlpTraceSplitterTest {

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 42, 1234})
  void splitByTrace_keepsEverySpanExactlyOnce_andNeverMixesTraces(long seed) throws Exception {
    // Given one request with 7 traces interleaved across 3 resources and 2 scopes
    List<Span> spans = new TestSpans(seed).interleavedTraces(7, 12, 40);
    byte[] request = OtlpProtoCodec.encode(spans);

    // When it is split by trace ID
    List<TracePart> parts = OtlpTraceSplitter.splitByTrace(request);

    // Then there is one part per trace, each holding only its own trace's spans,
    assertThat(parts).extracting(TracePart::traceId).doesNotHaveDuplicates().hasSize(7);
    List<SpanInContext> all = new ArrayList<>();
    for (TracePart part : parts) {
      List<Span> decoded = OtlpProtoCodec.decode(part.tracesData());
      assertThat(decoded).allMatch(s -> s.traceId().equals(part.traceId()));
      assertThat(decoded).hasSize(part.spanCount()).hasSize(12);
      all.addAll(OtlpOracle.flatten(TracesData.parseFrom(part.tracesData())));
    }
    // and together the parts hold every span exactly once, with its resource and scope
    assertThat(all)
        .containsExactlyInAnyOrderElementsOf(OtlpOracle.flatten(TracesData.parseFrom(request)));
  }

  @Test
  void splitByTrace_returnsASingleTraceRequestAsItIs() {
    List<Span> spans = new TestSpans(7).interleavedTraces(1, 5, 10);
    byte[] request = OtlpProtoCodec.encode(spans);

    List<TracePart> parts = OtlpTraceSplitter.splitByTrace(request);

    assertThat(parts).hasSize(1);
    assertThat(parts.get(0).tracesData()).isSameAs(request);
    assertThat(parts.get(0).spanCount()).isEqualTo(5);
  }

  @Test
  void splitByTraceLenient_passesASingleTraceThroughWithoutCopying_andSplitsSeveral() {
    byte[] single = OtlpProtoCodec.encode(new TestSpans(3).interleavedTraces(1, 4, 10));
    byte[] several = OtlpProtoCodec.encode(new TestSpans(4).interleavedTraces(3, 4, 10));

    WireSplit one = OtlpTraceSplitter.splitByTraceLenient(single);
    WireSplit three = OtlpTraceSplitter.splitByTraceLenient(several);

    assertThat(one.parts())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.tracesData()).isSameAs(single);
              assertThat(p.spanCount()).isEqualTo(4);
            });
    assertThat(three.parts()).hasSize(3);
    assertThat(three.parts()).allSatisfy(p -> assertThat(p.tracesData()).isNotSameAs(several));
    assertThat(three.keptSpans()).isEqualTo(12);
  }

  @Test
  void splitByTrace_keepsSpanOrderWithinATrace() {
    List<Span> spans = new TestSpans(9).interleavedTraces(3, 10, 5);
    List<TracePart> parts = OtlpTraceSplitter.splitByTrace(OtlpProtoCodec.encode(spans));

    for (TracePart part : parts) {
      List<Span> expected = spans.stream().filter(s -> s.traceId().equals(part.traceId())).toList();
      // the request grouped spans by resource and scope; within each group the order holds
      assertThat(OtlpProtoCodec.decode(part.tracesData()))
          .containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  @ParameterizedTest(name = "limit {0} bytes")
  @ValueSource(ints = {1_000, 4_096, 20_000})
  void splitBySize_keepsEveryPartUnderTheLimit_andEverySpanOnce(int limit) throws Exception {
    // Given one trace of 300 spans of ~200 bytes each (~80 KB encoded)
    List<Span> spans = new TestSpans(limit).interleavedTraces(1, 300, 200);
    byte[] request = OtlpProtoCodec.encode(spans);
    assertThat(request.length).isGreaterThan(limit);

    // When it is split under the limit
    List<TracePart> parts = OtlpTraceSplitter.split(request, limit);

    // Then every part fits and the spans are all there exactly once
    assertThat(parts).hasSizeGreaterThan(1);
    assertThat(parts).allSatisfy(p -> assertThat(p.sizeBytes()).isLessThanOrEqualTo(limit));
    List<SpanInContext> all = new ArrayList<>();
    int spanCount = 0;
    for (TracePart part : parts) {
      all.addAll(OtlpOracle.flatten(TracesData.parseFrom(part.tracesData())));
      spanCount += part.spanCount();
    }
    assertThat(spanCount).isEqualTo(300);
    assertThat(all)
        .containsExactlyInAnyOrderElementsOf(OtlpOracle.flatten(TracesData.parseFrom(request)));
  }

  @Test
  void splitBySize_putsASpanLargerThanTheLimitInAPartOfItsOwn() {
    TestSpans make = new TestSpans(5);
    TraceId trace = make.traceId();
    List<Span> spans =
        List.of(
            make.span(trace, null, TestSpans.resource("a"), TestSpans.scope("s"), 100),
            make.span(trace, null, TestSpans.resource("a"), TestSpans.scope("s"), 5_000),
            make.span(trace, null, TestSpans.resource("a"), TestSpans.scope("s"), 100));

    List<TracePart> parts = OtlpTraceSplitter.split(OtlpProtoCodec.encode(spans), 2_000);

    assertThat(parts).extracting(TracePart::spanCount).containsExactly(1, 1, 1);
    assertThat(parts.get(1).sizeBytes()).isGreaterThan(2_000);
    Set<Object> ids = new HashSet<>();
    parts.forEach(p -> OtlpProtoCodec.decode(p.tracesData()).forEach(s -> ids.add(s.spanId())));
    assertThat(ids).hasSize(3);
  }

  @Test
  void split_rejectsTruncatedProtobuf() {
    byte[] request = OtlpProtoCodec.encode(new TestSpans(3).interleavedTraces(2, 2, 10));
    byte[] truncated = java.util.Arrays.copyOf(request, request.length - 7);

    assertThatThrownBy(() -> OtlpTraceSplitter.split(truncated, 1000))
        .isInstanceOf(MalformedOtlpException.class)
        .hasMessageContaining("not a valid TracesData");
  }

  @Test
  void split_rejectsANonPositiveLimit() {
    assertThatThrownBy(() -> OtlpTraceSplitter.split(new byte[0], 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxPartBytes must be > 0");
  }
}
