package io.spanline.gateway.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanline.gateway.config.RedactionRule;
import io.spanline.gateway.config.TenantLimits;
import io.spanline.gateway.testing.TestRequests;
import io.spanline.schemas.codec.otlp.OtlpProtoCodec;
import io.spanline.schemas.codec.otlp.OtlpWireSplitter;
import io.spanline.schemas.codec.otlp.TracePart;
import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.Resource;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.TraceId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The debug switch's header, its span attribute, and what head sampling and stripping do. */
class DebugSwitchTest {
  private static final String KEY = "spanline.debug";
  private static final long WIDE = Long.MAX_VALUE / 2;

  private static Span marked(TraceId trace, AnyValue value) {
    Span s = TestRequests.span(trace, 2, 5);
    List<Attribute> attributes = new ArrayList<>(s.attributes());
    attributes.add(new Attribute(KEY, value));
    return s.toBuilder().attributes(attributes).build();
  }

  private static List<Span> split(byte[] body, IngestPolicy policy) {
    List<Span> out = new ArrayList<>();
    for (TracePart p : OtlpWireSplitter.split(body, policy, 1 << 20).parts()) {
      out.addAll(OtlpProtoCodec.decode(p.tracesData()));
    }
    return out;
  }

  private static IngestPolicy policy(
      List<RedactionRule> rules, HeadSampler sampler, Set<TraceId> debug, String markWith) {
    return new IngestPolicy(
        TenantLimits.DEFAULTS, rules, new Redactor(rules), sampler, -WIDE, WIDE, debug, markWith);
  }

  @Test
  void theHeaderMarksWithOneOrTrue_notWithZeroFalseOrNothing_andRefusesAnythingElse() {
    assertThat(DebugMarks.headerMarks("1")).isTrue();
    assertThat(DebugMarks.headerMarks(" TRUE ")).isTrue();
    assertThat(DebugMarks.headerMarks("0")).isFalse();
    assertThat(DebugMarks.headerMarks("false")).isFalse();
    assertThat(DebugMarks.headerMarks(null)).isFalse();
    assertThatThrownBy(() -> DebugMarks.headerMarks("yes"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the spanline-debug header must be 1, true, 0 or false, was \"yes\"");
  }

  @Test
  void spansMarkedByTheAttributeAreFound_asABaggageCopyOrABoolean() {
    // Given one trace marked with "1" (a baggage copy), one with true, one with "0", one unmarked
    TraceId baggage = TestRequests.newTraceId();
    TraceId bool = TestRequests.newTraceId();
    TraceId zero = TestRequests.newTraceId();
    TraceId plain = TestRequests.newTraceId();
    byte[] body =
        TestRequests.protobuf(
            List.of(
                marked(baggage, new AnyValue.StringValue("1")),
                marked(bool, new AnyValue.BoolValue(true)),
                marked(zero, new AnyValue.StringValue("0")),
                TestRequests.span(plain, 2, 5)));

    // Then only the first two are marked
    assertThat(DebugMarks.markedTraces(body, KEY)).containsExactlyInAnyOrder(baggage, bool);
    // and a request without the key is answered without a scan
    assertThat(DebugMarks.markedTraces(TestRequests.protobuf(TestRequests.spans(3, 2)), KEY))
        .isEmpty();
  }

  @Test
  void aMarkedTraceSurvivesHeadSamplingAtZero_withItsUnmarkedSpans() {
    // Given a request of a marked trace (one span marked, one not) and an unmarked trace
    TraceId debug = TestRequests.newTraceId();
    TraceId other = TestRequests.newTraceId();
    byte[] body =
        TestRequests.protobuf(
            List.of(
                marked(debug, new AnyValue.StringValue("1")),
                TestRequests.span(debug, 2, 5),
                TestRequests.span(other, 2, 5)));

    // When head sampling keeps nothing
    List<Span> kept =
        split(
            body, policy(List.of(), new HeadSampler(0), DebugMarks.markedTraces(body, KEY), null));

    // Then both spans of the marked trace are kept, the other trace is not
    assertThat(kept).extracting(Span::traceId).containsExactly(debug, debug);
  }

  @Test
  void theHeaderKeepsEveryTraceOfTheRequest_andMarksEverySpan() {
    byte[] body = TestRequests.protobuf(TestRequests.spans(3, 2));

    List<Span> kept = split(body, policy(List.of(), new HeadSampler(0), Set.of(), KEY));

    assertThat(kept).hasSize(6);
    assertThat(kept)
        .allSatisfy(
            s ->
                assertThat(Attribute.find(s.attributes(), KEY))
                    .contains(new AnyValue.BoolValue(true)));
  }

  @Test
  void aRefusedTenantsMarksAreRemoved_fromSpansAndResources() {
    // Given a span marked on itself and on its resource
    TraceId trace = TestRequests.newTraceId();
    Span s = marked(trace, new AnyValue.StringValue("1"));
    s =
        s.toBuilder()
            .resource(
                new Resource(
                    List.of(Attribute.of("service.name", "svc"), Attribute.of(KEY, true)), 0, ""))
            .build();
    byte[] body = TestRequests.protobuf(List.of(s));
    List<RedactionRule> strip =
        List.of(new RedactionRule(KEY, RedactionRule.Action.DROP, null, null));

    // When written for a tenant refused the switch, head sampling off
    List<Span> kept = split(body, policy(strip, new HeadSampler(100), Set.of(), null));

    // Then the span is kept without any debug attribute
    assertThat(kept)
        .singleElement()
        .satisfies(
            k -> {
              assertThat(Attribute.find(k.attributes(), KEY)).isEmpty();
              assertThat(Attribute.find(k.resource().attributes(), KEY)).isEmpty();
              assertThat(Attribute.find(k.resource().attributes(), "service.name")).isPresent();
            });
  }
}
