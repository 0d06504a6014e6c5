package io.spanline.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.spanline.archive.config.ArchiveSinkConfig;
import io.spanline.archive.testing.ArchiveSinkHarness;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.junit.UniqueNames;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.localinfra.s3.LocalS3;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.registry.RestSchemaRegistryClient;
import io.spanline.schemas.testing.TraceBuilder;
import io.spanline.schemas.topic.SpanlineTopics;
import io.spanline.schemas.topic.TopicNames;
import io.spanline.service.consumer.TopicCatchUp;
import io.spanline.service.process.ProgressLine;
import io.spanline.storage.archive.ArchiveGenerations;
import io.spanline.storage.archive.ArchiveLayout;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The generation's archiving step against real Kafka, schema registry and S3-compatible store: a
 * topic written in transactions (as a replay writes it), with an unreadable record and an aborted
 * transaction at its end, archived under the generation's prefix; and a run stopped part-way (as a
 * crash or Ctrl-C would) followed by a second run that continues from the group's committed
 * offsets, every span archived exactly once.
 */
@ExtendWith(LocalInfraExtension.class)
class GenerationArchiverIT {
  private static final List<String> TENANTS = List.of("acme", "globex");
  private static final int HOURS = 4;

  @TempDir Path dir;

  @Test
  void archivesEveryCommittedSpanUnderTheGenerationPrefix_andNothingUnderTheLiveOne(
      LocalKafka kafka, LocalSchemaRegistry registry, LocalS3 s3) throws Exception {
    try (ArchiveSinkHarness h =
        ArchiveSinkHarness.create(kafka, registry, s3, dir.resolve("work"), 2, Map.of())) {
      // Given a replay's topic: 200 kept traces of two tenants over four hours in two
      // transactions, an unreadable record, then an aborted transaction of 5 more
      RestSchemaRegistryClient registryClient = registryClient(registry);
      String topic = h.config().consumer().topic();
      List<SampledTrace> traces = traces(200);
      writeInTransactions(kafka, registryClient, topic, traces, 2);
      ArchiveLayout live = h.config().layout();
      ArchiveLayout layout = ArchiveGenerations.layout(live, "g1");

      // When the generation is archived
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      GenerationArchiver.Result result =
          GenerationArchiver.run(
              h.config(),
              registryClient,
              topic,
              layout,
              UniqueNames.unique("gen-archive"),
              new SimpleMeterRegistry(),
              options(err, () -> false));

      // Then it ends at the last committed record (not past the markers and the aborted
      // transaction), the unreadable record dead-lettered
      assertThat(result.complete()).isTrue();
      assertThat(result.offsets()).isGreaterThanOrEqualTo(traces.size() + 1);
      assertThat(result.recordsRead()).isEqualTo(traces.size() + 1);
      assertThat(result.deadLettered()).isEqualTo(1);
      assertThat(err.toString(StandardCharsets.UTF_8))
          .contains(
              String.format(
                  Locale.ROOT,
                  "archive: %,d of %,d offsets, 100.0 %%",
                  result.offsets(),
                  result.offsets()));
      // and every span of every committed trace is in Parquet under spans-gen-g1/, once, in its
      // tenant's folder, and nothing is under the live prefix
      assertThat(layout.root()).isEqualTo("spans-gen-g1/");
      assertThat(h.allObjects())
          .extracting(S3Object::key)
          .allMatch(k -> k.startsWith("spans-gen-g1/"));
      assertThat(h.allObjects())
          .extracting(S3Object::key)
          .noneMatch(k -> k.startsWith(live.root()));
      assertThat(archivedSpans(h, layout)).containsExactlyInAnyOrderElementsOf(spanKeys(traces));
    }
  }

  @Test
  void aStoppedRunContinuesFromItsCommittedRolls_toEverySpanArchivedOnce(
      LocalKafka kafka, LocalSchemaRegistry registry, LocalS3 s3) throws Exception {
    try (ArchiveSinkHarness h =
            ArchiveSinkHarness.create(
                kafka, registry, s3, dir.resolve("work"), 2, Map.of("max.poll.records", "10"));
        Admin admin = kafka.admin()) {
      // Given a replay's topic of 300 kept traces in three transactions, and rolls small enough
      // (4 KiB) that the archive takes a few dozen of them
      RestSchemaRegistryClient registryClient = registryClient(registry);
      String topic = h.config().consumer().topic();
      List<SampledTrace> traces = traces(300);
      writeInTransactions(kafka, registryClient, topic, traces, 3);
      ArchiveSinkConfig base = withRollMaxBytes(h.config(), 4096);
      ArchiveLayout layout = ArchiveGenerations.layout(base.layout(), "g2");
      String group = UniqueNames.unique("gen-archive");

      // When a run is stopped once its group has committed 100 records
      GenerationArchiver.Result first =
          GenerationArchiver.run(
              base,
              registryClient,
              topic,
              layout,
              group,
              new SimpleMeterRegistry(),
              options(new ByteArrayOutputStream(), () -> committed(admin, group) >= 100));

      // Then it reports itself incomplete, part of the way through
      assertThat(first.complete()).isFalse();
      assertThat(committed(admin, group)).isBetween(100L, first.offsets() - 1);

      // When the same run starts again
      GenerationArchiver.Result second =
          GenerationArchiver.run(
              base,
              registryClient,
              topic,
              layout,
              group,
              new SimpleMeterRegistry(),
              options(new ByteArrayOutputStream(), () -> false));

      // Then it completes, reading only what the first run had not committed, and every span is
      // archived exactly once (rolls read again overwrote their own keys)
      assertThat(second.complete()).isTrue();
      assertThat(second.offsets()).isEqualTo(first.offsets());
      assertThat(second.recordsRead()).isBetween(1L, traces.size() - 90L);
      assertThat(archivedSpans(h, layout)).containsExactlyInAnyOrderElementsOf(spanKeys(traces));
    }
  }

