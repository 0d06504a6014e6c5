package io.spanline.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.spanline.index.config.IndexSinkConfig;
import io.spanline.index.config.IndexSinkConfigLoader;
import io.spanline.index.testing.IndexSinkHarness;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.junit.UniqueNames;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.opensearch.LocalOpenSearch;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.registry.RestSchemaRegistryClient;
import io.spanline.schemas.testing.TraceBuilder;
import io.spanline.schemas.topic.SpanlineTopics;
import io.spanline.schemas.topic.TopicNames;
import io.spanline.service.process.ProgressLine;
import io.spanline.storage.opensearch.IndexLayout;
import io.spanline.storage.opensearch.IndexTemplates;
import io.spanline.storage.opensearch.OpenSearchConnection;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The generation's indexing step against real Kafka and OpenSearch: a topic written in transactions
 * (as a replay writes it), with an unreadable record and an aborted transaction at its end; a run
 * stopped part-way (as a crash or Ctrl-C would) and a second run that continues from the group's
 * committed offsets to the last committed record, every trace indexed once.
 */
@ExtendWith(LocalInfraExtension.class)
class GenerationIndexerIT {
  private static final int TRACES = 300;

  @Test
  void aStoppedRunContinuesFromItsCommittedOffsets_toEveryCommittedTraceIndexedOnce(
      LocalKafka kafka, LocalSchemaRegistry registry, LocalOpenSearch openSearch) throws Exception {
    // Given a replay's topic: 300 kept traces in three transactions, one unreadable record, then
    // an aborted transaction of 5 more
    String topic = UniqueNames.unique("sampled") + ".gen-g2";
    String deadLetters = UniqueNames.unique("index-dlq");
    kafka.createTopics(2, List.of(topic));
    kafka.createTopics(1, List.of(deadLetters));
    Map<String, String> s = new HashMap<>();
    s.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    s.put("schema-registry.url", registry.uri().toString());
    s.put("topic.sampled-traces", UniqueNames.unique("sampled"));
    s.put("topic.dead-letter", deadLetters);
    s.put("opensearch.hosts", openSearch.uri().toString());
    s.put("index.prefix", UniqueNames.unique("genidx"));
    s.put("index.replicas", "0");
    s.put("max.poll.records", "10");
    s.put("retention.days", "3650");
    Map<String, String> props = new HashMap<>();
    s.forEach((k, v) -> props.put("spanline.index." + k, v));
    IndexSinkConfig config = IndexSinkConfigLoader.load(Map.of(), props);
    RestSchemaRegistryClient registryClient =
        new RestSchemaRegistryClient(registry.uri(), Duration.ofSeconds(10));
    SpanlineTopics topics =
        new SpanlineTopics(
            new TopicNames("otlp_spans", "assembled", topic, "decisions", "metrics"),
            registryClient);
    writeInTransactions(kafka, topics, topic);
    IndexLayout layout = config.layout().generation("g2");
    String group = UniqueNames.unique("gen-index");

    try (OpenSearchConnection connection = OpenSearchConnection.open(config.openSearch());
        Admin admin = kafka.admin()) {
      IndexTemplates.install(
          connection.client(),
          new io.spanline.storage.opensearch.TemplateSettings(layout, 1, 0, "1s", 256));

      // When a run is stopped once its group has committed 100 records
      ByteArrayOutputStream err1 = new ByteArrayOutputStream();
      GenerationIndexer.Result first =
          GenerationIndexer.run(
              config,
              registryClient,
              topic,
              layout,
              group,
              new SimpleMeterRegistry(),
              options(err1, () -> committed(admin, group) >= 100));

      // Then it reports itself incomplete, part of the way through
      assertThat(first.complete()).isFalse();
      long afterFirst = committed(admin, group);
      assertThat(afterFirst).isBetween(100L, (long) TRACES);
      assertThat(err1.toString(StandardCharsets.UTF_8)).contains("index: ");

      // When the same run starts again
      ByteArrayOutputStream err2 = new ByteArrayOutputStream();
      SimpleMeterRegistry metrics = new SimpleMeterRegistry();
      GenerationIndexer.Result second =
          GenerationIndexer.run(
              config, registryClient, topic, layout, group, metrics, options(err2, () -> false));

      // Then it ends at the last committed record (not at the end offset past the markers and the
      // aborted transaction), every committed trace indexed once, the unreadable one dead-lettered
      assertThat(second.complete()).isTrue();
      assertThat(second.offsets()).isGreaterThanOrEqualTo(TRACES + 1);
      assertThat(second.recordsRead()).isBetween(1L, (long) TRACES + 1);
      assertThat(err2.toString(StandardCharsets.UTF_8))
          .contains(
              String.format(
                  java.util.Locale.ROOT,
                  "index: %,d of %,d offsets, 100.0 %%",
                  second.offsets(),
                  second.offsets()));
      assertThat(second.deadLettered()).isEqualTo(1);
      connection.client().indices().refresh(r -> r.index(layout.prefix() + "-*"));
      assertThat(connection.client().count(c -> c.index(layout.traceIndexPattern())).count())
          .isEqualTo(TRACES);
      assertThat(connection.client().count(c -> c.index(layout.spanIndexPattern())).count())
          .isEqualTo(TRACES * 2L);
      // and nothing went to the live indices
      assertThat(
              connection
                  .client()
                  .indices()
                  .get(
                      g ->
                          g.index(config.layout().spanIndexPattern())
                              .allowNoIndices(true)
                              .ignoreUnavailable(true))
                  .result())
          .isEmpty();
    }
  }

