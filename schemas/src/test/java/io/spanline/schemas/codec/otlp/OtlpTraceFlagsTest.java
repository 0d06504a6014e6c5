package io.spanline.schemas.codec.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanline.schemas.codec.MalformedOtlpException;
import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.Resource;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanId;
import io.spanline.schemas.model.Status;
import io.spanline.schemas.model.StatusCode;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.testing.TestSpans;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OtlpTraceFlagsTest {
  private static final String DEBUG = "spanline.debug";
  private static final TraceId TRACE = new TraceId(1, 2);

  private static Span span(long id, StatusCode code, Attribute... attributes) {
    Span.Builder b =
        Span.builder(TRACE, new SpanId(id))
            .name("op")
            .time(1_000, 2_000)
            .status(new Status(code, ""))
            .resource(TestSpans.resource("shop"))
            .scope(TestSpans.scope("lib"));
    for (Attribute a : attributes) {
      b.addAttribute(a);
    }
    return b.build();
  }

  private static OtlpTraceFlags scan(Span... spans) {
    return OtlpTraceFlags.scan(OtlpProtoCodec.encode(List.of(spans)), DEBUG);
  }

  @Test
  void plainSpans_areNeitherErrorNorDebug() {
    OtlpTraceFlags f =
        scan(span(1, StatusCode.UNSET), span(2, StatusCode.OK, Attribute.of("k", "v")));
    assertThat(f).isEqualTo(new OtlpTraceFlags(false, false));
    assertThat(f.exempt()).isFalse();
  }

  @Test
  void anErrorSpanAnywhere_flagsError() {
    OtlpTraceFlags f = scan(span(1, StatusCode.UNSET), span(2, StatusCode.ERROR));
    assertThat(f.error()).isTrue();
    assertThat(f.debug()).isFalse();
    assertThat(f.exempt()).isTrue();
  }

  @Test
  void debugAttribute_marksWhenTrueOneOrTheStringTrue() {
    assertThat(scan(span(1, StatusCode.UNSET, Attribute.of(DEBUG, true))).debug()).isTrue();
    assertThat(scan(span(1, StatusCode.UNSET, Attribute.of(DEBUG, 1L))).debug()).isTrue();
    assertThat(scan(span(1, StatusCode.UNSET, Attribute.of(DEBUG, "TRUE"))).debug()).isTrue();
    assertThat(scan(span(1, StatusCode.UNSET, Attribute.of(DEBUG, "1"))).debug()).isTrue();
    assertThat(scan(span(1, StatusCode.UNSET, Attribute.of(DEBUG, false))).debug()).isFalse();
    assertThat(scan(span(1, StatusCode.UNSET, Attribute.of(DEBUG, 2L))).debug()).isFalse();
    assertThat(scan(span(1, StatusCode.UNSET, Attribute.of(DEBUG, "yes"))).debug()).isFalse();
    assertThat(scan(span(1, StatusCode.UNSET, Attribute.of(DEBUG, 1.0))).debug()).isFalse();
    assertThat(scan(span(1, StatusCode.UNSET, Attribute.of("other", true))).debug()).isFalse();
    assertThat(scan(span(1, StatusCode.UNSET, Attribute.of(DEBUG + "x", true))).debug()).isFalse();
  }

  @Test
  void debugAttributeOnTheResource_marksToo() {
    Span s =
        span(1, StatusCode.UNSET).toBuilder()
            .resource(
                new Resource(
                    List.of(Attribute.of("service.name", "shop"), Attribute.of(DEBUG, true)),
                    0,
                    ""))
            .build();
    assertThat(scan(s).debug()).isTrue();
  }

  @Test
  void agreesWithTheModel_onGeneratedSpans() {
    TestSpans gen = new TestSpans(11);
    List<Span> spans = gen.interleavedTraces(20, 5, 10);
    boolean anyError = spans.stream().anyMatch(s -> s.status().isError());
    OtlpTraceFlags f = OtlpTraceFlags.scan(OtlpProtoCodec.encode(spans), DEBUG);
    assertThat(f.error()).isEqualTo(anyError);
    assertThat(f.debug()).isFalse();
    List<Span> marked =
        List.of(
            spans.get(3).toBuilder().addAttribute(new Attribute(DEBUG, AnyValue.of(true))).build());
    assertThat(OtlpTraceFlags.scan(OtlpProtoCodec.encode(marked), DEBUG).debug()).isTrue();
  }

  @Test
  void truncatedOrGarbageBytes_areMalformed_neverAnotherError() {
    byte[] valid = OtlpProtoCodec.encode(List.of(span(1, StatusCode.ERROR)));
    assertThatThrownBy(() -> OtlpTraceFlags.scan(Arrays.copyOf(valid, valid.length - 3), DEBUG))
        .isInstanceOf(MalformedOtlpException.class);
    Random random = new Random(3);
    for (int i = 0; i < 20_000; i++) {
      byte[] b = new byte[random.nextInt(64)];
      random.nextBytes(b);
      try {
        OtlpTraceFlags.scan(b, DEBUG);
      } catch (MalformedOtlpException expected) {
        // fine: only this may be thrown
      }
    }
  }
}
