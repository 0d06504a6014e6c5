package io.spanline.schemas.internal.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanline.schemas.codec.MalformedOtlpException;
import io.spanline.schemas.model.InvalidIdException;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.testing.TestSpans;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class KeyAndOtlpSerdeTest {

  @Test
  void keyIsTheTraceIdAs32LowercaseHexChars() {
    TraceId id = TraceId.fromHex("0AF7651916CD43DD8448EB211C80319C");
    TraceIdSerde serde = new TraceIdSerde();

    byte[] key = serde.serializer().serialize("otlp_spans", id);

    assertThat(new String(key, StandardCharsets.UTF_8))
        .isEqualTo("0af7651916cd43dd8448eb211c80319c");
    assertThat(serde.deserializer().deserialize("otlp_spans", key)).isEqualTo(id);
  }

  @Test
  void badKeyIsASerializationErrorWithTheTypedCause() {
    assertThatThrownBy(
            () ->
                new TraceIdSerde()
                    .deserializer()
                    .deserialize("otlp_spans", "nope".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("topic otlp_spans")
        .hasCauseInstanceOf(InvalidIdException.class);
  }

  @Test
  void otlpValuesRoundTrip_andGarbageIsASerializationError() {
    List<Span> spans = new TestSpans(4).interleavedTraces(1, 3, 10);
    OtlpSpansSerde serde = new OtlpSpansSerde();

    byte[] bytes = serde.serializer().serialize("otlp_spans", spans);

    assertThat(serde.deserializer().deserialize("otlp_spans", bytes))
        .containsExactlyInAnyOrderElementsOf(spans);
    assertThatThrownBy(() -> serde.deserializer().deserialize("otlp_spans", new byte[] {10, 50, 1}))
        .isInstanceOf(SerializationException.class)
        .hasCauseInstanceOf(MalformedOtlpException.class);
  }
}
