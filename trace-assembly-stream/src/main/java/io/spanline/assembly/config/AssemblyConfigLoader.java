package io.spanline.assembly.config;

import io.spanline.schemas.topic.TopicNames;
import io.spanline.service.admin.AdminSettings;
import io.spanline.service.config.KafkaSettings;
import io.spanline.service.config.RegistrySettings;
import io.spanline.service.config.Settings;
import io.spanline.service.config.SettingsSpec;
import io.spanline.service.streams.StreamsTuning;
import io.spanline.service.tenancy.TenantLimitsSettings;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds {@link AssemblyConfig} from, in increasing precedence: defaults, the YAML file named by
 * {@code SPANLINE_ASSEMBLY_CONFIG_FILE}, environment variables {@code SPANLINE_ASSEMBLY_<KEY>} and
 * system properties {@code spanline.assembly.<key>} (see {@link Settings}). Keys starting with
 * {@code streams.} pass through to Kafka Streams with the prefix removed. Errors name the key and
 * the bad value.
 */
public final class AssemblyConfigLoader {
  /** Every flat setting with its default, in README order. */
  static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

  /** Prefix of settings passed through to Kafka Streams. */
  public static final String STREAMS_PREFIX = "streams.";

  static {
    DEFAULTS.put("application.id", "spanline-assembly");
    DEFAULTS.putAll(KafkaSettings.defaults("127.0.0.1:9092"));
    DEFAULTS.putAll(RegistrySettings.defaults());
    DEFAULTS.put(TopicNames.OTLP_SPANS_KEY, TopicNames.DEFAULTS.otlpSpans());
    DEFAULTS.put(TopicNames.ASSEMBLED_TRACES_KEY, TopicNames.DEFAULTS.assembledTraces());
    DEFAULTS.put("topic.dead-letter", "spanline.assembly.dead-letter");
    DEFAULTS.put("trace.idle.timeout.ms", "10000");
    DEFAULTS.put("trace.max.duration.ms", "60000");
    DEFAULTS.put("trace.max.spans", "10000");
    DEFAULTS.put("trace.max.bytes", String.valueOf(8 << 20));
    DEFAULTS.put("trace.max.record.bytes", String.valueOf(12 << 20));
    DEFAULTS.put("trace.closed.ttl.ms", "600000");
    DEFAULTS.put("trace.max.open", "200000");
    DEFAULTS.put("trace.max.open.bytes", String.valueOf(2L << 30));
    DEFAULTS.put("shed.enabled", "false");
    DEFAULTS.put("shed.open-fraction", "0.8");
    DEFAULTS.put("debug.attribute", "spanline.debug");
    DEFAULTS.put("punctuation.interval.ms", "1000");
    DEFAULTS.put("punctuation.max.closes", "2000");
    DEFAULTS.put("num.stream.threads", "2");
    DEFAULTS.put("state.dir", "data/assembly");
    DEFAULTS.putAll(StreamsTuning.defaults(64L << 20));
    DEFAULTS.put("admin.bind.address", "0.0.0.0");
    DEFAULTS.put("admin.port", "13134");
    DEFAULTS.putAll(AdminSettings.securityDefaults());
    DEFAULTS.putAll(TenantLimitsSettings.defaults());
  }

  /** What the settings may contain; unknown names fail (see {@link Settings}). */
  static final SettingsSpec SPEC =
      SettingsSpec.builder("assembly")
          .settings(DEFAULTS)
          .passThrough(KafkaSettings.CLIENT_PREFIX, STREAMS_PREFIX)
          .build();

  private AssemblyConfigLoader() {}

  /**
   * Every flat setting key with its default value, in README order (unmodifiable): what {@code
   * spanline <app> --help} lists. Pass-through prefixes and environment-only variables are not in
   * it.
   */
  public static Map<String, String> settingDefaults() {
    return Collections.unmodifiableMap(DEFAULTS);
  }

  /** From the process environment and system properties. */
  public static AssemblyConfig load() {
    return from(Settings.load(SPEC));
  }

  /**
   * @throws IllegalArgumentException naming the key and value of a bad setting
   */
  public static AssemblyConfig load(Map<String, String> env, Map<String, String> systemProperties) {
    return from(Settings.load(SPEC, env, systemProperties));
  }

  private static AssemblyConfig from(Settings s) {
    long maxBytes = s.longAtLeast("trace.max.bytes", 1024);
    long maxRecordBytes = s.longAtLeast("trace.max.record.bytes", 64 << 10);
    return new AssemblyConfig(
        s.get("application.id"),
        KafkaSettings.from(s),
        RegistrySettings.from(s),
        TopicNames.fromMap(s.asMap()),
        TopicNames.requireLegal("topic.dead-letter", s.get("topic.dead-letter")),
        s.millis("trace.idle.timeout.ms"),
        s.millis("trace.max.duration.ms"),
        s.intAtLeast("trace.max.spans", 1),
        maxBytes,
        maxRecordBytes,
        s.millis("trace.closed.ttl.ms"),
        s.longAtLeast("trace.max.open", 1),
        s.longAtLeast("trace.max.open.bytes", 1 << 20),
        s.millis("punctuation.interval.ms"),
        s.intAtLeast("punctuation.max.closes", 1),
        s.intAtLeast("num.stream.threads", 1),
        s.get("state.dir"),
        StreamsTuning.from(s, AssemblyConfig.producerMaxRequestBytes(maxBytes, maxRecordBytes)),
        AdminSettings.from(s),
        s.withPrefix(STREAMS_PREFIX),
        TenantLimitsSettings.from(s),
        new ShedSettings(
            s.bool("shed.enabled"), s.doubleValue("shed.open-fraction"), s.get("debug.attribute")));
  }
}
