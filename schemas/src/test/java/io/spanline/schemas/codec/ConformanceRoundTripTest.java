package io.spanline.schemas.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.trace.v1.TracesData;
import io.spanline.schemas.codec.avro.AvroRecordCodec;
import io.spanline.schemas.codec.otlp.OtlpJsonCodec;
import io.spanline.schemas.codec.otlp.OtlpProtoCodec;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.testing.ConformanceFixtures;
import io.spanline.schemas.testing.OtlpOracle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every trace of Jaeger's storage fixtures survives OTLP/JSON → model → Avro → model → OTLP
 * protobuf → OTLP/JSON with nothing lost, judged by protobuf's own JSON parser.
 */
class ConformanceRoundTripTest {

  static Stream<Path> fixtures() {
    return ConformanceFixtures.jaegerTraceFiles().stream();
  }

  @Test
  void allThirtyTwoFixturesArePresent() {
    assertThat(ConformanceFixtures.jaegerTraceFiles()).hasSize(32);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void roundTripsWithNothingLost(Path fixture) throws IOException {
    // Given an OTLP/JSON fixture, as an independent parser reads it
    byte[] json = Files.readAllBytes(fixture);
    TracesData expected = OtlpOracle.parseJson(json);

    // When it goes JSON -> model -> Avro (one AssembledTrace per trace) -> model -> protobuf ->
    // JSON
    List<Span> spans = OtlpJsonCodec.decode(json);
    List<Span> afterAvro = new ArrayList<>();
    for (Map.Entry<TraceId, List<Span>> trace : byTrace(spans).entrySet()) {
      AssembledTrace assembled = AssembledTrace.of("tenant-a", trace.getKey(), 0, trace.getValue());
      AssembledTrace decoded =
          AvroRecordCodec.ASSEMBLED_TRACE.decode(AvroRecordCodec.ASSEMBLED_TRACE.encode(assembled));
      assertThat(decoded).isEqualTo(assembled);
      afterAvro.addAll(decoded.spans());
    }
    byte[] protobuf = OtlpProtoCodec.encode(afterAvro);
    byte[] jsonAgain = OtlpJsonCodec.fromProtobuf(protobuf);

    // Then every span, with its resource and scope, is still there and unchanged
    TracesData actual = OtlpOracle.parseJson(jsonAgain);
    assertThat(OtlpOracle.flatten(actual))
        .containsExactlyInAnyOrderElementsOf(OtlpOracle.flatten(expected));
    assertThat(OtlpOracle.flatten(expected)).isNotEmpty();
    // and the model read back from our own JSON equals the model we started from
    assertThat(OtlpJsonCodec.decode(jsonAgain)).containsExactlyInAnyOrderElementsOf(spans);
  }

  private static Map<TraceId, List<Span>> byTrace(List<Span> spans) {
    Map<TraceId, List<Span>> out = new LinkedHashMap<>();
    for (Span s : spans) {
      out.computeIfAbsent(s.traceId(), id -> new ArrayList<>()).add(s);
    }
    return out;
  }
}
