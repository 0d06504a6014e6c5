package io.spanline.sampling.config;

import io.spanline.schemas.topic.TopicNames;
import io.spanline.service.admin.AdminSettings;
import io.spanline.service.config.KafkaSettings;
import io.spanline.service.config.RegistrySettings;
import io.spanline.service.config.Settings;
import io.spanline.service.config.SettingsSpec;
import io.spanline.service.streams.StreamsTuning;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Builds {@link SamplingConfig} from, in increasing precedence: defaults, the YAML file named by
 * {@code SPANLINE_SAMPLING_CONFIG_FILE}, environment variables {@code SPANLINE_SAMPLING_<KEY>} and
 * system properties {@code spanline.sampling.<key>} (see {@link Settings}). Keys starting with
 * {@code streams.} pass through to Kafka Streams with the prefix removed. Errors name the key and
 * the bad value.
 */
public final class SamplingConfigLoader {
  /** Every flat setting with its default, in README order. */
  static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

  /** Prefix of settings passed through to Kafka Streams. */
  public static final String STREAMS_PREFIX = "streams.";

  static {
    DEFAULTS.put("application.id", "spanline-sampling");
    DEFAULTS.putAll(KafkaSettings.defaults("127.0.0.1:9092"));
    DEFAULTS.putAll(RegistrySettings.defaults());
    DEFAULTS.put(TopicNames.ASSEMBLED_TRACES_KEY, TopicNames.DEFAULTS.assembledTraces());
    DEFAULTS.put(TopicNames.SAMPLED_TRACES_KEY, TopicNames.DEFAULTS.sampledTraces());
    DEFAULTS.put(TopicNames.DECISIONS_KEY, TopicNames.DEFAULTS.decisions());
    DEFAULTS.put(TopicNames.METRICS_KEY, TopicNames.DEFAULTS.metrics());
    DEFAULTS.put("topic.dead-letter", "spanline.sampling.dead-letter");
    DEFAULTS.put("policy.file", "");
    DEFAULTS.put("policy.reload.interval.ms", "5000");
    DEFAULTS.put("decision.ttl.ms", "3600000");
    DEFAULTS.put("metrics.window.ms", "60000");
    DEFAULTS.put("metrics.flush.interval.ms", "10000");
    DEFAULTS.put("metrics.max-series", "10000");
    DEFAULTS.put("num.stream.threads", "2");
    DEFAULTS.put("state.dir", "data/sampling");
    DEFAULTS.putAll(StreamsTuning.defaults(32L << 20));
    DEFAULTS.put("producer.max.request.size", String.valueOf(20 << 20));
    DEFAULTS.put("admin.bind.address", "0.0.0.0");
    DEFAULTS.put("admin.port", "13135");
    DEFAULTS.putAll(AdminSettings.securityDefaults());
  }

  /** What the settings may contain; unknown names fail (see {@link Settings}). */
  static final SettingsSpec SPEC =
      SettingsSpec.builder("sampling")
          .settings(DEFAULTS)
          .passThrough(KafkaSettings.CLIENT_PREFIX, STREAMS_PREFIX)
          .build();

  private SamplingConfigLoader() {}

  /**
   * Every flat setting key with its default value, in README order (unmodifiable): what {@code
   * spanline <app> --help} lists. Pass-through prefixes and environment-only variables are not in
   * it.
   */
  public static Map<String, String> settingDefaults() {
    return Collections.unmodifiableMap(DEFAULTS);
  }

  /** From the process environment and system properties. */
  public static SamplingConfig load() {
    return from(Settings.load(SPEC));
  }

  /**
   * @throws IllegalArgumentException naming the key and value of a bad setting
   */
  public static SamplingConfig load(Map<String, String> env, Map<String, String> systemProperties) {
    return from(Settings.load(SPEC, env, systemProperties));
  }

  private static SamplingConfig from(Settings s) {
    String policy = s.get("policy.file").strip();
    return new SamplingConfig(
        s.get("application.id"),
        KafkaSettings.from(s),
        RegistrySettings.from(s),
        TopicNames.fromMap(s.asMap()),
        TopicNames.requireLegal("topic.dead-letter", s.get("topic.dead-letter")),
        policy.isEmpty() ? Optional.empty() : Optional.of(Path.of(policy)),
        s.millis("policy.reload.interval.ms"),
        s.millis("decision.ttl.ms"),
        s.millis("metrics.window.ms"),
        s.millis("metrics.flush.interval.ms"),
        s.intAtLeast("metrics.max-series", 1),
        s.intAtLeast("num.stream.threads", 1),
        s.get("state.dir"),
        StreamsTuning.from(s, s.intAtLeast("producer.max.request.size", 1 << 20)),
        AdminSettings.from(s),
        s.withPrefix(STREAMS_PREFIX));
  }
}
