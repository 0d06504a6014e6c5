package io.spanline.archive.config;

import io.spanline.service.admin.AdminSettings;
import io.spanline.service.config.KafkaSettings;
import io.spanline.service.config.RegistrySettings;
import io.spanline.service.config.Settings;
import io.spanline.service.config.SettingsSpec;
import io.spanline.service.consumer.ConsumerAppSettings;
import io.spanline.service.tenancy.TenantLimitsSettings;
import io.spanline.storage.archive.ArchiveLayout;
import io.spanline.storage.archive.ArchiveWriter;
import io.spanline.storage.archive.S3Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Builds {@link ArchiveSinkConfig} from, in increasing precedence: defaults, the YAML file named by
 * {@code SPANLINE_ARCHIVE_CONFIG_FILE}, environment variables {@code SPANLINE_ARCHIVE_<KEY>} and
 * system properties {@code spanline.archive.<key>} (see {@link Settings}). Keys starting with
 * {@code consumer.} pass through to the Kafka consumer with the prefix removed. Errors name the key
 * and the bad value.
 */
public final class ArchiveSinkConfigLoader {
  /** Every flat setting with its default, in README order. */
  static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

  /** Prefix of settings passed through to the Kafka consumer. */
  public static final String CONSUMER_PREFIX = ConsumerAppSettings.CONSUMER_PREFIX;

  static {
    DEFAULTS.putAll(KafkaSettings.defaults("127.0.0.1:9092"));
    DEFAULTS.putAll(RegistrySettings.defaults());
    DEFAULTS.putAll(
        ConsumerAppSettings.defaults(
            "spanline.archive.dead-letter", "spanline-archive-sink", 1, 500));
    DEFAULTS.put("s3.endpoint", "");
    DEFAULTS.put("s3.region", "us-east-1");
    DEFAULTS.put("s3.bucket", "spanline-archive");
    DEFAULTS.put("s3.prefix", "spans");
    DEFAULTS.put("s3.path-style", "false");
    DEFAULTS.put("s3.access-key", "");
    DEFAULTS.put("s3.secret-key", "");
    DEFAULTS.put("s3.create-bucket", "false");
    DEFAULTS.put("s3.multipart.threshold.bytes", String.valueOf(64L << 20));
    DEFAULTS.put("s3.multipart.part.bytes", String.valueOf(16L << 20));
    DEFAULTS.put("roll.max.bytes", String.valueOf(128L << 20));
    DEFAULTS.put("roll.max.age.ms", "300000");
    DEFAULTS.put("parquet.row-group.bytes", String.valueOf(8L << 20));
    DEFAULTS.put("parquet.page.bytes", String.valueOf(64 << 10));
    DEFAULTS.put("work.dir", "data/archive");
    DEFAULTS.putAll(
        ConsumerAppSettings.retryDefaults(Duration.ofMillis(500), Duration.ofMillis(60000)));
    DEFAULTS.put("retention.days", "30");
    DEFAULTS.put("retention.interval.ms", "3600000");
    DEFAULTS.put("span.start.max-future.ms", "3600000");
    DEFAULTS.put("compaction.enabled", "false");
    DEFAULTS.put("compaction.interval.ms", "600000");
    DEFAULTS.put("compaction.target.bytes", String.valueOf(128L << 20));
    DEFAULTS.put("compaction.min-age.ms", "900000");
    DEFAULTS.putAll(TenantLimitsSettings.defaults());
    DEFAULTS.put("admin.bind.address", "0.0.0.0");
    DEFAULTS.put("admin.port", "13137");
    DEFAULTS.putAll(AdminSettings.securityDefaults());
  }

  /** What the settings may contain; unknown names fail (see {@link Settings}). */
  static final SettingsSpec SPEC =
      SettingsSpec.builder("archive")
          .settings(DEFAULTS)
          .passThrough(KafkaSettings.CLIENT_PREFIX, CONSUMER_PREFIX)
          .build();

  private ArchiveSinkConfigLoader() {}

  /**
   * Every flat setting key with its default value, in README order (unmodifiable): what {@code
   * spanline <app> --help} lists. Pass-through prefixes and environment-only variables are not in
   * it.
   */
  public static Map<String, String> settingDefaults() {
    return Collections.unmodifiableMap(DEFAULTS);
  }

  /** From the process environment and system properties. */
  public static ArchiveSinkConfig load() {
    return from(Settings.load(SPEC));
  }

  /**
   * @throws IllegalArgumentException naming the key and value of a bad setting
   */
  public static ArchiveSinkConfig load(
      Map<String, String> env, Map<String, String> systemProperties) {
    return from(Settings.load(SPEC, env, systemProperties));
  }

  private static ArchiveSinkConfig from(Settings s) {
    String bucket = S3Settings.bucket(s, "s3.bucket");
    ArchiveLayout layout;
    try {
      layout = new ArchiveLayout(s.get("s3.prefix"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Invalid value for property s3.prefix. " + e.getMessage());
    }
    long part = s.longAtLeast("s3.multipart.part.bytes", ArchiveWriter.MIN_PART_BYTES);
    long threshold = s.longAtLeast("s3.multipart.threshold.bytes", part);
    return new ArchiveSinkConfig(
        KafkaSettings.from(s),
        RegistrySettings.from(s),
        ConsumerAppSettings.from(s),
        S3Settings.from(s, "s3."),
        bucket,
        layout,
        s.bool("s3.create-bucket"),
        threshold,
        part,
        s.longAtLeast("roll.max.bytes", 1 << 20),
        s.millis("roll.max.age.ms"),
        s.longAtLeast("parquet.row-group.bytes", 64 << 10),
        s.intAtLeast("parquet.page.bytes", 4 << 10),
        Path.of(s.get("work.dir")),
        Duration.ofDays(s.durationAtLeast("retention.days", TimeUnit.DAYS, 1)),
        s.millis("retention.interval.ms"),
        s.millis("span.start.max-future.ms"),
        new ArchiveSinkConfig.Compaction(
            s.bool("compaction.enabled"),
            s.millis("compaction.interval.ms"),
            s.longAtLeast("compaction.target.bytes", 1 << 20),
            s.millis("compaction.min-age.ms")),
        TenantLimitsSettings.from(s),
        AdminSettings.from(s));
  }
}
