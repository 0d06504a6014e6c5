package io.spanline.index.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spanline.index.IndexSinkApp;
import io.spanline.index.config.IndexSinkConfig;
import io.spanline.index.config.IndexSinkConfigLoader;
import io.spanline.localinfra.Probe;
import io.spanline.localinfra.junit.UniqueNames;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.DecisionOutcome;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.schemas.registry.RestSchemaRegistryClient;
import io.spanline.schemas.topic.SpanlineHeaders;
import io.spanline.schemas.topic.SpanlineTopics;
import io.spanline.schemas.topic.TopicNames;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.query_dsl.Query;
import org.opensearch.client.opensearch.core.search.Hit;

/**
 * A running index sink for a test: its own topics (sampled traces and dead letters), index prefix
 * and consumer group on the shared Kafka and registry, pointed at an OpenSearch node. Sends kept
 * traces as the sampling stream writes them, and searches what the sink indexed.
 */
public final class IndexSinkHarness implements AutoCloseable {
  private final LocalKafka kafka;
  private final IndexSinkConfig config;
  private final SpanlineTopics topics;
  private final KafkaProducer<byte[], byte[]> producer;
  private final Admin admin;
  private final IndexSinkApp app;

  private IndexSinkHarness(
      LocalKafka kafka, IndexSinkConfig config, SpanlineTopics topics, IndexSinkApp app) {
    this.kafka = kafka;
    this.config = config;
    this.topics = topics;
    this.app = app;
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    this.producer = new KafkaProducer<>(p);
    this.admin = kafka.admin();
  }

  /**
   * Creates the topics and starts the sink.
   *
   * @param settings extra index-sink settings (README keys), e.g. {@code index.attributes}
   */
  public static IndexSinkHarness start(
      LocalKafka kafka,
      LocalSchemaRegistry registry,
      int openSearchPort,
      int partitions,
      Map<String, String> settings)
      throws Exception {
    String sampled = UniqueNames.unique("sampled");
    String deadLetter = UniqueNames.unique("index-dlq");
    kafka.createTopics(partitions, List.of(sampled));
    kafka.createTopics(1, List.of(deadLetter));
    Map<String, String> s = new HashMap<>();
    s.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    s.put("schema-registry.url", registry.uri().toString());
    s.put("topic.sampled-traces", sampled);
    s.put("topic.dead-letter", deadLetter);
    s.put("group.id", UniqueNames.unique("index-sink"));
    s.put("opensearch.hosts", "http://127.0.0.1:" + openSearchPort);
    s.put("index.prefix", UniqueNames.unique("it"));
    s.put("index.replicas", "0");
    // Test traces are dated 2025 (TraceBuilder.START): keep them from the retention job.
    s.put("retention.days", "3650");
    s.put("retry.backoff.initial.ms", "100");
    s.put("retry.backoff.max.ms", "2000");
    s.put("admin.bind.address", "127.0.0.1");
    s.put("admin.port", "0");
    s.putAll(settings);
    Map<String, String> props = new HashMap<>();
    s.forEach((k, v) -> props.put("spanline.index." + k, v));
    IndexSinkConfig config = IndexSinkConfigLoader.load(Map.of(), props);
    RestSchemaRegistryClient schemaRegistry =
        new RestSchemaRegistryClient(registry.uri(), Duration.ofSeconds(10));
    SpanlineTopics topics =
        new SpanlineTopics(
            new TopicNames("otlp_spans", "assembled", sampled, "decisions", "metrics"),
            schemaRegistry);
    IndexSinkApp app = IndexSinkApp.start(config, schemaRegistry, Clock.systemUTC());
    return new IndexSinkHarness(kafka, config, topics, app);
  }

  /** A kept trace as the sampling stream writes it, kept by {@code policies}. */
  public static SampledTrace kept(AssembledTrace trace, String... policies) {
    return new SampledTrace(
        trace,
        new SamplingDecision(
            trace.tenant(),
            trace.traceId(),
            DecisionOutcome.KEEP,
            List.of(policies),
            1.0,
            System.currentTimeMillis() * 1_000_000L));
  }

  public IndexSinkConfig config() {
    return config;
  }

  public IndexSinkApp app() {
    return app;
  }

  public OpenSearchClient client() {
    return app.openSearch();
  }

