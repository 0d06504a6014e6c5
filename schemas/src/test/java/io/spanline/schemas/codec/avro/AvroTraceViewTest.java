package io.spanline.schemas.codec.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanline.schemas.codec.MalformedAvroException;
import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.model.TraceView;
import io.spanline.schemas.testing.ConformanceFixtures;
import io.spanline.schemas.testing.TestSpans;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The view read from Avro bytes says what the model says, field by field. */
class AvroTraceViewTest {

  static Stream<Path> fixtures() {
    return ConformanceFixtures.jaegerTraceFiles().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void conformanceTraces_readAsTheModelSays(Path fixture) throws Exception {
    for (AssembledTrace t : ConformanceFixtures.assembledTraces(fixture, "tenant-a", 2)) {
      assertSameView(t);
    }
  }

  @Test
  void attributesOfEveryKind_onSpansAndResources_areFoundByKey() {
    TestSpans spans = new TestSpans(9);
    TraceId trace = spans.traceId();
    List<Attribute> attributes = TestSpans.everyValueKind();
    List<Span> list = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      Span s =
          spans.span(
              trace,
              i == 0 ? null : spans.spanId(),
              TestSpans.resource(i % 3 == 0 ? "a" : "b"),
              TestSpans.scope("lib"),
              30);
      list.add(
          s.toBuilder()
              .attributes(i == 7 ? attributes : List.of(Attribute.of("i", (long) i)))
              .traceState(i == 4 ? "vendor=x,other=y" : "")
              .flags(i % 2)
              .build());
    }
    AssembledTrace t = AssembledTrace.of("t", trace, 0, list);
    assertSameView(t);
    TraceView v = view(t);
    assertThat(v.anyAttribute("d", x -> x.equals(AnyValue.of(1.5e-300)))).isTrue();
    assertThat(
            v.anyAttribute(
                "bytes",
                x ->
                    x instanceof AnyValue.BytesValue b
                        && Arrays.equals(b.value(), new byte[] {0, -1, 7})))
        .isTrue();
    assertThat(v.anyAttribute("kv", x -> x.asText().contains("inner"))).isTrue();
    assertThat(v.anyAttribute("service.name", x -> x.asText().equals("b"))).isTrue();
    assertThat(v.anyAttribute("i", x -> x.equals(AnyValue.of(19L)))).isTrue();
    assertThat(v.anyAttribute("i", x -> x.equals(AnyValue.of(20L)))).isFalse();
    assertThat(v.anyAttribute("missing", x -> true)).isFalse();
  }

  @Test
  void truncatedOrTrailingBytesAreMalformed() {
    TestSpans spans = new TestSpans(4);
    TraceId trace = spans.traceId();
    AssembledTrace t =
        AssembledTrace.of(
            "t",
            trace,
            0,
            List.of(spans.span(trace, null, TestSpans.resource("a"), TestSpans.scope("l"), 10)));
    byte[] avro = AvroRecordCodec.ASSEMBLED_TRACE.encode(t);
    assertThatThrownBy(() -> AvroTraceView.of(avro, 0, avro.length - 3))
        .isInstanceOf(MalformedAvroException.class);
    byte[] longer = Arrays.copyOf(avro, avro.length + 2);
    assertThatThrownBy(() -> AvroTraceView.of(longer, 0, longer.length))
        .isInstanceOf(MalformedAvroException.class);
  }

  /** Found by AvroTraceViewFuzzTest: the declared span count sized twelve arrays up front. */
  @Test
  void aHugeDeclaredSpanCount_isNotAllocated_andTheShortRecordIsMalformed() {
    byte[] record = new AvroBytes().traceHeader(Integer.MAX_VALUE).longs(1, 0).bytes();

    assertThatThrownBy(() -> AvroTraceView.of(record, 0, record.length))
        .isInstanceOf(MalformedAvroException.class);
  }

  /** Found by AvroTraceViewFuzzTest: the bounds check overflowed, then String threw. */
  @Test
  void aLengthNearTwoToThe31_isMalformed_notAnIndexOutOfBounds() {
    byte[] record = new AvroBytes().longs(Integer.MAX_VALUE - 3).raw(40, 1).bytes();

    assertThatThrownBy(() -> AvroTraceView.of(record, 0, record.length))
        .isInstanceOf(MalformedAvroException.class);
  }

