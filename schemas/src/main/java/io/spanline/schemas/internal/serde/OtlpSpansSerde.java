package io.spanline.schemas.internal.serde;

import io.spanline.schemas.codec.CodecException;
import io.spanline.schemas.codec.otlp.OtlpProtoCodec;
import io.spanline.schemas.model.InvalidIdException;
import io.spanline.schemas.model.Span;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Values of topic {@code otlp_spans}: OTLP {@code TracesData} protobuf (what the OpenTelemetry
 * Collector's Kafka exporter writes with {@code encoding: otlp_proto}). Malformed values throw a
 * {@link SerializationException} naming the topic, with the codec's typed exception as cause, so
 * Kafka's deserialization-exception handlers can dead-letter them.
 */
public final class OtlpSpansSerde implements Serde<List<Span>> {
  @Override
  public Serializer<List<Span>> serializer() {
    return (topic, spans) -> spans == null ? null : OtlpProtoCodec.encode(spans);
  }

  @Override
  public Deserializer<List<Span>> deserializer() {
    return (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      try {
        return OtlpProtoCodec.decode(bytes);
      } catch (CodecException | InvalidIdException e) {
        throw new SerializationException(
            "OTLP value on topic " + topic + " cannot be read: " + e.getMessage(), e);
      }
    };
  }
}
