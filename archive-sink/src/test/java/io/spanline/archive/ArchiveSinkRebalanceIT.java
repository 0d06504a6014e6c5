package io.spanline.archive;

import static io.spanline.archive.testing.ArchiveSinkHarness.kept;
import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.archive.config.ArchiveSinkConfig;
import io.spanline.archive.config.ArchiveSinkConfigLoader;
import io.spanline.archive.metrics.ArchiveSinkMetrics;
import io.spanline.archive.sink.ArchiveSink;
import io.spanline.archive.testing.ArchiveSinkHarness;
import io.spanline.localinfra.Probe;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.localinfra.s3.LocalS3;
import io.spanline.schemas.codec.avro.AvroRecordCodec;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.registry.RestSchemaRegistryClient;
import io.spanline.schemas.serde.ConfluentAvroSerde;
import io.spanline.schemas.testing.TraceBuilder;
import io.spanline.service.consumer.SinkClients;
import io.spanline.storage.archive.ArchiveLayout;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rebalance that arrives while the archive sink retries a failing S3 upload, with real Kafka (a
 * second member joining the group), schema registry and S3-compatible store (the bucket missing,
 * then created).
 */
@ExtendWith(LocalInfraExtension.class)
class ArchiveSinkRebalanceIT {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final int TRACES_PER_PARTITION = 20;

  @TempDir Path dir;

