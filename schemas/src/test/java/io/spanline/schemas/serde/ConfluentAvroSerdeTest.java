package io.spanline.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import io.spanline.schemas.testing.SmallRegistryServer;
import io.spanline.schemas.testing.TestSpans;
import io.spanline.schemas.topic.SpanlineTopics;
import io.spanline.schemas.topic.TopicNames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Avro framed in the Confluent wire format, with the schema fetched by ID over the REST API. */
class ConfluentAvroSerdeTest {
  private SmallRegistryServer registry;

  @BeforeEach
  void start() throws IOException {
    registry = new SmallRegistryServer();
  }

  @AfterEach
  void stop() {
    registry.close();
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
    SpanlineTopics producerSide = new SpanlineTopics(TopicNames.DEFAULTS, client());
    SampledTrace value = sampledTrace();

    // When it is serialized for the sampled-traces topic
    byte[] framed =
        producerSide
            .sampledTraces()
            .valueSerde()
            .serializer()
            .serialize("spanline.traces.sampled", value);

    // Then the bytes are magic byte 0, a 4-byte big-endian schema ID, then Avro binary,
    ByteBuffer header = ByteBuffer.wrap(framed);
    assertThat(header.get()).isEqualTo((byte) 0);
    int schemaId = header.getInt();
    assertThat(schemaId).isEqualTo(ConfluentAvroCodec.schemaIdOf(framed)).isPositive();
    assertThat(client().schemaById(schemaId)).isEqualTo(AvroRecordCodec.SAMPLED_TRACE.schema());
    // and a consumer with a cold cache fetches that schema over REST and reads the same value
    int before = registry.requests();
    SpanlineTopics consumerSide = new SpanlineTopics(TopicNames.DEFAULTS, client());
    SampledTrace read =
        consumerSide
            .sampledTraces()
            .valueSerde()
            .deserializer()
            .deserialize("spanline.traces.sampled", framed);
    assertThat(read).isEqualTo(value);
    assertThat(read.decision().adjustedCount()).isEqualTo(10.0);
    assertThat(registry.requests() - before).isEqualTo(1);
  }

  @Test
  void registersUnderTheTopicNameStrategySubject() {
    RestSchemaRegistryClient client = client();
    ConfluentAvroSerde<SampledTrace> serde =
        new ConfluentAvroSerde<>(AvroRecordCodec.SAMPLED_TRACE, client);

    byte[] framed = serde.serializer().serialize("my.topic", sampledTrace());

    assertThat(client.register("my.topic-value", AvroRecordCodec.SAMPLED_TRACE.schema()))
        .isEqualTo(ConfluentAvroCodec.schemaIdOf(framed));
  }

  @Test
  void unknownSchemaIdIsASerializationErrorNamingTheTopicAndId() {
    byte[] framed = {0, 0, 0, 0, 77, 2, 4};
    ConfluentAvroSerde<SamplingDecision> serde =
        new ConfluentAvroSerde<>(AvroRecordCodec.SAMPLING_DECISION, client());

    assertThatThrownBy(() -> serde.deserializer().deserialize("spanline.decisions", framed))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("topic spanline.decisions")
        .hasMessageContaining("schema ID 77")
        .hasCauseInstanceOf(SchemaRegistryException.class);
  }

  @Test
  void wrongMagicByteIsMalformed() {
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
}
