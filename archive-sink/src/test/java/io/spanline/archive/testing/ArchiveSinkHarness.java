package io.spanline.archive.testing;

import io.spanline.archive.ArchiveSinkApp;
import io.spanline.archive.config.ArchiveSinkConfig;
import io.spanline.archive.config.ArchiveSinkConfigLoader;
import io.spanline.localinfra.Probe;
import io.spanline.localinfra.junit.UniqueNames;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.localinfra.s3.LocalS3;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.registry.RestSchemaRegistryClient;
import io.spanline.schemas.topic.SpanlineTopics;
import io.spanline.schemas.topic.TopicNames;
import io.spanline.storage.archive.S3Clients;
import io.spanline.storage.archive.internal.parquet.SpanRows;
import io.spanline.storage.archive.testing.ArchiveFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * What archive-sink tests share: their own topics, bucket and consumer group on the shared Kafka,
 * registry and S3-compatible store; settings for an archive sink (in this JVM or a child JVM);
 * sending kept traces as the sampling stream writes them; reading the archive back.
 */
public final class ArchiveSinkHarness implements AutoCloseable {
  private final LocalKafka kafka;
  private final Map<String, String> settings;
  private final ArchiveSinkConfig config;
  private final SpanlineTopics topics;
  private final KafkaProducer<byte[], byte[]> producer;
  private final Admin admin;
  private final S3Client s3;
  private final RestSchemaRegistryClient registry;

  private ArchiveSinkHarness(
      LocalKafka kafka,
      Map<String, String> settings,
      ArchiveSinkConfig config,
      SpanlineTopics topics,
      RestSchemaRegistryClient registry) {
    this.kafka = kafka;
    this.settings = Map.copyOf(settings);
    this.config = config;
    this.topics = topics;
    this.registry = registry;
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    this.producer = new KafkaProducer<>(p);
    this.admin = kafka.admin();
    this.s3 = S3Clients.create(config.s3());
  }

  /**
   * Creates topics and bucket; starts nothing.
   *
   * @param overrides archive-sink settings (README keys), e.g. {@code roll.max.age.ms}
   */
  public static ArchiveSinkHarness create(
      LocalKafka kafka,
      LocalSchemaRegistry registry,
      LocalS3 s3,
      Path workDir,
      int partitions,
      Map<String, String> overrides)
      throws Exception {
    String sampled = UniqueNames.unique("sampled");
    String deadLetter = UniqueNames.unique("archive-dlq");
    kafka.createTopics(partitions, List.of(sampled));
    kafka.createTopics(1, List.of(deadLetter));
    Map<String, String> s = new HashMap<>();
    s.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    s.put("schema-registry.url", registry.uri().toString());
    s.put("topic.sampled-traces", sampled);
    s.put("topic.dead-letter", deadLetter);
    s.put("group.id", UniqueNames.unique("archive-sink"));
    s.put("s3.endpoint", s3.endpoint().toString());
    s.put("s3.region", LocalS3.REGION);
    s.put("s3.bucket", UniqueNames.unique("archive"));
    s.put("s3.prefix", "spans");
    s.put("s3.path-style", "true");
    s.put("s3.access-key", LocalS3.ACCESS_KEY);
    s.put("s3.secret-key", LocalS3.SECRET_KEY);
    s.put("s3.create-bucket", "true");
    s.put("work.dir", workDir.toString());
    // Test traces are dated 2025 (TraceBuilder.START): keep them from the retention sweep.
    s.put("retention.days", "3650");
    s.put("retry.backoff.initial.ms", "100");
    s.put("retry.backoff.max.ms", "2000");
    s.put("admin.bind.address", "127.0.0.1");
    s.put("admin.port", "0");
    s.putAll(overrides);
    ArchiveSinkConfig config = ArchiveSinkConfigLoader.load(Map.of(), systemProperties(s));
    RestSchemaRegistryClient schemaRegistry =
        new RestSchemaRegistryClient(registry.uri(), Duration.ofSeconds(10));
    SpanlineTopics topics =
        new SpanlineTopics(
            new TopicNames("otlp_spans", "assembled", sampled, "decisions", "metrics"),
            schemaRegistry);
    ArchiveSinkHarness h = new ArchiveSinkHarness(kafka, s, config, topics, schemaRegistry);
    h.s3.createBucket(b -> b.bucket(config.bucket()));
    return h;
  }

  /** The settings as {@code spanline.archive.<key>} system properties. */
  public static Map<String, String> systemProperties(Map<String, String> settings) {
    Map<String, String> props = new HashMap<>();
    settings.forEach((k, v) -> props.put("spanline.archive." + k, v));
    return props;
  }

