package io.spanline.sampling.replay;

import io.spanline.localinfra.junit.UniqueNames;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.sampling.config.SamplingConfig;
import io.spanline.sampling.config.SamplingConfigLoader;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.DecisionOutcome;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.registry.RestSchemaRegistryClient;
import io.spanline.schemas.testing.TraceBuilder;
import io.spanline.schemas.topic.SpanlineTopics;
import io.spanline.schemas.topic.TopicNames;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Assembled traces on a real broker for replay tests, in a 30-second range starting an hour ago:
 * {@code traces} first fragments 8 ms apart over 4 partitions (a fifth of tenant {@code acme}, root
 * service {@code frontend} or {@code checkout}, every 40th an error), a late fragment of every
 * tenth trace (root service {@code payment}) at 25 s, the running policy's KEEP decision for every
 * third trace, and at 26 s one record that is not Avro.
 *
 * @param config sampling settings for these topics
 * @param names the topics
 * @param topics the topics with their serdes
 * @param from start of the range
 * @param to end of the range
 * @param records records in the range (first fragments, late fragments and the poison record)
 * @param poison where the record that is not Avro sits
 */
record ReplayFixture(
    SamplingConfig config,
    TopicNames names,
    SpanlineTopics topics,
    Instant from,
    Instant to,
    long records,
    RecordMetadata poison) {
  static final int PARTITIONS = 4;

  static ReplayFixture write(
      LocalKafka kafka, LocalSchemaRegistry registry, Path dir, int traceCount) throws Exception {
    TopicNames names =
        new TopicNames(
            "otlp_spans",
            UniqueNames.unique("assembled"),
            UniqueNames.unique("sampled"),
            UniqueNames.unique("decisions"),
            UniqueNames.unique("metrics"));
    String assembled = names.assembledTraces();
    String deadLetter = UniqueNames.unique("replay-dlq");
    kafka.createTopics(PARTITIONS, List.of(assembled, names.decisions()));
    kafka.createTopics(1, List.of(deadLetter));
    Map<String, String> props = new HashMap<>();
    props.put("spanline.sampling.kafka.bootstrap.servers", kafka.bootstrapServers());
    props.put("spanline.sampling.schema-registry.url", registry.uri().toString());
    props.put("spanline.sampling.topic.assembled-traces", assembled);
    props.put("spanline.sampling.topic.decisions", names.decisions());
    props.put("spanline.sampling.topic.dead-letter", deadLetter);
    props.put("spanline.sampling.state.dir", dir.resolve("state").toString());
    props.put("spanline.sampling.admin.port", "0");
    props.put("spanline.sampling.admin.bind.address", "127.0.0.1");
    SamplingConfig config = SamplingConfigLoader.load(Map.of(), props);
    SpanlineTopics topics =
        new SpanlineTopics(
            names, new RestSchemaRegistryClient(registry.uri(), Duration.ofSeconds(10)));

    Instant t0 = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
    List<AssembledTrace> traces = new ArrayList<>();
    for (int i = 0; i < traceCount; i++) {
      TraceBuilder b = TraceBuilder.trace().tenant(i % 5 == 0 ? "acme" : "default");
      b.root(i % 2 == 0 ? "frontend" : "checkout", "GET /", 10 + i % 100);
      b.children(i % 4, "payment");
      if (i % 40 == 0) {
        b.error();
      }
      traces.add(b.build());
    }
    Map<String, Object> producerConfig =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            kafka.bootstrapServers(),
            ProducerConfig.LINGER_MS_CONFIG,
            5);
    RecordMetadata poison;
    try (KafkaProducer<TraceId, AssembledTrace> producer =
            new KafkaProducer<>(
                producerConfig,
                topics.assembledTraces().keySerde().serializer(),
                topics.assembledTraces().valueSerde().serializer());
        KafkaProducer<TraceId, SamplingDecision> decisions =
            new KafkaProducer<>(
                producerConfig,
                topics.decisions().keySerde().serializer(),
                topics.decisions().valueSerde().serializer());
        KafkaProducer<byte[], byte[]> raw =
            new KafkaProducer<>(
                producerConfig, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < traceCount; i++) {
        AssembledTrace t = traces.get(i);
        Instant at = t0.plusMillis(i * 8L);
        producer.send(new ProducerRecord<>(assembled, null, at.toEpochMilli(), t.traceId(), t));
        if (i % 3 == 0) {
          decisions.send(
              new ProducerRecord<>(
                  names.decisions(),
                  null,
                  at.toEpochMilli(),
                  t.traceId(),
                  new SamplingDecision(
                      t.tenant(),
                      t.traceId(),
                      DecisionOutcome.KEEP,
                      List.of("live"),
                      1.0,
                      at.toEpochMilli() * 1_000_000L)));
        }
      }
      producer.flush();
      for (int i = 0; i < traceCount; i += 10) {
        AssembledTrace t = traces.get(i);
        AssembledTrace late =
            TraceBuilder.trace()
                .tenant(t.tenant())
                .traceId(t.traceId())
                .fragment(1)
                .orphan("payment", "late", 30, 5)
                .build();
        producer.send(
            new ProducerRecord<>(
                assembled, null, t0.plusSeconds(25).toEpochMilli(), t.traceId(), late));
      }
      producer.flush();
      poison =
          raw.send(
                  new ProducerRecord<>(
                      assembled,
                      1,
                      t0.plusSeconds(26).toEpochMilli(),
                      null,
                      "not an assembled trace".getBytes(StandardCharsets.UTF_8)))
              .get();
    }
    return new ReplayFixture(
        config,
        names,
        topics,
        t0,
        t0.plusSeconds(30),
        traceCount + (traceCount + 9) / 10 + 1,
        poison);
  }
}