  private static GenerationIndexer.Options options(
      ByteArrayOutputStream err, java.util.function.BooleanSupplier stop) {
    return new GenerationIndexer.Options(
        ProgressLine.Mode.PLAIN,
        Duration.ZERO,
        new PrintStream(err, true, StandardCharsets.UTF_8),
        stop,
        Duration.ofMinutes(2));
  }

  private static long committed(Admin admin, String group) {
    try {
      Map<?, OffsetAndMetadata> offsets =
          admin
              .listConsumerGroupOffsets(group)
              .partitionsToOffsetAndMetadata()
              .get(10, TimeUnit.SECONDS);
      return offsets == null
          ? 0
          : offsets.values().stream().mapToLong(o -> o == null ? 0 : o.offset()).sum();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void writeInTransactions(LocalKafka kafka, SpanlineTopics topics, String topic)
      throws Exception {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, UniqueNames.unique("replay-tx"));
    var values = topics.sampledTraces().valueSerde().serializer();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.initTransactions();
      for (int batch = 0; batch < 3; batch++) {
        producer.beginTransaction();
        for (int i = 0; i < TRACES / 3; i++) {
          producer.send(record(topic, values, trace()));
        }
        if (batch == 2) {
          producer.send(
              new ProducerRecord<>(
                  topic, 0, null, "poison".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2}));
        }
        producer.commitTransaction();
      }
      producer.beginTransaction();
      for (int i = 0; i < 5; i++) {
        producer.send(record(topic, values, trace()));
      }
      producer.flush();
      producer.abortTransaction();
    }
  }

  private static SampledTrace trace() {
    AssembledTrace t =
        TraceBuilder.trace().root("frontend", "GET /", 10).child("db", "q", 2).build();
    return IndexSinkHarness.kept(t, "errors");
  }

  private static ProducerRecord<byte[], byte[]> record(
      String topic,
      org.apache.kafka.common.serialization.Serializer<SampledTrace> values,
      SampledTrace t) {
    return new ProducerRecord<>(
        topic,
        t.trace().traceId().toHex().getBytes(StandardCharsets.UTF_8),
        values.serialize(topic, t));
  }
}