  @Test
  void dropsRevokedRollsDuringS3Retries_withoutFailing_andCommitsOnlyPartitionsItStillOwns(
      LocalKafka kafka, LocalSchemaRegistry registry, LocalS3 s3) throws Exception {
    try (ArchiveSinkHarness h =
        ArchiveSinkHarness.create(kafka, registry, s3, dir.resolve("work"), 2, Map.of())) {
      // Given kept traces in both partitions (over roll.max.bytes' 1 MiB minimum together), and a
      // sink that rolls once it has read all of them
      String topic = h.config().consumer().topic();
      Map<Integer, List<SampledTrace>> sent = new HashMap<>();
      long bytes = 0;
      for (int p = 0; p < 2; p++) {
        List<SampledTrace> traces = new ArrayList<>();
        for (int i = 0; i < TRACES_PER_PARTITION; i++) {
          traces.add(
              kept(
                  TraceBuilder.trace()
                      .root("frontend", "GET /" + p + "/" + i, 10)
                      .child("db", "SELECT", 2)
                      .attr("db.statement", "z".repeat(30_000))
                      .build(),
                  "baseline"));
        }
        sent.put(p, traces);
        bytes += h.sendTo(p, traces);
      }
      long allBytes = bytes;
      Map<String, String> settings = new HashMap<>(h.settings());
      settings.put("roll.max.bytes", String.valueOf(allBytes));
      settings.put("roll.max.age.ms", "600000");
      settings.put("retry.backoff.max.ms", "500");
      ArchiveSinkConfig config =
          ArchiveSinkConfigLoader.load(Map.of(), ArchiveSinkHarness.systemProperties(settings));
      // and S3 refusing every upload (the bucket is gone)
      h.s3().deleteBucket(b -> b.bucket(config.bucket()));

      ArchiveSinkMetrics metrics = ArchiveSinkMetrics.detached();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      AtomicReference<TopicPartition> movedPartition = new AtomicReference<>();
      RestSchemaRegistryClient schemas =
          new RestSchemaRegistryClient(registry.uri(), Duration.ofSeconds(10));
      try (KafkaProducer<byte[], byte[]> deadLetters =
          new KafkaProducer<>(
              SinkClients.deadLetterProducerConfig(config.kafka(), config.consumer().groupId()))) {
        ArchiveSink sink =
            new ArchiveSink(
                config,
                0,
                new KafkaConsumer<>(ArchiveSinkApp.consumerConfig(config, 0)),
                new ConfluentAvroSerde<>(AvroRecordCodec.SAMPLED_TRACE, schemas).deserializer(),
                h.s3(),
                deadLetters,
                metrics,
                Clock.systemUTC());
        Thread thread =
            new Thread(
                () -> {
                  try {
                    sink.run();
                  } catch (Throwable e) {
                    failure.set(e);
                  }
                },
                "archive-sink-under-test");
        thread.start();
        try (KafkaConsumer<byte[], byte[]> joiner = joiner(kafka, config)) {
          // and the sink paused, retrying the upload of its rolls of both partitions
          Probe.until(
              "sink retrying the upload of both partitions' rolls",
              WAIT,
              Duration.ofMillis(50),
              () -> {
                giveUpOn(failure);
                return metrics.registry().get("spanline.archive.retries").counter().count() >= 1
                    && metrics.registry().get("spanline.archive.pending.bytes").gauge().value()
                        == allBytes;
              });

          // When a second member joins the group while S3 still fails, and takes a partition
          joiner.subscribe(List.of(topic));
          Probe.until(
              "second member assigned",
              WAIT,
              Duration.ofMillis(10),
              () -> {
                giveUpOn(failure);
                joiner.poll(Duration.ofMillis(100));
                return !joiner.assignment().isEmpty();
              });
          assertThat(joiner.assignment()).hasSize(1);
          TopicPartition moved = joiner.assignment().iterator().next();
          movedPartition.set(moved);
          TopicPartition kept = new TopicPartition(topic, 1 - moved.partition());
          // and S3 recovers
          h.s3().createBucket(b -> b.bucket(config.bucket()));

          // Then the sink goes on, without failing, and archives and commits the partition it kept
          Probe.until(
              "sink committed its partition " + kept,
              WAIT,
              Duration.ofMillis(100),
              () -> {
                giveUpOn(failure);
                joiner.poll(Duration.ZERO);
                OffsetAndMetadata c = committed(h, config).get(kept);
                return c != null && c.offset() == sent.get(kept.partition()).size();
              });
        } finally {
          sink.stop();
          thread.join(30_000);
        }
        assertThat(thread.isAlive()).as("sink thread still running after stop").isFalse();
      }
      assertThat(failure.get()).as("sink thread failure").isNull();
      // and it did not commit the revoked partition past the roll end it committed before the
      // upload: the partition's new owner reads that roll again
      TopicPartition moved = movedPartition.get();
      OffsetAndMetadata movedCommit = committed(h, config).get(moved);
      assertThat(movedCommit.offset()).isZero();
      assertThat(movedCommit.metadata())
          .isEqualTo("spanline.archive.roll-end=" + (TRACES_PER_PARTITION - 1));
      // and the archive holds the kept partition's spans, each once, and nothing of the revoked one
      ArchiveLayout layout = config.layout();
      assertThat(h.objects())
          .isNotEmpty()
          .allSatisfy(
              o ->
                  assertThat(layout.parse(o.key()).orElseThrow().partition())
                      .as(o.key())
                      .isNotEqualTo(moved.partition()));
      List<Span> expected =
          sent.get(1 - moved.partition()).stream()
              .flatMap(t -> t.trace().spans().stream())
              .toList();
      assertThat(ArchiveSinkHarness.spans(h.allRows(dir.resolve("download"))))
          .containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  private static Map<TopicPartition, OffsetAndMetadata> committed(
      ArchiveSinkHarness h, ArchiveSinkConfig config) throws Exception {
    return h.admin()
        .listConsumerGroupOffsets(config.consumer().groupId())
        .partitionsToOffsetAndMetadata()
        .get();
  }

  private static void giveUpOn(AtomicReference<Throwable> failure) {
    Throwable t = failure.get();
    if (t != null) {
      Probe.GiveUp giveUp = new Probe.GiveUp("the sink's consumer thread failed: " + t);
      giveUp.initCause(t);
      throw giveUp;
    }
  }

  /** A plain member of the sink's group that never commits. */
  private static KafkaConsumer<byte[], byte[]> joiner(LocalKafka kafka, ArchiveSinkConfig config) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, config.consumer().groupId());
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "joiner");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return new KafkaConsumer<>(c);
  }
}