  /** Starts a sink in this JVM. */
  public ArchiveSinkApp startSink() {
    return ArchiveSinkApp.start(config, registry, Clock.systemUTC());
  }

  public Map<String, String> settings() {
    return settings;
  }

  public ArchiveSinkConfig config() {
    return config;
  }

  public S3Client s3() {
    return s3;
  }

  public Admin admin() {
    return admin;
  }

  /** A kept trace as the sampling stream writes it. */
  public static SampledTrace kept(AssembledTrace trace, String... policies) {
    return ArchiveFixtures.kept(trace, policies);
  }

  /** Sends and waits until Kafka acknowledged. */
  public void send(List<SampledTrace> traces) throws Exception {
    send(null, traces);
  }

  /**
   * Sends to one partition and waits until Kafka acknowledged.
   *
   * @return the bytes of the record values sent (what the sink counts toward {@code
   *     roll.max.bytes})
   */
  public long sendTo(int partition, List<SampledTrace> traces) throws Exception {
    return send(partition, traces);
  }

  /**
   * @param partition null: the partition of the trace ID key
   */
  private long send(Integer partition, List<SampledTrace> traces) throws Exception {
    long bytes = 0;
    for (SampledTrace t : traces) {
      byte[] value =
          topics.sampledTraces().valueSerde().serializer().serialize(config.consumer().topic(), t);
      bytes += value.length;
      producer.send(
          new ProducerRecord<>(
              config.consumer().topic(),
              partition,
              t.trace().traceId().toHex().getBytes(StandardCharsets.US_ASCII),
              value));
    }
    producer.flush();
    return bytes;
  }

  public void sendRaw(byte[] key, byte[] value) throws Exception {
    producer.send(new ProducerRecord<>(config.consumer().topic(), key, value)).get();
  }

  /** Waits until the group committed every record written so far. */
  public void awaitAllCommitted(Duration timeout) {
    Probe.until(
        "archive sink committed everything",
        timeout,
        Duration.ofMillis(200),
        () -> {
          Map<TopicPartition, OffsetAndMetadata> committed =
              admin
                  .listConsumerGroupOffsets(config.consumer().groupId())
                  .partitionsToOffsetAndMetadata()
                  .get();
          for (Map.Entry<TopicPartition, Long> e : endOffsets().entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            if (e.getValue() > 0 && (c == null || c.offset() < e.getValue())) {
              return false;
            }
          }
          return true;
        });
  }

  /** Records committed by the group, over all partitions. */
  public long committedRecords() throws Exception {
    return admin
        .listConsumerGroupOffsets(config.consumer().groupId())
        .partitionsToOffsetAndMetadata()
        .get()
        .values()
        .stream()
        .mapToLong(OffsetAndMetadata::offset)
        .sum();
  }

  public Map<TopicPartition, Long> endOffsets() throws Exception {
    String topic = config.consumer().topic();
    int partitions =
        admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int i = 0; i < partitions; i++) {
      latest.put(new TopicPartition(topic, i), OffsetSpec.latest());
    }
    Map<TopicPartition, Long> ends = new HashMap<>();
    admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
    return ends;
  }

  /** Every Parquet data file of the bucket (hour indexes and compaction manifests left out). */
  public List<S3Object> objects() {
    return allObjects().stream().filter(o -> o.key().endsWith(".parquet")).toList();
  }

  /** Every object of the bucket. */
  public List<S3Object> allObjects() {
    return s3.listObjectsV2Paginator(l -> l.bucket(config.bucket())).contents().stream().toList();
  }

  /** Copies every object to {@code dir}, keys as relative paths. */
  public Path download(Path dir) throws Exception {
    for (S3Object o : allObjects()) {
      Path target = dir.resolve(o.key());
      Files.createDirectories(target.getParent());
      s3.getObject(g -> g.bucket(config.bucket()).key(o.key()), ResponseTransformer.toFile(target));
    }
    return dir;
  }

  /** Every row of one local Parquet file, in file order. */
  public static List<GenericRecord> rows(Path file) throws Exception {
    return ArchiveFixtures.rows(file);
  }

  /** Every row of the archive, downloading it to {@code dir}. */
  public List<GenericRecord> allRows(Path dir) throws Exception {
    download(dir);
    List<GenericRecord> rows = new ArrayList<>();
    try (var files = Files.walk(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".parquet")).toList()) {
        rows.addAll(rows(f));
      }
    }
    return rows;
  }

  /** The spans the archive rows hold. */
  public static List<io.spanline.schemas.model.Span> spans(List<GenericRecord> rows) {
    return rows.stream().map(SpanRows::span).toList();
  }

  @Override
  public void close() {
    producer.close();
    admin.close();
    s3.close();
  }
}