  /** Sends and waits until Kafka acknowledged. */
  public void send(SampledTrace... traces) throws Exception {
    for (SampledTrace t : traces) {
      byte[] value =
          topics.sampledTraces().valueSerde().serializer().serialize(config.consumer().topic(), t);
      sendRaw(
          t.trace().traceId().toHex().getBytes(StandardCharsets.US_ASCII),
          value,
          t.trace().tenant());
    }
    producer.flush();
  }

  public void sendRaw(byte[] key, byte[] value, String tenant) throws Exception {
    ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(config.consumer().topic(), key, value);
    r.headers().add(SpanlineHeaders.TENANT, tenant.getBytes(StandardCharsets.UTF_8));
    producer.send(r).get();
  }

  /** Every document of the index pattern matching the query, after a refresh (at most 10 000). */
  public List<ObjectNode> search(String indexPattern, Query query) throws Exception {
    refresh();
    List<ObjectNode> docs = new ArrayList<>();
    for (Hit<ObjectNode> h :
        client()
            .search(
                s -> s.index(indexPattern).query(query).size(10_000).ignoreUnavailable(true),
                ObjectNode.class)
            .hits()
            .hits()) {
      docs.add(h.source());
    }
    return docs;
  }

  /** Number of documents of the index pattern matching the query, after a refresh. */
  public long count(String indexPattern, Query query) throws Exception {
    refresh();
    return client()
        .count(c -> c.index(indexPattern).query(query).ignoreUnavailable(true).allowNoIndices(true))
        .count();
  }

  /** Waits until {@code count(indexPattern, query)} equals {@code expected}. */
  public void awaitCount(String indexPattern, Query query, long expected, Duration timeout) {
    Probe.until(
        expected + " documents in " + indexPattern,
        timeout,
        Duration.ofMillis(200),
        () -> count(indexPattern, query) == expected);
  }

  public void refresh() throws Exception {
    client()
        .indices()
        .refresh(
            r ->
                r.index(config.layout().prefix() + "-*")
                    .ignoreUnavailable(true)
                    .allowNoIndices(true));
  }

  /** Waits until the sink committed every record of the topic written so far. */
  public void awaitAllCommitted(Duration timeout) {
    Probe.until(
        "index sink committed everything",
        timeout,
        Duration.ofMillis(200),
        () -> {
          Map<TopicPartition, Long> ends = endOffsets(config.consumer().topic());
          Map<TopicPartition, OffsetAndMetadata> committed =
              admin
                  .listConsumerGroupOffsets(config.consumer().groupId())
                  .partitionsToOffsetAndMetadata()
                  .get();
          for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            if (e.getValue() > 0 && (c == null || c.offset() < e.getValue())) {
              return false;
            }
          }
          return true;
        });
  }

  /** Every record on the dead-letter topic so far. */
  public List<ConsumerRecord<byte[], byte[]>> deadLetters(int atLeast) {
    return readAll(config.consumer().deadLetterTopic(), atLeast);
  }

  private List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int atLeast) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
      consumer.subscribe(List.of(topic));
      Probe.until(
          atLeast + " records on " + topic,
          Duration.ofSeconds(60),
          Duration.ofMillis(10),
          () -> {
            consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            return out.size() >= atLeast;
          });
      // Anything beyond the expected count is read too, so a test can say "exactly".
      consumer.poll(Duration.ofMillis(1000)).forEach(out::add);
    }
    return out;
  }

  private Map<TopicPartition, Long> endOffsets(String topic) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    int partitions =
        admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
    for (int i = 0; i < partitions; i++) {
      latest.put(new TopicPartition(topic, i), OffsetSpec.latest());
    }
    Map<TopicPartition, Long> ends = new HashMap<>();
    admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
    return ends;
  }

  /** The span index pattern of this sink's prefix. */
  public String spans() {
    return config.layout().spanIndexPattern();
  }

  /** The trace fragment index pattern of this sink's prefix. */
  public String fragments() {
    return config.layout().fragmentIndexPattern();
  }

  /** The trace summary index pattern of this sink's prefix. */
  public String traces() {
    return config.layout().traceIndexPattern();
  }

  /** Maps each document to {@code f}, e.g. a field value. */
  public static <T> List<T> each(List<ObjectNode> docs, Function<ObjectNode, T> f) {
    return docs.stream().map(f).toList();
  }

  @Override
  public void close() {
    producer.close();
    admin.close();
    app.close();
  }
}
