package io.spanline.schemas.codec.avro;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.DecisionOutcome;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.testing.ConformanceFixtures;
import io.spanline.schemas.testing.TestSpans;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The direct model-to-Avro writer writes exactly the bytes of the generated-record path. */
class AvroTraceWriterTest {

  static Stream<Path> fixtures() {
    return ConformanceFixtures.jaegerTraceFiles().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void conformanceTraces_encodeByteForByteAsTheGenericWriter(Path fixture) throws Exception {
    for (AssembledTrace t : ConformanceFixtures.assembledTraces(fixture, "tenant-a", 2)) {
      assertSameBytes(t);
    }
  }

  @Test
  void everyKindOfAttributeValue_encodesByteForByteAsTheGenericWriter() {
    TestSpans spans = new TestSpans(3);
    TraceId trace = spans.traceId();
    List<Attribute> nested = TestSpans.everyValueKind();
    List<Span> list = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      Span s =
          spans.span(
              trace,
              i == 0 ? null : spans.spanId(),
              TestSpans.resource(i % 2 == 0 ? "a" : "b"),
              TestSpans.scope("lib"),
              30);
      list.add(s.toBuilder().attributes(nested).build());
    }
    assertSameBytes(AssembledTrace.of("t", trace, 0, list));
  }

  @Test
  void samplingDecisions_encodeByteForByteAsTheGenericWriter() {
    TraceId trace = new TestSpans(5).traceId();
    for (SamplingDecision d :
        List.of(
            new SamplingDecision("t", trace, DecisionOutcome.KEEP, List.of("a", "ü"), 0.25, 42L),
            new SamplingDecision("", trace, DecisionOutcome.DROP, List.of(), 1.0, -1L))) {
      byte[] direct = AvroRecordCodec.SAMPLING_DECISION.encode(d);
      assertThat(direct).isEqualTo(AvroRecordCodec.SAMPLING_DECISION.encodeGeneric(d));
      assertThat(AvroRecordCodec.SAMPLING_DECISION.decode(direct)).isEqualTo(d);
    }
  }

  private static void assertSameBytes(AssembledTrace trace) {
    byte[] direct = AvroRecordCodec.ASSEMBLED_TRACE.encode(trace);
    byte[] generic = AvroRecordCodec.ASSEMBLED_TRACE.encodeGeneric(trace);
    assertThat(direct).isEqualTo(generic);
    assertThat(AvroRecordCodec.ASSEMBLED_TRACE.decode(direct)).isEqualTo(trace);
  }
}
