package io.spanline.schemas.codec.avro;

import io.spanline.schemas.codec.MalformedAvroException;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.InvalidIdException;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.schemas.model.ServiceMetrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.Encoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * Model ↔ Avro binary (no framing) for one of Spanline's record types, with the schema in {@code
 * schemas/src/main/avro}. Thread-safe. For Kafka records use {@link ConfluentAvroCodec}, which adds
 * the schema-registry framing and reads data written with older schemas.
 *
 * @param <T> the model type
 */
public final class AvroRecordCodec<T> {
  /** Java package (= Avro namespace) of the classes generated from {@code src/main/avro}. */
  static final String GENERATED_PACKAGE = "io.spanline.avro";

  static {
    // Avro 1.12 only instantiates generated classes from packages it trusts; add ours to whatever
    // the application (or the org.apache.avro.SERIALIZABLE_* system properties) already trusts.
    ClassSecurityValidator.ClassSecurityPredicate trusted = ClassSecurityValidator.getGlobal();
    ClassSecurityValidator.setGlobal(
        ClassSecurityValidator.composite(
            trusted, type -> type.getName().startsWith(GENERATED_PACKAGE + ".")));
  }

  public static final AvroRecordCodec<AssembledTrace> ASSEMBLED_TRACE =
      new AvroRecordCodec<>(
          "AssembledTrace",
          io.spanline.avro.AssembledTrace.getClassSchema(),
          AvroModelMapper::toAvro,
          r -> AvroModelMapper.fromAvro((io.spanline.avro.AssembledTrace) r),
          AvroTraceWriter::write);

  public static final AvroRecordCodec<SampledTrace> SAMPLED_TRACE =
      new AvroRecordCodec<>(
          "SampledTrace",
          io.spanline.avro.SampledTrace.getClassSchema(),
          AvroModelMapper::toAvro,
          r -> AvroModelMapper.fromAvro((io.spanline.avro.SampledTrace) r),
          null);

  public static final AvroRecordCodec<SamplingDecision> SAMPLING_DECISION =
      new AvroRecordCodec<>(
          "SamplingDecision",
          io.spanline.avro.SamplingDecision.getClassSchema(),
          AvroModelMapper::toAvro,
          r -> AvroModelMapper.fromAvro((io.spanline.avro.SamplingDecision) r),
          AvroTraceWriter::writeDecision);

  public static final AvroRecordCodec<ServiceMetrics> SERVICE_METRICS =
      new AvroRecordCodec<>(
          "ServiceMetrics",
          io.spanline.avro.ServiceMetrics.getClassSchema(),
          AvroModelMapper::toAvro,
          r -> AvroModelMapper.fromAvro((io.spanline.avro.ServiceMetrics) r),
          null);

  private final String name;
  private final Schema schema;
  private final String schemaJson;
  private final Function<T, ? extends SpecificRecordBase> toAvro;
  private final Function<Object, T> fromAvro;
  private final SpecificDatumWriter<Object> writer;
  private final DatumReader<Object> reader;
  private final DirectWriter<T> direct;

  /** Writes a value as Avro binary straight from the model, byte-identical to the generic path. */
  @FunctionalInterface
  interface DirectWriter<T> {
    void write(T value, Encoder out) throws IOException;
  }

  private AvroRecordCodec(
      String name,
      Schema schema,
      Function<T, ? extends SpecificRecordBase> toAvro,
      Function<Object, T> fromAvro,
      DirectWriter<T> direct) {
    this.direct = direct;
    this.name = name;
    this.schema = schema;
    this.schemaJson = schema.toString();
    this.toAvro = toAvro;
    this.fromAvro = fromAvro;
    this.writer = new SpecificDatumWriter<>(schema);
    this.reader = new SpecificDatumReader<>(schema);
  }

  /** The record's name, e.g. {@code AssembledTrace}. */
  String name() {
    return name;
  }

  /** The current Avro schema as JSON text, as registered with the schema registry. */
  public String schema() {
    return schemaJson;
  }

  Schema avroSchema() {
    return schema;
  }

  /** Encodes a value as Avro binary with the current schema. */
  public byte[] encode(T value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    writeTo(value, out);
    return out.toByteArray();
  }

  /** One encoder per thread, pointed at each new stream: a fresh one allocates a 2 KiB buffer. */
  private static final ThreadLocal<BinaryEncoder[]> ENCODERS =
      ThreadLocal.withInitial(() -> new BinaryEncoder[1]);

  void writeTo(T value, ByteArrayOutputStream out) {
    try {
      BinaryEncoder[] reuse = ENCODERS.get();
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, reuse[0]);
      reuse[0] = encoder;
      if (direct != null) {
        direct.write(value, encoder);
      } else {
        writer.write(toAvro.apply(value), encoder);
      }
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("writing Avro to memory failed", e);
    }
  }

  /**
   * Decodes Avro binary written with the current schema.
   *
   * @throws MalformedAvroException if the bytes are not such a record
   * @throws InvalidIdException if a decoded trace or span ID is all zero
   */
  public T decode(byte[] avroBinary) {
    return decode(reader, avroBinary, 0, avroBinary.length);
  }

  /** Encodes through the generated records and {@code SpecificDatumWriter} (the reference path). */
  byte[] encodeGeneric(T value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    try {
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
      writer.write(toAvro.apply(value), encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("writing Avro to memory failed", e);
    }
    return out.toByteArray();
  }

  /** A reader that resolves data written with {@code writerSchema} to the current schema. */
  DatumReader<Object> readerFor(Schema writerSchema) {
    return new SpecificDatumReader<>(writerSchema, schema);
  }

  T decode(DatumReader<Object> datumReader, byte[] bytes, int offset, int length) {
    Object record;
    try {
      BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, offset, length, null);
      record = datumReader.read(null, decoder);
      if (!decoder.isEnd()) {
        throw new MalformedAvroException(name + " Avro record has trailing bytes after the record");
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof MalformedAvroException m) {
        throw m;
      }
      throw new MalformedAvroException(
          name + " Avro record (" + length + " bytes) cannot be decoded: " + e, e);
    }
    try {
      return fromAvro.apply(record);
    } catch (InvalidIdException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new MalformedAvroException(
          name + " Avro record breaks the model: " + e.getMessage(), e);
    }
  }
}
