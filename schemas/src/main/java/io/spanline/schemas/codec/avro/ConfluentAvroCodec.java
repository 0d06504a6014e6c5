package io.spanline.schemas.codec.avro;

import io.spanline.schemas.codec.MalformedAvroException;
import io.spanline.schemas.model.InvalidIdException;
import io.spanline.schemas.registry.SchemaRegistryClient;
import io.spanline.schemas.registry.SchemaRegistryException;
import java.io.ByteArrayOutputStream;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.avro.io.DatumReader;

/**
 * Model ↔ Avro in the Confluent Schema Registry wire format: magic byte 0, the 4-byte big-endian
 * schema ID, then Avro binary. Writes with the current schema, registered under the given subject
 * on first use; reads with the writer's schema fetched by ID and resolved to the current schema, so
 * records written by an older or newer compatible schema decode. Stock Confluent deserializers
 * (Kafka Connect, ksqlDB, Flink, Spark) read what it writes. Thread-safe.
 *
 * @param <T> the model type
 */
public final class ConfluentAvroCodec<T> {
  /** The Confluent wire format's magic byte. */
  public static final byte MAGIC_BYTE = 0;

  /** Magic byte plus schema ID. */
  public static final int HEADER_BYTES = 5;

  private final AvroRecordCodec<T> codec;
  private final SchemaRegistryClient registry;
  private final Map<String, Integer> idsBySubject = new ConcurrentHashMap<>();
  private final Map<Integer, DatumReader<Object>> readersById = new ConcurrentHashMap<>();

  public ConfluentAvroCodec(AvroRecordCodec<T> codec, SchemaRegistryClient registry) {
    this.codec = Objects.requireNonNull(codec, "codec");
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /**
   * Frames a value for a record whose schema belongs under {@code subject}.
   *
   * @throws SchemaRegistryException if the schema cannot be registered
   */
  public byte[] serialize(String subject, T value) {
    int id = idsBySubject.computeIfAbsent(subject, s -> registry.register(s, codec.schema()));
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    out.write(MAGIC_BYTE);
    out.write(id >>> 24);
    out.write(id >>> 16);
    out.write(id >>> 8);
    out.write(id);
    codec.writeTo(value, out);
    return out.toByteArray();
  }

  /**
   * Frames Avro binary already written with the current schema (e.g. by a transcoder that never
   * built the model value).
   *
   * @throws SchemaRegistryException if the schema cannot be registered
   */
  public byte[] serializeEncoded(String subject, byte[] avroBinary) {
    int id = idsBySubject.computeIfAbsent(subject, s -> registry.register(s, codec.schema()));
    byte[] out = new byte[HEADER_BYTES + avroBinary.length];
    out[0] = MAGIC_BYTE;
    out[1] = (byte) (id >>> 24);
    out[2] = (byte) (id >>> 16);
    out[3] = (byte) (id >>> 8);
    out[4] = (byte) id;
    System.arraycopy(avroBinary, 0, out, HEADER_BYTES, avroBinary.length);
    return out;
  }

  /**
   * Reads a framed record.
   *
   * @throws MalformedAvroException if the framing is wrong, the writer schema is not valid Avro or
   *     cannot be resolved to the current schema, or the Avro binary does not match it
   * @throws SchemaRegistryException if the writer schema cannot be fetched
   * @throws InvalidIdException if a decoded trace or span ID is all zero
   */
  public T deserialize(byte[] framed) {
    if (framed == null || framed.length < HEADER_BYTES) {
      throw new MalformedAvroException(
          codec.name()
              + " record has "
              + (framed == null ? 0 : framed.length)
              + " bytes; the Confluent wire format needs at least 5 (magic byte and schema ID)");
    }
    if (framed[0] != MAGIC_BYTE) {
      throw new MalformedAvroException(
          codec.name()
              + " record starts with byte 0x"
              + Integer.toHexString(framed[0] & 0xff)
              + "; the Confluent wire format starts with magic byte 0x00");
    }
    int id = readId(framed);
    DatumReader<Object> reader = readersById.computeIfAbsent(id, this::readerFor);
    return codec.decode(reader, framed, HEADER_BYTES, framed.length - HEADER_BYTES);
  }

  /**
   * Whether a framed record names the ID of the current schema under {@code subject} (registering
   * it on first use), so its Avro binary after the header is in the current schema.
   *
   * @throws SchemaRegistryException if the schema cannot be registered
   */
  public boolean isCurrentSchema(String subject, byte[] framed) {
    int id = idsBySubject.computeIfAbsent(subject, s -> registry.register(s, codec.schema()));
    return framed != null
        && framed.length >= HEADER_BYTES
        && framed[0] == MAGIC_BYTE
        && readId(framed) == id;
  }

  /** The schema ID a framed record names, without decoding it. */
  public static int schemaIdOf(byte[] framed) {
    if (framed == null || framed.length < HEADER_BYTES || framed[0] != MAGIC_BYTE) {
      throw new MalformedAvroException("not a record in the Confluent wire format");
    }
    return readId(framed);
  }

  private static int readId(byte[] framed) {
    return ((framed[1] & 0xff) << 24)
        | ((framed[2] & 0xff) << 16)
        | ((framed[3] & 0xff) << 8)
        | (framed[4] & 0xff);
  }

  private DatumReader<Object> readerFor(int id) {
    String schemaJson = registry.schemaById(id);
    Schema writerSchema;
    try {
      writerSchema = new Schema.Parser().parse(schemaJson);
    } catch (SchemaParseException e) {
      throw new MalformedAvroException(
          "schema ID " + id + " is not a valid Avro schema: " + e.getMessage(), e);
    }
    return codec.readerFor(writerSchema);
  }
}
