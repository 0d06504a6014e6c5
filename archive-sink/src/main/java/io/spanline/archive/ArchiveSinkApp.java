package io.spanline.archive;

import io.spanline.archive.config.ArchiveSinkConfig;
import io.spanline.archive.metrics.ArchiveSinkMetrics;
import io.spanline.archive.sink.ArchiveSink;
import io.spanline.schemas.codec.avro.AvroRecordCodec;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.registry.SchemaRegistryClient;
import io.spanline.schemas.serde.ConfluentAvroSerde;
import io.spanline.service.consumer.SinkClients;
import io.spanline.service.consumer.SinkRuntime;
import io.spanline.service.streams.StreamsApps;
import io.spanline.service.tenancy.TenantLimitsSettings;
import io.spanline.storage.archive.ArchiveCompactor;
import io.spanline.storage.archive.RetentionSweep;
import io.spanline.storage.archive.S3Clients;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;

/**
 * The archive sink process: checks the topics, loads the tenant-limits file (per-tenant cold
 * retention; reloaded while it runs) and checks the bucket (creating it when {@code
 * s3.create-bucket} says so), then runs, in a {@link SinkRuntime}, the retention sweep, the
 * compaction (when {@code compaction.enabled}), the bucket check and the consumer threads (one that
 * fails is started again from the last committed offsets), with the admin port ({@code /healthz},
 * {@code /readyz} = Kafka reachable with its topics, the bucket reachable, every consumer running;
 * {@code /metrics}).
 */
