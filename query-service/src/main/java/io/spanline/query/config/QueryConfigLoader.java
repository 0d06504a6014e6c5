package io.spanline.query.config;

import io.spanline.service.admin.AdminSettings;
import io.spanline.service.config.Settings;
import io.spanline.service.config.SettingsSpec;
import io.spanline.service.tenancy.TenantLimitsSettings;
import io.spanline.service.tenancy.TenantResolver;
import io.spanline.service.tls.TlsSettings;
import io.spanline.storage.archive.ArchiveLayout;
import io.spanline.storage.archive.ArchiveTraceSearch;
import io.spanline.storage.archive.S3Settings;
import io.spanline.storage.opensearch.IndexLayout;
import io.spanline.storage.opensearch.OpenSearchSettings;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Builds {@link QueryConfig} from, in increasing precedence: defaults, the YAML file named by
 * {@code SPANLINE_QUERY_CONFIG_FILE}, environment variables {@code SPANLINE_QUERY_<KEY>} and system
 * properties {@code spanline.query.<key>} (see {@link Settings}). Unknown names fail; the file's
 * one section is {@code api-keys} (also {@code SPANLINE_QUERY_API_KEYS}). Errors name the key and
 * the bad value.
 */
public final class QueryConfigLoader {
  /** Every flat setting with its default, in README order. */
  static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

  static {
    DEFAULTS.put("http.bind.address", "127.0.0.1");
    DEFAULTS.put("http.port", "16686");
    DEFAULTS.putAll(TlsSettings.defaults("http."));
    DEFAULTS.putAll(OpenSearchSettings.defaults("opensearch.", Duration.ofMillis(10000)));
    DEFAULTS.put("index.prefix", "spanline");
    DEFAULTS.put("archive.enabled", "true");
    DEFAULTS.put("s3.endpoint", "");
    DEFAULTS.put("s3.region", "us-east-1");
    DEFAULTS.put("s3.bucket", "spanline-archive");
    DEFAULTS.put("s3.prefix", "spans");
    DEFAULTS.put("s3.path-style", "false");
    DEFAULTS.put("s3.access-key", "");
    DEFAULTS.put("s3.secret-key", "");
    DEFAULTS.put("archive.lookback.ms", String.valueOf(30L * 24 * 3600 * 1000));
    DEFAULTS.put("search.hot-retention.ms", String.valueOf(7L * 24 * 3600 * 1000));
    DEFAULTS.put("archive.search.max-files", "1000");
    DEFAULTS.put("archive.search.max-bytes", String.valueOf(512L << 20));
    DEFAULTS.put("archive.search.timeout.ms", "10000");
    DEFAULTS.put("archive.search.parallelism", "8");
    DEFAULTS.put("clock-skew.max-adjustment.ms", "60000");
    DEFAULTS.put("trace.max-spans", "5000");
    DEFAULTS.put("traceql.max-traces-inspected", "2000");
    DEFAULTS.put("auth.enabled", "false");
    DEFAULTS.put("auth.trusted-proxy", "false");
    DEFAULTS.put("admin.bind.address", "0.0.0.0");
    DEFAULTS.put("admin.port", "13138");
    DEFAULTS.putAll(AdminSettings.securityDefaults());
    DEFAULTS.putAll(TenantLimitsSettings.defaults());
  }

  /** What the query service's settings may contain. */
  static final SettingsSpec SPEC =
      SettingsSpec.builder("query")
          .settings(DEFAULTS)
          .sections(TenantResolver.API_KEYS)
          .environmentVariables(TenantResolver.API_KEYS)
          .build();

  private QueryConfigLoader() {}

  /**
   * Every flat setting key with its default value, in README order (unmodifiable): what {@code
   * spanline <app> --help} lists. Pass-through prefixes and environment-only variables are not in
   * it.
   */
  public static Map<String, String> settingDefaults() {
    return Collections.unmodifiableMap(DEFAULTS);
  }

  /** From the process environment and system properties. */
  public static QueryConfig load() {
    return from(Settings.load(SPEC));
  }

  /**
   * @throws IllegalArgumentException naming the key and value of a bad setting
   */
  public static QueryConfig load(Map<String, String> env, Map<String, String> systemProperties) {
    return from(Settings.load(SPEC, env, systemProperties));
  }

  private static QueryConfig from(Settings s) {
    TenantResolver.requireSafeBind(
        "http.bind.address",
        s.get("http.bind.address"),
        s.bool("auth.enabled"),
        s.bool("auth.trusted-proxy"));
    IndexLayout index;
    ArchiveLayout archive;
    try {
      index = new IndexLayout(s.get("index.prefix"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "Invalid value for property index.prefix. " + e.getMessage());
    }
    try {
      archive = new ArchiveLayout(s.get("s3.prefix"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Invalid value for property s3.prefix. " + e.getMessage());
    }
    return new QueryConfig(
        s.get("http.bind.address"),
        s.port("http.port"),
        TlsSettings.from(s, "http."),
        OpenSearchSettings.from(s, "opensearch."),
        index,
        s.bool("archive.enabled"),
        S3Settings.from(s, "s3."),
        S3Settings.bucket(s, "s3.bucket"),
        archive,
        s.millis("archive.lookback.ms"),
        s.millis("search.hot-retention.ms"),
        new ArchiveTraceSearch.Limits(
            s.intAtLeast("archive.search.max-files", 1),
            s.longAtLeast("archive.search.max-bytes", 1),
            Duration.ofMillis(
                s.durationAtLeast("archive.search.timeout.ms", TimeUnit.MILLISECONDS, 1)),
            s.intAtLeast("archive.search.parallelism", 1)),
        Duration.ofMillis(
            s.durationAtLeast("clock-skew.max-adjustment.ms", TimeUnit.MILLISECONDS, 0)),
        maxSpans(s),
        s.intAtLeast("traceql.max-traces-inspected", 1),
        s.bool("auth.enabled"),
        TenantResolver.apiKeys(s, "SPANLINE_QUERY_API_KEYS"),
        AdminSettings.from(s),
        TenantLimitsSettings.from(s));
  }

  /** Below OpenSearch's default result window (10 000), which one trace read must fit in. */
  private static int maxSpans(Settings s) {
    int max = s.intAtLeast("trace.max-spans", 1);
    if (max > 9_999) {
      throw new IllegalArgumentException(
          "Invalid value for property trace.max-spans=" + max + ". Must be at most 9999.");
    }
    return max;
  }
}
