package io.spanline.schemas.codec.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.spanline.schemas.codec.MalformedOtlpException;
import io.spanline.schemas.model.InvalidIdException;
import io.spanline.schemas.model.Span;
import java.util.List;

/**
 * Coverage-guided fuzzing of the OTLP protobuf decoder (what the assembly stream reads from {@code
 * otlp_spans}): any bytes either decode, or are refused with {@link MalformedOtlpException} or, by
 * the strict decoder, {@link InvalidIdException}; any other throwable is a finding. Whatever
 * decodes must encode again, as protobuf and as OTLP/JSON, and decode back to as many spans. Seeds:
 * {@code OtlpProtoCodecFuzzTestInputs/} (docs/fuzzing.md).
 */
class OtlpProtoCodecFuzzTest {

  @FuzzTest
  void decodesAnyBytes_orRefusesThemAsMalformed(byte[] tracesData) {
    try {
      OtlpProtoCodec.decode(tracesData);
    } catch (MalformedOtlpException | InvalidIdException e) {
      // declared bad input
    }
    DecodedSpans lenient;
    try {
      lenient = OtlpProtoCodec.decodeLenient(tracesData);
    } catch (MalformedOtlpException e) {
      return;
    }
    List<Span> spans = lenient.spans();
    assertThat(OtlpProtoCodec.decode(OtlpProtoCodec.encode(spans))).hasSameSizeAs(spans);
    assertThat(OtlpJsonCodec.decode(OtlpJsonCodec.encode(spans))).hasSameSizeAs(spans);
  }
}
