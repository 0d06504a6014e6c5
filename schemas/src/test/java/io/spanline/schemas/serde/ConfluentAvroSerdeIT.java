package io.spanline.schemas.serde;

import static io.spanline.localinfra.junit.UniqueNames.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.schemas.codec.MalformedAvroException;
import io.spanline.schemas.codec.avro.AvroRecordCodec;
import io.spanline.schemas.codec.avro.ConfluentAvroCodec;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.DecisionOutcome;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.registry.RestSchemaRegistryClient;
import io.spanline.schemas.registry.SchemaRegistryException;
import io.spanline.schemas.testing.TestSpans;
import io.spanline.schemas.topic.SpanlineTopics;
import io.spanline.schemas.topic.TopicNames;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Avro framed in the Confluent wire format, with schemas registered in and fetched by ID from the
 * real local schema registry.
 */
@ExtendWith(LocalInfraExtension.class)
class ConfluentAvroSerdeIT {
  private LocalSchemaRegistry registry;
  private TopicNames topics;

  @BeforeEach
  void setUp(LocalSchemaRegistry registry) {
    this.registry = registry;
    this.topics = TopicNames.fromMap(Map.of(TopicNames.SAMPLED_TRACES_KEY, unique("sampled")));
  }

  private RestSchemaRegistryClient client() {
    return new RestSchemaRegistryClient(registry.uri(), Duration.ofSeconds(5));
  }

  private static SampledTrace sampledTrace() {
    List<Span> spans = new TestSpans(21).interleavedTraces(1, 6, 50);
    AssembledTrace trace = AssembledTrace.of("acme", spans.get(0).traceId(), 2, spans);
    SamplingDecision decision =
        new SamplingDecision(
            "acme",
            trace.traceId(),
            DecisionOutcome.KEEP,
            List.of("errors", "probabilistic-10"),
            0.1,
            1_700_000_000_123_456_789L);
    return new SampledTrace(trace, decision);
  }

  @Test
  void framedRecordDecodesWithTheSchemaFetchedById() {
    // Given a producer-side topic spec writing a SampledTrace
    SpanlineTopics producerSide = new SpanlineTopics(topics, client());
    SampledTrace value = sampledTrace();

    // When it is serialized for the sampled-traces topic
    byte[] framed =
        producerSide
            .sampledTraces()
            .valueSerde()
            .serializer()
            .serialize(topics.sampledTraces(), value);

    // Then the bytes are magic byte 0, a 4-byte big-endian schema ID, then Avro binary,
    ByteBuffer header = ByteBuffer.wrap(framed);
    assertThat(header.get()).isEqualTo((byte) 0);
    int schemaId = header.getInt();
    assertThat(schemaId).isEqualTo(ConfluentAvroCodec.schemaIdOf(framed)).isPositive();
    // the schema is registered under the TopicNameStrategy subject,
    assertThat(
            client()
                .register(
                    topics.sampledTraces() + "-value", AvroRecordCodec.SAMPLED_TRACE.schema()))
        .isEqualTo(schemaId);
    // and a consumer with a cold cache fetches that schema by ID and reads the same value
    SpanlineTopics consumerSide = new SpanlineTopics(topics, client());
    SampledTrace read =
        consumerSide
            .sampledTraces()
            .valueSerde()
            .deserializer()
            .deserialize(topics.sampledTraces(), framed);
    assertThat(read).isEqualTo(value);
    assertThat(read.decision().adjustedCount()).isEqualTo(10.0);
  }

  @Test
  void readsRecordsWrittenByAnOlderSchemaThatLackedAField() throws IOException {
    // Given an older AssembledTrace schema without missingParentSpanCount, registered and used
    Schema current = new Schema.Parser().parse(AvroRecordCodec.ASSEMBLED_TRACE.schema());
    Schema older = withoutField(current, "missingParentSpanCount");
    List<Span> spans = new TestSpans(3).interleavedTraces(1, 3, 10);
    AssembledTrace trace = AssembledTrace.of("acme", spans.get(0).traceId(), 0, spans);
    GenericRecord asOlder = rewrite(AvroRecordCodec.ASSEMBLED_TRACE.encode(trace), current, older);
    int olderId = client().register(unique("assembled") + "-value", older.toString());
    byte[] framed = frame(olderId, asOlder, older);

    // When the current code reads it
    AssembledTrace read =
        new ConfluentAvroCodec<>(AvroRecordCodec.ASSEMBLED_TRACE, client()).deserialize(framed);

    // Then the missing field takes its default and everything else is intact
    assertThat(read.summary().missingParentSpanCount()).isZero();
    assertThat(read.spans()).isEqualTo(trace.spans());
    assertThat(read.summary().rootSpanName()).isEqualTo(trace.summary().rootSpanName());
  }

  @Test
  void unknownSchemaIdIsASerializationErrorNamingTheTopicAndId() {
    byte[] framed = {0, 0, 0x0f, 0x42, 0x40, 2, 4};
    ConfluentAvroSerde<SamplingDecision> serde =
        new ConfluentAvroSerde<>(AvroRecordCodec.SAMPLING_DECISION, client());

    assertThatThrownBy(() -> serde.deserializer().deserialize("spanline.decisions", framed))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("topic spanline.decisions")
        .hasMessageContaining("schema ID 1000000")
        .hasCauseInstanceOf(SchemaRegistryException.class);
  }

  @Test
  void wrongMagicByteOrShortRecordIsMalformed() {
    ConfluentAvroSerde<SamplingDecision> serde =
        new ConfluentAvroSerde<>(AvroRecordCodec.SAMPLING_DECISION, client());

    assertThatThrownBy(() -> serde.deserializer().deserialize("t", new byte[] {1, 0, 0, 0, 1, 0}))
        .isInstanceOf(SerializationException.class)
        .hasCauseInstanceOf(MalformedAvroException.class)
        .hasMessageContaining("magic byte 0x00");
    assertThatThrownBy(() -> serde.deserializer().deserialize("t", new byte[] {0, 0}))
        .hasCauseInstanceOf(MalformedAvroException.class)
        .hasMessageContaining("needs at least 5");
  }

  @Test
  void nullStaysNull_forTombstones() {
    ConfluentAvroSerde<SamplingDecision> serde =
        new ConfluentAvroSerde<>(AvroRecordCodec.SAMPLING_DECISION, client());

    assertThat(serde.serializer().serialize("t", null)).isNull();
    assertThat(serde.deserializer().deserialize("t", null)).isNull();
  }

  private static Schema withoutField(Schema schema, String field) {
    List<Schema.Field> fields =
        schema.getFields().stream()
            .filter(f -> !f.name().equals(field))
            .map(f -> new Schema.Field(f, f.schema()))
            .toList();
    return Schema.createRecord(
        schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
  }

  private static GenericRecord rewrite(byte[] avro, Schema writer, Schema reader)
      throws IOException {
    return new GenericDatumReader<GenericRecord>(writer, reader, GenericData.get())
        .read(null, DecoderFactory.get().binaryDecoder(avro, null));
  }

  private static byte[] frame(int schemaId, GenericRecord record, Schema schema)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(ByteBuffer.allocate(5).put((byte) 0).putInt(schemaId).array());
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
    encoder.flush();
    return out.toByteArray();
  }
}
