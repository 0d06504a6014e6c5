package io.spanline.archive;

import io.micrometer.core.instrument.MeterRegistry;
import io.spanline.archive.config.ArchiveSinkConfig;
import io.spanline.archive.metrics.ArchiveSinkMetrics;
import io.spanline.archive.sink.ArchiveSink;
import io.spanline.schemas.codec.avro.AvroRecordCodec;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.registry.SchemaRegistryClient;
import io.spanline.schemas.serde.ConfluentAvroSerde;
import io.spanline.service.consumer.ConsumerAppSettings;
import io.spanline.service.consumer.SinkClients;
import io.spanline.service.consumer.TopicCatchUp;
import io.spanline.service.streams.StreamsApps;
import io.spanline.service.tenancy.TenantLimitsSettings;
import io.spanline.storage.archive.ArchiveGenerations;
import io.spanline.storage.archive.ArchiveLayout;
import io.spanline.storage.archive.S3Clients;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Archives a topic of kept traces (a replay's output) under another key prefix (a generation's)
 * with the archive sink's own consumer and write path ({@link ArchiveSink}: rolls, Parquet, upload,
 * commit after upload), until its consumer group has committed every record that was in the topic
 * when it started ({@link TopicCatchUp}). The group's committed offsets are its checkpoint: run it
 * again after a stop or crash and it continues; a roll written again goes to the same keys and
 * overwrites, so every span is archived once. The twin of the index sink's {@code
 * GenerationIndexer}.
 *
 * <p>Rolls close after at most 1 s (or the sink's shorter {@code roll.max.age.ms}), so the last,
 * partial roll is uploaded and committed and the run reaches the end. The retention window is the
 * live sink's ({@code retention.days}, tenants' {@code cold-retention-days}, {@code
 * span.start.max-future.ms}, against the system clock): spans outside it are not archived. No
 * compaction and no retention sweep run over the generation's prefix.
 */
public final class GenerationArchiver {
  /** The longest a generation run keeps a roll open, so that the last one closes. */
  static final Duration ROLL_MAX_AGE = Duration.ofSeconds(1);

  private static final String README = "archive-sink/README.md";

  private GenerationArchiver() {}

  /**
   * What a run did.
   *
   * @param offsets the topic's offsets up to its last committed record at the start, summed over
   *     partitions (records, and the transaction markers between them), all runs together
   * @param complete whether the group reached that end (false: stopped; run again to continue)
   * @param recordsRead records this run read (a roll read again after a stop counts again)
   * @param deadLettered records this run sent to the dead-letter topic
   */
  public record Result(long offsets, boolean complete, long recordsRead, long deadLettered) {}