  /** Kept traces of both tenants, spread over {@link #HOURS} hours. */
  private static List<SampledTrace> traces(int count) {
    List<SampledTrace> traces = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      traces.add(
          ArchiveSinkHarness.kept(
              TraceBuilder.trace()
                  .tenant(TENANTS.get(i % TENANTS.size()))
                  .shiftedBy(Duration.ofMinutes(37L * i % (HOURS * 60)))
                  .root("frontend", "GET /" + (i % 7), 20 + i % 30)
                  .child("checkout", "call", 5)
                  .children(i % 3, "frontend")
                  .build(),
              "baseline"));
    }
    return traces;
  }

  /** {@code <tenant>/<trace ID>/<span ID>} of every span sent. */
  private static List<String> spanKeys(List<SampledTrace> traces) {
    List<String> keys = new ArrayList<>();
    for (SampledTrace t : traces) {
      for (Span s : t.trace().spans()) {
        keys.add(t.trace().tenant() + "/" + s.traceId().toHex() + "/" + s.spanId().toHex());
      }
    }
    return keys;
  }

  /**
   * {@code <tenant>/<trace ID>/<span ID>} of every row of every Parquet file of the bucket, the
   * tenant from the file's key in {@code layout} (a key outside it fails the test).
   */
  private List<String> archivedSpans(ArchiveSinkHarness h, ArchiveLayout layout) throws Exception {
    Path local = Files.createTempDirectory(dir, "download");
    List<String> keys = new ArrayList<>();
    for (S3Object o : h.objects()) {
      ArchiveLayout.FileKey key =
          layout
              .parse(o.key())
              .orElseThrow(() -> new AssertionError(o.key() + " is outside " + layout.root()));
      Path file = local.resolve(o.key());
      Files.createDirectories(file.getParent());
      h.s3()
          .getObject(
              g -> g.bucket(h.config().bucket()).key(o.key()), ResponseTransformer.toFile(file));
      for (Span s : ArchiveSinkHarness.spans(ArchiveSinkHarness.rows(file))) {
        keys.add(key.tenant() + "/" + s.traceId().toHex() + "/" + s.spanId().toHex());
      }
    }
    return keys;
  }

  /**
   * Writes {@code traces} in {@code transactions} committed transactions, an unreadable record in
   * the last one, then 5 more traces in an aborted transaction: what a replay leaves behind.
   */
  private static void writeInTransactions(
      LocalKafka kafka,
      RestSchemaRegistryClient registry,
      String topic,
      List<SampledTrace> traces,
      int transactions)
      throws Exception {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, UniqueNames.unique("replay-tx"));
    Serializer<SampledTrace> values =
        new SpanlineTopics(
                new TopicNames("otlp_spans", "assembled", topic, "decisions", "metrics"), registry)
            .sampledTraces()
            .valueSerde()
            .serializer();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.initTransactions();
      int perTransaction = (traces.size() + transactions - 1) / transactions;
      for (int t = 0; t < transactions; t++) {
        producer.beginTransaction();
        for (SampledTrace trace :
            traces.subList(t * perTransaction, Math.min(traces.size(), (t + 1) * perTransaction))) {
          producer.send(record(topic, values, trace));
        }
        if (t == transactions - 1) {
          producer.send(
              new ProducerRecord<>(
                  topic, 0, null, "poison".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2}));
        }
        producer.commitTransaction();
      }
      producer.beginTransaction();
      for (SampledTrace trace : traces(5)) {
        producer.send(record(topic, values, trace));
      }
      producer.flush();
      producer.abortTransaction();
    }
  }

  private static ProducerRecord<byte[], byte[]> record(
      String topic, Serializer<SampledTrace> values, SampledTrace t) {
    return new ProducerRecord<>(
        topic,
        t.trace().traceId().toHex().getBytes(StandardCharsets.UTF_8),
        values.serialize(topic, t));
  }

  private static RestSchemaRegistryClient registryClient(LocalSchemaRegistry registry) {
    return new RestSchemaRegistryClient(registry.uri(), Duration.ofSeconds(10));
  }

  private static TopicCatchUp.Options options(ByteArrayOutputStream err, BooleanSupplier stop) {
    return new TopicCatchUp.Options(
        ProgressLine.Mode.PLAIN,
        Duration.ZERO,
        new PrintStream(err, true, StandardCharsets.UTF_8),
        stop,
        Duration.ofMinutes(2));
  }

  /** Offsets the group has committed, over all partitions. */
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

  /** {@code config} with rolls closing at {@code bytes} (below the loader's 1 MiB minimum). */
  private static ArchiveSinkConfig withRollMaxBytes(ArchiveSinkConfig c, long bytes) {
    return new ArchiveSinkConfig(
        c.kafka(),
        c.registry(),
        c.consumer(),
        c.s3(),
        c.bucket(),
        c.layout(),
        c.createBucket(),
        c.multipartThreshold(),
        c.multipartPartBytes(),
        bytes,
        c.rollMaxAge(),
        c.rowGroupBytes(),
        c.pageBytes(),
        c.workDir(),
        c.retention(),
        c.retentionInterval(),
        c.spanStartMaxFuture(),
        c.compaction(),
        c.tenantLimits(),
        c.admin());
  }
}
