package io.spanline.schemas.codec.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.schemas.codec.avro.AvroRecordCodec;
import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.testing.ConformanceFixtures;
import io.spanline.schemas.testing.TestSpans;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The wire-level transcoder writes exactly what the model path writes, or defers to it. */
class OtlpAvroTranscoderTest {

  static Stream<Path> fixtures() {
    return ConformanceFixtures.jaegerTraceFiles().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void conformanceTraces_transcodeToTheModelPathsBytes(Path fixture) throws Exception {
    byte[] protobuf = OtlpJsonCodec.toProtobuf(Files.readAllBytes(fixture));
    for (TracePart part : OtlpTraceSplitter.splitByTrace(protobuf)) {
      List<byte[]> chunks = List.of(part.tracesData());

      OtlpAvroTranscoder.Result fast =
          OtlpAvroTranscoder.transcode("tenant-a", part.traceId(), 1, chunks, id -> false);
      OtlpAvroTranscoder.Result model =
          OtlpAvroTranscoder.viaModel("tenant-a", part.traceId(), 1, chunks, id -> false);

      assertThat(fast).as("transcoded without the model").isNotNull();
      assertThat(fast.avroBinary()).isEqualTo(model.avroBinary());
      assertThat(fast.spanIds()).isEqualTo(model.spanIds());
    }
  }

  @Test
  void chunksWithDuplicatesAndEveryValueKind_transcodeToTheModelPathsBytes() {
    TestSpans spans = new TestSpans(9);
    TraceId trace = spans.traceId();
    List<Attribute> attributes =
        List.of(
            new Attribute("empty", AnyValue.EMPTY),
            Attribute.of("s", "ünïcode ✓ 𝄞"),
            Attribute.of("blank", ""),
            Attribute.of("b", false),
            Attribute.of("l", Long.MIN_VALUE),
            Attribute.of("d", Double.NaN),
            new Attribute("bytes", AnyValue.ofBytes(new byte[] {0, -1, 7})),
            new Attribute(
                "array",
                AnyValue.ofArray(
                    List.of(AnyValue.of("x"), AnyValue.of(2L), AnyValue.ofArray(List.of())))),
            new Attribute(
                "kv",
                AnyValue.ofKeyValues(
                    List.of(Attribute.of("inner", 3L), new Attribute("none", AnyValue.EMPTY)))));
    List<Span> all = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      Span s =
          spans.span(
              trace,
              i == 0 ? null : spans.spanId(),
              TestSpans.resource(i % 3 == 0 ? "frontend" : "db"),
              TestSpans.scope(i % 2 == 0 ? "http" : "jdbc"),
              10);
      all.add(s.toBuilder().attributes(i % 5 == 0 ? attributes : s.attributes()).build());
    }
    List<Span> shuffled = new ArrayList<>(all);
    Collections.shuffle(shuffled, new Random(4));
    List<byte[]> chunks = new ArrayList<>();
    for (int i = 0; i < shuffled.size(); i += 7) {
      chunks.add(OtlpProtoCodec.encode(shuffled.subList(i, Math.min(shuffled.size(), i + 7))));
    }
    chunks.add(OtlpProtoCodec.encode(shuffled.subList(0, 4))); // repeated spans
    long emitted = all.get(3).spanId().value();

    OtlpAvroTranscoder.Result fast =
        OtlpAvroTranscoder.transcode("acme", trace, 0, chunks, id -> id == emitted);
    OtlpAvroTranscoder.Result model =
        OtlpAvroTranscoder.viaModel("acme", trace, 0, chunks, id -> id == emitted);

    assertThat(fast).isNotNull();
    assertThat(fast.avroBinary()).isEqualTo(model.avroBinary());
    assertThat(fast.duplicates()).isEqualTo(model.duplicates()).isEqualTo(5);
    AssembledTrace decoded = AvroRecordCodec.ASSEMBLED_TRACE.decode(fast.avroBinary());
    assertThat(decoded.spans()).hasSize(29);
    assertThat(decoded.summary().services()).containsExactly("db", "frontend");
  }

  @Test
  void aStringThatIsNotUtf8_isLeftToTheModelPath_whichReportsTheChunk() {
    TestSpans spans = new TestSpans(2);
    TraceId trace = spans.traceId();
    Span s =
        spans.span(trace, null, TestSpans.resource("svc"), TestSpans.scope("lib"), 0).toBuilder()
            .name("NAME")
            .build();
    byte[] chunk = OtlpProtoCodec.encode(List.of(s));
    byte[] marker = "NAME".getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i + marker.length <= chunk.length; i++) {
      if (java.util.Arrays.equals(chunk, i, i + marker.length, marker, 0, marker.length)) {
        chunk[i] = (byte) 0xC3; // a lead byte followed by ASCII: not UTF-8
        break;
      }
    }

    assertThat(OtlpAvroTranscoder.transcode("t", trace, 0, List.of(chunk), id -> false)).isNull();
    OtlpAvroTranscoder.Result result =
        OtlpAvroTranscoder.assemble("t", trace, 0, List.of(chunk), id -> false);
    assertThat(result.avroBinary()).isNull();
    assertThat(result.rejections()).extracting(SpanRejection::reason).containsExactly("malformed");
  }
}