  /**
   * Runs the archive sink's consumer over {@code topic} into {@code layout} as group {@code
   * groupId} until it has caught up with the topic's end as it was at the start.
   *
   * @param base the archive sink's settings: Kafka, S3 and bucket, Parquet and upload sizes, roll
   *     size, retention window, tenant-limits file, dead-letter topic, work folder; its topic,
   *     group (one consumer) and layout are replaced, rolls are kept open at most 1 s and
   *     compaction is off (see {@link #generationConfig})
   * @param registry reads the topic's {@code SampledTrace} values
   * @param topic the topic to archive, e.g. {@code <sampled-traces topic>.gen-<name>}
   * @param layout where the objects go, e.g. {@link ArchiveGenerations#layout}
   * @param groupId the consumer group, whose committed offsets are the run's checkpoint
   * @param metrics where the sink's metrics go ({@code spanline.archive.*})
   * @param options how progress is shown ({@code archive: …}), when to stop and give up
   * @throws IllegalStateException if the topic, the dead-letter topic or the bucket (and {@code
   *     s3.create-bucket} is false) is missing, Kafka fails, the sink's consumer fails, or the
   *     timeout passes
   * @throws IllegalArgumentException if the tenant-limits file cannot be read or is invalid
   * @throws InterruptedException if interrupted while waiting (the consumer is stopped)
   */
  public static Result run(
      ArchiveSinkConfig base,
      SchemaRegistryClient registry,
      String topic,
      ArchiveLayout layout,
      String groupId,
      MeterRegistry metrics,
      TopicCatchUp.Options options)
      throws InterruptedException {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(options, "options");
    ArchiveSinkConfig config = generationConfig(base, topic, layout, groupId);
    StreamsApps.requireTopics(base.kafka(), config.consumer().topics(), README);
    ArchiveSinkMetrics sinkMetrics = new ArchiveSinkMetrics(metrics);
    // the tenants' cold retention as the live sink applies it, read once
    try (TenantLimitsSettings.Source tenantLimits = base.tenantLimits().open(metrics);
        S3Client s3 = S3Clients.create(base.s3());
        KafkaProducer<byte[], byte[]> deadLetters =
            new KafkaProducer<>(SinkClients.deadLetterProducerConfig(base.kafka(), groupId))) {
      ArchiveSinkApp.requireBucket(s3, config);
      ConfluentAvroSerde<SampledTrace> values =
          new ConfluentAvroSerde<>(AvroRecordCodec.SAMPLED_TRACE, registry);
      TopicCatchUp.Outcome outcome =
          TopicCatchUp.run(
              new TopicCatchUp.Target(
                  base.kafka(), config.consumer().consumerOverrides(), topic, groupId, "archive"),
              () ->
                  new ArchiveSink(
                      config,
                      0,
                      new KafkaConsumer<byte[], byte[]>(ArchiveSinkApp.consumerConfig(config, 0)),
                      values.deserializer(),
                      s3,
                      deadLetters,
                      sinkMetrics,
                      tenant ->
                          ArchiveSinkApp.coldRetention(tenantLimits, base.retention(), tenant),
                      Clock.systemUTC()),
              () -> count(metrics, "spanline.archive.records"),
              options);
      return new Result(
          outcome.offsets(),
          outcome.complete(),
          count(metrics, "spanline.archive.records"),
          count(metrics, "spanline.archive.dead.letters"));
    }
  }

  /**
   * The settings of a generation run: {@code base} with the consumer's topic and group replaced
   * (one consumer thread), {@code layout} as the prefix, rolls open at most {@link #ROLL_MAX_AGE}
   * (or the base's shorter age), compaction off and a work folder of its own ({@code
   * <work.dir>/generation-<group>}, so a live sink on the same host keeps its own).
   */
  static ArchiveSinkConfig generationConfig(
      ArchiveSinkConfig base, String topic, ArchiveLayout layout, String groupId) {
    Objects.requireNonNull(base, "base");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(layout, "layout");
    Objects.requireNonNull(groupId, "groupId");
    ConsumerAppSettings c = base.consumer();
    ArchiveSinkConfig.Compaction compaction = base.compaction();
    return new ArchiveSinkConfig(
        base.kafka(),
        base.registry(),
        new ConsumerAppSettings(
            topic,
            c.deadLetterTopic(),
            groupId,
            1,
            c.maxPollRecords(),
            c.retryInitialBackoff(),
            c.retryMaxBackoff(),
            c.consumerOverrides()),
        base.s3(),
        base.bucket(),
        layout,
        base.createBucket(),
        base.multipartThreshold(),
        base.multipartPartBytes(),
        base.rollMaxBytes(),
        base.rollMaxAge().compareTo(ROLL_MAX_AGE) < 0 ? base.rollMaxAge() : ROLL_MAX_AGE,
        base.rowGroupBytes(),
        base.pageBytes(),
        base.workDir().resolve("generation-" + groupId.replaceAll("[^A-Za-z0-9._-]", "_")),
        base.retention(),
        base.retentionInterval(),
        base.spanStartMaxFuture(),
        new ArchiveSinkConfig.Compaction(
            false, compaction.interval(), compaction.targetFileBytes(), compaction.minAge()),
        base.tenantLimits(),
        base.admin());
  }

  private static long count(MeterRegistry metrics, String name) {
    return (long) metrics.find(name).counters().stream().mapToDouble(x -> x.count()).sum();
  }
}
