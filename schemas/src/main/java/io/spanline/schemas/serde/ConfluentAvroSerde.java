package io.spanline.schemas.serde;

import io.spanline.schemas.codec.CodecException;
import io.spanline.schemas.codec.avro.AvroRecordCodec;
import io.spanline.schemas.codec.avro.ConfluentAvroCodec;
import io.spanline.schemas.model.InvalidIdException;
import io.spanline.schemas.registry.SchemaRegistryClient;
import io.spanline.schemas.registry.SchemaRegistryException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Values of Spanline's own topics: Avro in the Confluent Schema Registry wire format, the schema
 * registered under the TopicNameStrategy subject {@code <topic>-value}. Errors surface as {@link
 * SerializationException}s naming the topic, with the typed cause ({@link CodecException}, {@link
 * InvalidIdException} or {@link SchemaRegistryException}).
 *
 * @param <T> the model type
 */
public final class ConfluentAvroSerde<T> implements Serde<T> {
  private final ConfluentAvroCodec<T> codec;

  public ConfluentAvroSerde(AvroRecordCodec<T> codec, SchemaRegistryClient registry) {
    this.codec = new ConfluentAvroCodec<>(codec, registry);
  }

  /** The TopicNameStrategy subject of a topic's values. */
  public static String valueSubject(String topic) {
    return topic + "-value";
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, value) -> {
      if (value == null) {
        return null;
      }
      try {
        return codec.serialize(valueSubject(topic), value);
      } catch (SchemaRegistryException e) {
        throw new SerializationException(
            "cannot register the value schema of topic " + topic + ": " + e.getMessage(), e);
      }
    };
  }

  /**
   * A serializer for values already encoded as Avro binary with this record's current schema: it
   * only adds the Confluent framing (registering the schema on first use).
   */
  public Serializer<byte[]> encodedSerializer() {
    return (topic, avroBinary) -> {
      if (avroBinary == null) {
        return null;
      }
      try {
        return codec.serializeEncoded(valueSubject(topic), avroBinary);
      } catch (SchemaRegistryException e) {
        throw new SerializationException(
            "cannot register the value schema of topic " + topic + ": " + e.getMessage(), e);
      }
    };
  }

  /**
   * Whether a framed value of {@code topic} names the schema ID under which this record's current
   * schema is registered for that topic.
   */
  public boolean isCurrentSchema(String topic, byte[] framed) {
    return codec.isCurrentSchema(valueSubject(topic), framed);
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      try {
        return codec.deserialize(bytes);
      } catch (CodecException | InvalidIdException | SchemaRegistryException e) {
        throw new SerializationException(
            "Avro value on topic " + topic + " cannot be read: " + e.getMessage(), e);
      }
    };
  }
}