public final class ArchiveSinkApp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ArchiveSinkApp.class);
  private static final String README = "archive-sink/README.md";

  private final ArchiveSinkConfig config;
  private final S3Client s3;
  private final ConfluentAvroSerde<SampledTrace> values;
  private final SinkRuntime runtime;
  private final ArchiveSinkMetrics metrics;
  private final TenantLimitsSettings.Source tenantLimits;
  private volatile String s3Problem = "not checked yet";

  private ArchiveSinkApp(ArchiveSinkConfig config, SchemaRegistryClient schemaRegistry) {
    this.config = config;
    this.s3 = S3Clients.create(config.s3());
    this.values = new ConfluentAvroSerde<>(AvroRecordCodec.SAMPLED_TRACE, schemaRegistry);
    this.runtime =
        new SinkRuntime(
            new SinkRuntime.Settings(
                "archive-sink",
                config.kafka(),
                config.consumer().groupId(),
                config.consumer().topics(),
                config.consumer().consumers(),
                config.admin()),
            () -> s3Problem);
    this.metrics = new ArchiveSinkMetrics(runtime.registry());
    try {
      this.tenantLimits = config.tenantLimits().open(runtime.registry());
    } catch (RuntimeException e) {
      runtime.close();
      s3.close();
      throw e;
    }
  }

  /** Starts with the registry at {@code schema-registry.*} and the system clock. */
  public static ArchiveSinkApp start(ArchiveSinkConfig config) {
    return start(config, config.registry().connect(), Clock.systemUTC());
  }

  /**
   * @throws IllegalStateException if a topic or the bucket is missing (and not to be created)
   * @throws IllegalArgumentException if the tenant-limits file cannot be read or is invalid
   */
  public static ArchiveSinkApp start(
      ArchiveSinkConfig config, SchemaRegistryClient schemaRegistry, Clock clock) {
    StreamsApps.requireTopics(config.kafka(), config.consumer().topics(), README);
    // a bad tenant-limits file stops the start (IllegalArgumentException naming file, line, key)
    ArchiveSinkApp app = new ArchiveSinkApp(config, schemaRegistry);
    try {
      app.requireBucket();
      app.runtime.schedule(
          new RetentionSweep(
              app.s3,
              config.bucket(),
              config.layout(),
              config.retention(),
              clock,
              app.tenantLimits,
              app.metrics::retentionDeleted,
              app.metrics::tenantRetentionDeleted,
              app.metrics::retentionFailed),
          Duration.ZERO,
          config.retentionInterval());
      if (config.compaction().enabled()) {
        app.runtime.schedule(
            compactor(config, app.s3, clock, app.metrics),
            config.compaction().interval(),
            config.compaction().interval());
      }
      app.runtime.schedule(app::checkS3, Duration.ofSeconds(5), Duration.ofSeconds(5));
      app.runtime.startConsumers(
          number -> consumerConfig(config, number),
          (consumer, number) ->
              new ArchiveSink(
                  config,
                  number,
                  consumer,
                  app.values.deserializer(),
                  app.s3,
                  app.runtime.deadLetterProducer(),
                  app.metrics,
                  app::coldRetention,
                  clock));
    } catch (RuntimeException e) {
      app.close();
      throw e;
    }
    LOG.info(
        "Archive sink consuming {} with {} consumer(s) into s3://{}/{} (admin port {})",
        config.consumer().topic(),
        config.consumer().consumers(),
        config.bucket(),
        config.layout().root(),
        app.adminPort());
    return app;
  }

  /** The admin port ({@code /healthz}, {@code /readyz}, {@code /metrics}). */
  public int adminPort() {
    return runtime.adminPort();
  }

  public ArchiveSinkMetrics metrics() {
    return metrics;
  }

  /** How far back {@code tenant}'s spans are archived: its cold retention, at most the global. */
  private Duration coldRetention(String tenant) {
    return coldRetention(tenantLimits, config.retention(), tenant);
  }

  /** {@code tenant}'s cold retention in {@code limits}, at most {@code retention}. */
  static Duration coldRetention(
      TenantLimitsSettings.Source limits, Duration retention, String tenant) {
    long days = limits.get().forTenant(tenant).coldRetentionDays().orElse(Long.MAX_VALUE);
    return days < retention.toDays() ? Duration.ofDays(days) : retention;
  }

  /** The S3 client the sink uses (shared; closed with the app). */
  S3Client s3() {
    return s3;
  }

  private void requireBucket() {
    requireBucket(s3, config);
    s3Problem = "";
  }

  /**
   * Checks that the configured bucket exists, creating it when {@code s3.create-bucket} is set.
   *
   * @throws IllegalStateException when it does not exist and may not be created
   */
  static void requireBucket(S3Client s3, ArchiveSinkConfig config) {
    try {
      s3.headBucket(h -> h.bucket(config.bucket()));
    } catch (NoSuchBucketException e) {
      if (!config.createBucket()) {
        throw new IllegalStateException(
            "Bucket "
                + config.bucket()
                + " does not exist: create it (see "
                + README
                + ") or set s3.create-bucket=true",
            e);
      }
      s3.createBucket(c -> c.bucket(config.bucket()));
      LOG.info("Created bucket {}", config.bucket());
    }
  }

  private void checkS3() {
    try {
      s3.headBucket(h -> h.bucket(config.bucket()));
      s3Problem = "";
    } catch (RuntimeException e) {
      s3Problem = "S3 bucket " + config.bucket() + " not reachable: " + e;
    }
  }

  /** The archive's compactor with this sink's bucket, layout, Parquet and upload settings. */
  static ArchiveCompactor compactor(
      ArchiveSinkConfig config, S3Client s3, Clock clock, ArchiveSinkMetrics metrics) {
    return new ArchiveCompactor(
        s3,
        config.bucket(),
        config.layout(),
        new ArchiveCompactor.Settings(
            config.compaction().targetFileBytes(),
            config.rowGroupBytes(),
            config.pageBytes(),
            config.multipartThreshold(),
            config.multipartPartBytes(),
            config.workDir().resolve("compaction"),
            config.compaction().minAge()),
        clock,
        (step, folder) -> {},
        metrics::compacted,
        metrics::compactionFailed);
  }

  static Map<String, Object> consumerConfig(ArchiveSinkConfig config, int number) {
    Map<String, Object> c = new HashMap<>();
    // A roll's upload happens between polls: allow it time.
    c.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "600000");
    c.putAll(config.consumer().consumerOverrides());
    return SinkClients.consumerConfig(
        config.kafka(), config.consumer().groupId(), number, config.consumer().maxPollRecords(), c);
  }

  /** Stops the consumers (open rolls are read again later), then everything else. */
  @Override
  public void close() {
    runtime.close();
    tenantLimits.close();
    s3.close();
  }
}
