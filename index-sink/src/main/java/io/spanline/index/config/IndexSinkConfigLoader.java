package io.spanline.index.config;

import io.spanline.service.admin.AdminSettings;
import io.spanline.service.config.KafkaSettings;
import io.spanline.service.config.RegistrySettings;
import io.spanline.service.config.Settings;
import io.spanline.service.config.SettingsSpec;
import io.spanline.service.consumer.ConsumerAppSettings;
import io.spanline.service.tenancy.TenantLimitsSettings;
import io.spanline.storage.opensearch.IndexLayout;
import io.spanline.storage.opensearch.OpenSearchSettings;
import io.spanline.storage.opensearch.RetentionJob;
import io.spanline.storage.opensearch.TraceIndexWriter;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Builds {@link IndexSinkConfig} from, in increasing precedence: defaults, the YAML file named by
 * {@code SPANLINE_INDEX_CONFIG_FILE}, environment variables {@code SPANLINE_INDEX_<KEY>} and system
 * properties {@code spanline.index.<key>} (see {@link Settings}). Keys starting with {@code
 * consumer.} pass through to the Kafka consumer with the prefix removed. Errors name the key and
 * the bad value.
 */
public final class IndexSinkConfigLoader {
  /** Every flat setting with its default, in README order. */
  static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

  /** Prefix of settings passed through to the Kafka consumer. */
  public static final String CONSUMER_PREFIX = ConsumerAppSettings.CONSUMER_PREFIX;

  /** The default of {@code index.attributes}: {@link TraceIndexWriter#DEFAULT_ALLOWLIST}. */
  public static final String DEFAULT_ALLOWLIST =
      String.join(",", TraceIndexWriter.DEFAULT_ALLOWLIST);

  /** OpenSearch's {@code index.refresh_interval}: -1 (off) or a time value; plain is ms. */
  private static final Pattern REFRESH = Pattern.compile("-1|[0-9]+(ms|s|m|h)?");

  static {
    DEFAULTS.putAll(KafkaSettings.defaults("127.0.0.1:9092"));
    DEFAULTS.putAll(RegistrySettings.defaults());
    DEFAULTS.putAll(
        ConsumerAppSettings.defaults("spanline.index.dead-letter", "spanline-index-sink", 2, 200));
    DEFAULTS.putAll(OpenSearchSettings.defaults("opensearch.", Duration.ofMillis(30000)));
    DEFAULTS.put("index.prefix", "spanline");
    DEFAULTS.put("index.shards", "1");
    DEFAULTS.put("index.replicas", "1");
    DEFAULTS.put("index.refresh-interval", "5s");
    DEFAULTS.put("index.keyword.max-length", "256");
    DEFAULTS.put("index.attributes", DEFAULT_ALLOWLIST);
    DEFAULTS.put("bulk.max-actions", "5000");
    DEFAULTS.put("bulk.max-bytes", String.valueOf(5L << 20));
    DEFAULTS.put("bulk.refused.max-attempts", "3");
    DEFAULTS.putAll(
        ConsumerAppSettings.retryDefaults(Duration.ofMillis(250), Duration.ofMillis(30000)));
    DEFAULTS.put("retention.days", "7");
    DEFAULTS.put("retention.interval.ms", "3600000");
    DEFAULTS.put(
        "retention.tenant.delete-batch", String.valueOf(RetentionJob.DEFAULT_DELETE_BATCH));
    DEFAULTS.put("span.start.max-future.ms", "3600000");
    DEFAULTS.putAll(TenantLimitsSettings.defaults());
    DEFAULTS.put("admin.bind.address", "0.0.0.0");
    DEFAULTS.put("admin.port", "13136");
    DEFAULTS.putAll(AdminSettings.securityDefaults());
  }

  /** What the settings may contain; unknown names fail (see {@link Settings}). */
  static final SettingsSpec SPEC =
      SettingsSpec.builder("index")
          .settings(DEFAULTS)
          .passThrough(KafkaSettings.CLIENT_PREFIX, CONSUMER_PREFIX)
          .build();

  private IndexSinkConfigLoader() {}

  /**
   * Every flat setting key with its default value, in README order (unmodifiable): what {@code
   * spanline <app> --help} lists. Pass-through prefixes and environment-only variables are not in
   * it.
   */
  public static Map<String, String> settingDefaults() {
    return Collections.unmodifiableMap(DEFAULTS);
  }

  /** From the process environment and system properties. */
  public static IndexSinkConfig load() {
    return from(Settings.load(SPEC));
  }

  /**
   * @throws IllegalArgumentException naming the key and value of a bad setting
   */
  public static IndexSinkConfig load(
      Map<String, String> env, Map<String, String> systemProperties) {
    return from(Settings.load(SPEC, env, systemProperties));
  }

  private static IndexSinkConfig from(Settings s) {
    String refresh = s.get("index.refresh-interval");
    if (!REFRESH.matcher(refresh).matches()) {
      throw new IllegalArgumentException(
          "Invalid value for property index.refresh-interval="
              + refresh
              + ". Must be -1 or a duration such as 500ms, 5s, 1m, 1h (a plain number is ms).");
    }
    if (!refresh.equals("-1") && Character.isDigit(refresh.charAt(refresh.length() - 1))) {
      refresh = refresh + "ms";
    }
    IndexLayout layout;
    try {
      layout = new IndexLayout(s.get("index.prefix"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "Invalid value for property index.prefix. " + e.getMessage(), e);
    }
    return new IndexSinkConfig(
        KafkaSettings.from(s),
        RegistrySettings.from(s),
        ConsumerAppSettings.from(s),
        OpenSearchSettings.from(s, "opensearch."),
        layout,
        s.intAtLeast("index.shards", 1),
        s.intAtLeast("index.replicas", 0),
        refresh,
        s.intAtLeast("index.keyword.max-length", 1),
        allowlist(s.get("index.attributes")),
        s.intAtLeast("bulk.max-actions", 1),
        s.longAtLeast("bulk.max-bytes", 1024),
        s.intAtLeast("bulk.refused.max-attempts", 1),
        Duration.ofDays(s.durationAtLeast("retention.days", TimeUnit.DAYS, 1)),
        s.millis("retention.interval.ms"),
        s.intAtLeast("retention.tenant.delete-batch", 1),
        s.millis("span.start.max-future.ms"),
        TenantLimitsSettings.from(s),
        AdminSettings.from(s));
  }

  private static Set<String> allowlist(String value) {
    Set<String> keys = new LinkedHashSet<>();
    Arrays.stream(value.split(",")).map(String::strip).filter(k -> !k.isEmpty()).forEach(keys::add);
    return keys;
  }
}
