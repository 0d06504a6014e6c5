package io.spanline.archive.config;

import io.spanline.storage.archive.layout.ArchiveLayout;
import io.spanline.storage.archive.s3.S3Settings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of the archive sink; every key, default and meaning is in the module README's table.
 * Built by {@link ArchiveSinkConfigLoader}.
 *
 * @param s3Endpoint endpoint override for S3-compatible stores; empty for AWS
 * @param s3AccessKey static credentials; empty for the AWS SDK's default credentials chain
 * @param rollMaxBytes a consumer's roll closes when its records reach this many bytes (Avro, about
 *     the uncompressed size)
 * @param rollMaxAge a roll closes when its first record is this old (wall clock)
 * @param workDir where Parquet files are written before upload
 * @param retention how long partitions are kept; spans that started longer ago than this before the
 *     sink's clock are not archived
 * @param spanStartMaxFuture spans that start further ahead of the sink's clock are not archived
 */
public record ArchiveSinkConfig(
    String bootstrapServers,
    String schemaRegistryUrl,
    String sampledTracesTopic,
    String deadLetterTopic,
    String groupId,
    int consumers,
    int maxPollRecords,
    Optional<URI> s3Endpoint,
    String s3Region,
    String bucket,
    ArchiveLayout layout,
    boolean pathStyle,
    String s3AccessKey,
    String s3SecretKey,
    boolean createBucket,
    long multipartThreshold,
    long multipartPartBytes,
    long rollMaxBytes,
    Duration rollMaxAge,
    long rowGroupBytes,
    int pageBytes,
    Path workDir,
    Duration retryInitialBackoff,
    Duration retryMaxBackoff,
    Duration retention,
    Duration retentionInterval,
    Duration spanStartMaxFuture,
    String adminBindAddress,
    int adminPort,
    Map<String, String> consumerOverrides) {

  public ArchiveSinkConfig {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(schemaRegistryUrl, "schemaRegistryUrl");
    Objects.requireNonNull(sampledTracesTopic, "sampledTracesTopic");
    Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
    Objects.requireNonNull(groupId, "groupId");
    Objects.requireNonNull(s3Endpoint, "s3Endpoint");
    Objects.requireNonNull(s3Region, "s3Region");
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(layout, "layout");
    Objects.requireNonNull(s3AccessKey, "s3AccessKey");
    Objects.requireNonNull(s3SecretKey, "s3SecretKey");
    Objects.requireNonNull(rollMaxAge, "rollMaxAge");
    Objects.requireNonNull(workDir, "workDir");
    Objects.requireNonNull(retryInitialBackoff, "retryInitialBackoff");
    Objects.requireNonNull(retryMaxBackoff, "retryMaxBackoff");
    Objects.requireNonNull(retention, "retention");
    Objects.requireNonNull(retentionInterval, "retentionInterval");
    Objects.requireNonNull(spanStartMaxFuture, "spanStartMaxFuture");
    Objects.requireNonNull(adminBindAddress, "adminBindAddress");
    consumerOverrides = Map.copyOf(consumerOverrides);
  }

  /** How to reach the object store. */
  public S3Settings s3() {
    return new S3Settings(s3Endpoint, s3Region, pathStyle, s3AccessKey, s3SecretKey);
  }
}
