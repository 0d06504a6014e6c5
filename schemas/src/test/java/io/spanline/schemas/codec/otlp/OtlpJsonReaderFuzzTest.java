package io.spanline.schemas.codec.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.spanline.schemas.codec.MalformedOtlpException;

/**
 * Coverage-guided fuzzing of the OTLP/JSON reader the gateway runs on every {@code
 * application/json} export: any bytes either become {@code TracesData} or are refused with {@link
 * MalformedOtlpException} (the gateway's 400); any other throwable is a finding. What the reader
 * accepts must also decode leniently into the model without any exception, and the wire splitter
 * must keep and reject the same spans the model decoder does. Seeds: {@code
 * OtlpJsonReaderFuzzTestInputs/} (docs/fuzzing.md).
 */
class OtlpJsonReaderFuzzTest {

  @FuzzTest
  void readsAnyJson_orRefusesItAsMalformed(byte[] json) {
    byte[] tracesData;
    try {
      tracesData = OtlpJsonCodec.toProtobuf(json);
    } catch (MalformedOtlpException e) {
      return;
    }
    DecodedSpans decoded = OtlpJsonCodec.decodeLenient(json);
    WireSplit split =
        OtlpWireSplitter.split(tracesData, OtlpTraceSplitter.KEEP_ALL, Integer.MAX_VALUE);
    assertThat(split.keptSpans()).isEqualTo(decoded.spans().size());
    assertThat(split.rejections()).hasSameSizeAs(decoded.rejections());
  }
}
