package io.spanline.schemas.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanline.schemas.codec.avro.AvroRecordCodec;
import io.spanline.schemas.codec.otlp.OtlpJsonCodec;
import io.spanline.schemas.codec.otlp.OtlpProtoCodec;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.InvalidIdException;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.testing.TestSpans;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bad bytes give typed exceptions whose messages say what was wrong and where. */
class MalformedInputTest {

  private static byte[] json(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String oneSpan(String spanFields) {
    return "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{" + spanFields + "}]}]}]}";
  }

  private static final String IDS =
      "\"traceId\":\"5b8efff798038103d269b633813fc60c\",\"spanId\":\"eee19b7ec3c1b174\"";

  @Test
  void acceptsAValidMinimalSpan() {
    List<Span> spans = OtlpJsonCodec.decode(json(oneSpan(IDS + ",\"name\":\"ok\"")));

    assertThat(spans).singleElement().extracting(Span::name).isEqualTo("ok");
  }

  @Test
  void truncatedProtobuf() {
    byte[] valid = OtlpProtoCodec.encode(new TestSpans(1).interleavedTraces(1, 3, 20));
    byte[] truncated = Arrays.copyOf(valid, valid.length / 2);

    assertThatThrownBy(() -> OtlpProtoCodec.decode(truncated))
        .isInstanceOf(MalformedOtlpException.class)
        .hasMessageContaining("is not a valid TracesData")
        .hasMessageContaining(truncated.length + " bytes");
  }

  @Test
  void protobufWithAShortSpanId() {
    byte[] spanWithShortId =
        OtlpJsonCodec.toProtobuf(
            json(oneSpan("\"traceId\":\"5b8efff798038103d269b633813fc60c\",\"spanId\":\"eee1\"")));

    assertThatThrownBy(() -> OtlpProtoCodec.decode(spanWithShortId))
        .isInstanceOf(InvalidIdException.class)
        .hasMessageContaining("resourceSpans[0].scopeSpans[0].spans[0]")
        .hasMessageContaining("span ID has 2 bytes");
  }

  @Test
  void jsonThatIsNotJson() {
    assertThatThrownBy(() -> OtlpJsonCodec.decode(json("{\"resourceSpans\": [ {")))
        .isInstanceOf(MalformedOtlpException.class)
        .hasMessageContaining("not valid JSON")
        .hasMessageContaining("line 1");
  }

  @Test
  void jsonWithAnAllZeroTraceId() {
    String span =
        "\"traceId\":\"00000000000000000000000000000000\",\"spanId\":\"eee19b7ec3c1b174\"";

    assertThatThrownBy(() -> OtlpJsonCodec.decode(json(oneSpan(span))))
        .isInstanceOf(InvalidIdException.class)
        .hasMessageContaining("all zero");
  }

  @Test
  void jsonWithNonHexId() {
    assertThatThrownBy(
            () ->
                OtlpJsonCodec.decode(
                    json(oneSpan("\"traceId\":\"W4739/eAOBPSabYzgT/GDA==\",\"spanId\":\"x\""))))
        .isInstanceOf(MalformedOtlpException.class)
        .hasMessageContaining("$.resourceSpans[0].scopeSpans[0].spans[0].traceId");
  }

  @Test
  void jsonWithABadInteger() {
    String attrs = ",\"attributes\":[{\"key\":\"k\",\"value\":{\"intValue\":\"12x\"}}]";

    assertThatThrownBy(() -> OtlpJsonCodec.decode(json(oneSpan(IDS + attrs))))
        .isInstanceOf(MalformedOtlpException.class)
        .hasMessageContaining("attributes[0].value.intValue")
        .hasMessageContaining("'12x' is not a signed 64-bit integer");
  }

  @Test
  void jsonWithAnUnknownEnumName() {
    assertThatThrownBy(() -> OtlpJsonCodec.decode(json(oneSpan(IDS + ",\"kind\":\"SPAN_KIND_X\""))))
        .isInstanceOf(MalformedOtlpException.class)
        .hasMessageContaining("unknown enum value 'SPAN_KIND_X'");
  }

  @Test
  void jsonAcceptsSnakeCaseNamesEnumNamesAndNumbers() {
    String span =
        "\"trace_id\":\"5b8efff798038103d269b633813fc60c\",\"span_id\":\"eee19b7ec3c1b174\","
            + "\"kind\":\"SPAN_KIND_CLIENT\",\"start_time_unix_nano\":1700000000000000000,"
            + "\"status\":{\"code\":\"STATUS_CODE_ERROR\"},\"unknownField\":{\"a\":[1,2]},"
            + "\"attributes\":[{\"key\":\"d\",\"value\":{\"double_value\":\"NaN\"}}]";

    Span decoded = OtlpJsonCodec.decode(json(oneSpan(span))).get(0);

    assertThat(decoded.kind()).isEqualTo(io.spanline.schemas.model.SpanKind.CLIENT);
    assertThat(decoded.startEpochNanos()).isEqualTo(1_700_000_000_000_000_000L);
    assertThat(decoded.status().isError()).isTrue();
    assertThat(decoded.attributes().get(0).value().asText()).isEqualTo("NaN");
  }

  @Test
  void lenientDecodeKeepsValidSpansAndReportsEachInvalidOne() {
    String valid = "{" + IDS + ",\"name\":\"ok\"}";
    String zeroTrace =
        "{\"traceId\":\"00000000000000000000000000000000\",\"spanId\":\"eee19b7ec3c1b174\"}";
    String shortSpan = "{\"traceId\":\"5b8efff798038103d269b633813fc60c\",\"spanId\":\"ee\"}";
    String body =
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":["
            + valid
            + ","
            + zeroTrace
            + ","
            + shortSpan
            + "]}]}]}";

    io.spanline.schemas.codec.otlp.DecodedSpans fromJson = OtlpJsonCodec.decodeLenient(json(body));
    io.spanline.schemas.codec.otlp.DecodedSpans fromProto =
        OtlpProtoCodec.decodeLenient(OtlpJsonCodec.toProtobuf(json(body)));

    for (io.spanline.schemas.codec.otlp.DecodedSpans decoded : List.of(fromJson, fromProto)) {
      assertThat(decoded.spans()).extracting(Span::name).containsExactly("ok");
      assertThat(decoded.rejections())
          .extracting(r -> r.reason())
          .containsExactly("invalid_trace_id", "invalid_span_id");
      assertThat(decoded.rejections().get(1).detail())
          .startsWith("resourceSpans[0].scopeSpans[0].spans[2]");
    }
  }

  @Test
  void avroWithoutTheMagicByte() {
    AssembledTrace trace = trace();
    byte[] plain = AvroRecordCodec.ASSEMBLED_TRACE.encode(trace);

    assertThat(AvroRecordCodec.ASSEMBLED_TRACE.decode(plain)).isEqualTo(trace);
    assertThatThrownBy(() -> AvroRecordCodec.ASSEMBLED_TRACE.decode(Arrays.copyOf(plain, 20)))
        .isInstanceOf(MalformedAvroException.class)
        .hasMessageContaining("AssembledTrace Avro record (20 bytes) cannot be decoded");
  }

  private static AssembledTrace trace() {
    List<Span> spans = new TestSpans(11).interleavedTraces(1, 4, 30);
    return AssembledTrace.of("acme", spans.get(0).traceId(), 0, spans);
  }
}