  @Test
  void attributeValuesNestedTooDeep_areMalformed_notAStackOverflow() {
    AvroBytes record = new AvroBytes().traceHeader(1).longs(1).spanBeforeAttributes();
    record.longs(1).string("k");
    for (int i = 0; i < 200_000; i++) {
      record.longs(6, 1); // AnyValue branch 6 (array) of one value: the next level
    }
    byte[] bytes = record.bytes();

    assertThatThrownBy(() -> AvroTraceView.of(bytes, 0, bytes.length))
        .isInstanceOf(MalformedAvroException.class)
        .hasMessageContaining("deeper than " + AvroTraceView.MAX_VALUE_DEPTH);
  }

  /** Avro binary written by hand, for records no encoder would write. */
  private static final class AvroBytes {
    private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();

    /** Avro longs and ints: zigzag varints. */
    AvroBytes longs(long... values) {
      for (long v : values) {
        long z = (v << 1) ^ (v >> 63);
        while ((z & ~0x7fL) != 0) {
          out.write((int) ((z & 0x7f) | 0x80));
          z >>>= 7;
        }
        out.write((int) z);
      }
      return this;
    }

    AvroBytes string(String s) {
      byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      longs(b.length);
      out.write(b, 0, b.length);
      return this;
    }

    AvroBytes raw(int count, int value) {
      for (int i = 0; i < count; i++) {
        out.write(value);
      }
      return this;
    }

    /**
     * AssembledTrace up to its spans array: tenant, trace ID, fragment, root service and span
     * names, start, end, duration, declared span count, error, no services, no missing parents, no
     * resources.
     */
    AvroBytes traceHeader(int declaredSpans) {
      return string("t")
          .raw(16, 7)
          .longs(0)
          .string("")
          .string("")
          .longs(0, 0, 0, declaredSpans)
          .raw(1, 0)
          .longs(0, 0, 0);
    }

    /**
     * A span up to its attributes: trace and span ID, no parent, trace state, flags, name, kind,
     * start, end.
     */
    AvroBytes spanBeforeAttributes() {
      return raw(16, 7).raw(8, 3).longs(0).string("").longs(0).string("n").longs(0, 0, 0);
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }

  private static TraceView view(AssembledTrace t) {
    byte[] avro = AvroRecordCodec.ASSEMBLED_TRACE.encode(t);
    byte[] framed = new byte[avro.length + 5];
    System.arraycopy(avro, 0, framed, 5, avro.length);
    return AvroTraceView.of(framed, 5, avro.length);
  }

  private static void assertSameView(AssembledTrace t) {
    TraceView model = TraceView.of(t);
    TraceView avro = view(t);
    assertThat(avro.tenant()).isEqualTo(model.tenant());
    assertThat(avro.traceId()).isEqualTo(model.traceId());
    assertThat(avro.fragment()).isEqualTo(model.fragment());
    assertThat(avro.rootServiceName()).isEqualTo(model.rootServiceName());
    assertThat(avro.startEpochNanos()).isEqualTo(model.startEpochNanos());
    assertThat(avro.endEpochNanos()).isEqualTo(model.endEpochNanos());
    assertThat(avro.spanCount()).isEqualTo(model.spanCount());
    for (int i = 0; i < model.spanCount(); i++) {
      String at = "span " + i;
      assertThat(avro.spanId(i)).as(at).isEqualTo(model.spanId(i));
      assertThat(avro.hasParent(i)).as(at).isEqualTo(model.hasParent(i));
      assertThat(avro.parentSpanId(i)).as(at).isEqualTo(model.parentSpanId(i));
      assertThat(avro.name(i)).as(at).isEqualTo(model.name(i));
      assertThat(avro.kind(i)).as(at).isEqualTo(model.kind(i));
      assertThat(avro.startEpochNanos(i)).as(at).isEqualTo(model.startEpochNanos(i));
      assertThat(avro.endEpochNanos(i)).as(at).isEqualTo(model.endEpochNanos(i));
      assertThat(avro.statusCode(i)).as(at).isEqualTo(model.statusCode(i));
      assertThat(avro.flags(i)).as(at).isEqualTo(model.flags(i));
      assertThat(avro.traceState(i)).as(at).isEqualTo(model.traceState(i));
      assertThat(avro.serviceName(i)).as(at).isEqualTo(model.serviceName(i));
    }
    for (Span s : t.spans()) {
      for (Attribute a : s.attributes()) {
        assertThat(avro.anyAttribute(a.key(), a.value()::equals)).as(a.toString()).isTrue();
      }
      for (Attribute a : s.resource().attributes()) {
        assertThat(avro.anyAttribute(a.key(), a.value()::equals)).as(a.toString()).isTrue();
      }
    }
  }
}
