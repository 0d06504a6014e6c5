package io.spanline.archive.config;

import io.spanline.service.admin.AdminSettings;
import io.spanline.service.config.KafkaSettings;
import io.spanline.service.config.RegistrySettings;
import io.spanline.service.consumer.ConsumerAppSettings;
import io.spanline.service.tenancy.TenantLimitsSettings;
import io.spanline.storage.archive.ArchiveLayout;
import io.spanline.storage.archive.S3Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the archive sink; every key, default and meaning is in the module README's table.
 * Built by {@link ArchiveSinkConfigLoader}.
 *
 * @param consumer the sampled-traces topic, dead-letter topic, group, consumer threads, poll size,
 *     backoff while the store fails and {@code consumer.*} overrides
 * @param s3 how to reach the object store ({@code s3.*} but the bucket and prefix)
 * @param rollMaxBytes a consumer's roll closes when its records reach this many bytes (Avro, about
 *     the uncompressed size)
 * @param rollMaxAge a roll closes when its first record is this old (wall clock)
 * @param workDir where Parquet files are written before upload
 * @param retention how long partitions are kept; spans that started longer ago than this before the
 *     sink's clock are not archived
 * @param spanStartMaxFuture spans that start further ahead of the sink's clock are not archived
 * @param compaction whether this process runs the archive's compaction (one process per bucket and
 *     prefix), how often, into files of what size, and for hours that ended how long ago
 * @param tenantLimits the tenant-limits file ({@code tenant-limits.*}): per-tenant {@code
 *     cold-retention-days}, applied by the retention sweep
 */
public record ArchiveSinkConfig(
    KafkaSettings kafka,
    RegistrySettings registry,
    ConsumerAppSettings consumer,
    S3Settings s3,
    String bucket,
    ArchiveLayout layout,
    boolean createBucket,
    long multipartThreshold,
    long multipartPartBytes,
    long rollMaxBytes,
    Duration rollMaxAge,
    long rowGroupBytes,
    int pageBytes,
    Path workDir,
    Duration retention,
    Duration retentionInterval,
    Duration spanStartMaxFuture,
    Compaction compaction,
    TenantLimitsSettings tenantLimits,
    AdminSettings admin) {

  /**
   * Compaction settings ({@code compaction.*}).
   *
   * @param enabled run the compactor in this process
   * @param interval time between runs
   * @param targetFileBytes size of the files compaction writes, bytes
   * @param minAge an hour is compacted once it ended at least this long ago
   */
  public record Compaction(
      boolean enabled, Duration interval, long targetFileBytes, Duration minAge) {
    public Compaction {
      Objects.requireNonNull(interval, "interval");
      Objects.requireNonNull(minAge, "minAge");
    }
  }

  public ArchiveSinkConfig {
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(consumer, "consumer");
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(s3, "s3");
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(layout, "layout");
    Objects.requireNonNull(rollMaxAge, "rollMaxAge");
    Objects.requireNonNull(workDir, "workDir");
    Objects.requireNonNull(retention, "retention");
    Objects.requireNonNull(retentionInterval, "retentionInterval");
    Objects.requireNonNull(spanStartMaxFuture, "spanStartMaxFuture");
    Objects.requireNonNull(compaction, "compaction");
    Objects.requireNonNull(tenantLimits, "tenantLimits");
    Objects.requireNonNull(admin, "admin");
  }

  /** Kafka {@code bootstrap.servers}. */
  String bootstrapServers() {
    return kafka.bootstrapServers();
  }
}
