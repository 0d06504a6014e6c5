package io.spanline.schemas.serde;

import io.spanline.schemas.codec.CodecException;
import io.spanline.schemas.codec.otlp.OtlpTraceSplitter;
import io.spanline.schemas.codec.otlp.TracePart;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A record value holding the spans of exactly one trace as OTLP {@code TracesData} protobuf (the
 * {@code otlp_spans} format). Serializing writes the part's bytes unchanged; deserializing scans
 * them for the trace ID and span count and throws a {@link SerializationException} when they are
 * not valid OTLP or hold spans of more than one trace.
 */
public final class TracePartSerde implements Serde<TracePart> {
  @Override
  public Serializer<TracePart> serializer() {
    return (topic, part) -> part == null ? null : part.tracesData();
  }

  @Override
  public Deserializer<TracePart> deserializer() {
    return (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      List<TracePart> parts;
      try {
        parts = OtlpTraceSplitter.splitByTrace(bytes);
      } catch (CodecException | IllegalArgumentException e) {
        throw new SerializationException(
            "record on topic " + topic + " is not OTLP TracesData: " + e.getMessage(), e);
      }
      if (parts.size() != 1) {
        throw new SerializationException(
            "record on topic "
                + topic
                + " holds spans of "
                + parts.size()
                + " traces; one was expected");
      }
      return parts.get(0);
    };
  }
}
