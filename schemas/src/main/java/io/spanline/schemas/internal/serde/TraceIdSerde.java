package io.spanline.schemas.internal.serde;

import io.spanline.schemas.model.InvalidIdException;
import io.spanline.schemas.model.TraceId;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The record key of every Spanline topic: the trace ID as 32 lowercase hex chars, UTF-8 (the key
 * the OpenTelemetry Collector's Kafka exporter writes with {@code partition_traces_by_id}).
 * Deserializing a key that is not a valid trace ID throws a {@link SerializationException} whose
 * cause is the {@link InvalidIdException}; a null key stays null.
 */
public final class TraceIdSerde implements Serde<TraceId> {
  @Override
  public Serializer<TraceId> serializer() {
    return (topic, id) -> id == null ? null : id.toHex().getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public Deserializer<TraceId> deserializer() {
    return (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      try {
        return TraceId.fromHex(new String(bytes, StandardCharsets.UTF_8));
      } catch (InvalidIdException e) {
        throw new SerializationException(
            "record key on topic " + topic + " is not a trace ID: " + e.getMessage(), e);
      }
    };
  }
}
