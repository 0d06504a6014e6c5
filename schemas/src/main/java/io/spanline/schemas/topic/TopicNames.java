package io.spanline.schemas.topic;

import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Names of Spanline's topics, from configuration with the defaults of the architecture contract.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>key</th><th>default</th></tr>
 *   <tr><td>{@code topic.otlp-spans}</td><td>{@code otlp_spans}</td></tr>
 *   <tr><td>{@code topic.assembled-traces}</td><td>{@code spanline.traces.assembled}</td></tr>
 *   <tr><td>{@code topic.sampled-traces}</td><td>{@code spanline.traces.sampled}</td></tr>
 *   <tr><td>{@code topic.decisions}</td><td>{@code spanline.decisions}</td></tr>
 *   <tr><td>{@code topic.metrics}</td><td>{@code spanline.metrics}</td></tr>
 * </table>
 */
public record TopicNames(
    String otlpSpans,
    String assembledTraces,
    String sampledTraces,
    String decisions,
    String metrics) {
  public static final String OTLP_SPANS_KEY = "topic.otlp-spans";
  public static final String ASSEMBLED_TRACES_KEY = "topic.assembled-traces";
  public static final String SAMPLED_TRACES_KEY = "topic.sampled-traces";
  public static final String DECISIONS_KEY = "topic.decisions";
  public static final String METRICS_KEY = "topic.metrics";

  private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

  /** The contract's default names. */
  public static final TopicNames DEFAULTS =
      new TopicNames(
          "otlp_spans",
          "spanline.traces.assembled",
          "spanline.traces.sampled",
          "spanline.decisions",
          "spanline.metrics");

  /**
   * @throws IllegalArgumentException if a name is not a legal Kafka topic name
   */
  public TopicNames {
    check(OTLP_SPANS_KEY, otlpSpans);
    check(ASSEMBLED_TRACES_KEY, assembledTraces);
    check(SAMPLED_TRACES_KEY, sampledTraces);
    check(DECISIONS_KEY, decisions);
    check(METRICS_KEY, metrics);
  }

  /**
   * Reads the names from a configuration map; missing keys take the defaults.
   *
   * @throws IllegalArgumentException naming the key and value of an illegal topic name
   */
  public static TopicNames fromMap(Map<String, String> config) {
    return new TopicNames(
        config.getOrDefault(OTLP_SPANS_KEY, DEFAULTS.otlpSpans),
        config.getOrDefault(ASSEMBLED_TRACES_KEY, DEFAULTS.assembledTraces),
        config.getOrDefault(SAMPLED_TRACES_KEY, DEFAULTS.sampledTraces),
        config.getOrDefault(DECISIONS_KEY, DEFAULTS.decisions),
        config.getOrDefault(METRICS_KEY, DEFAULTS.metrics));
  }

  /**
   * Returns {@code name} if it is a legal Kafka topic name.
   *
   * @param key the setting it came from, named in the error
   * @throws IllegalArgumentException naming the key and value of an illegal topic name
   */
  public static String requireLegal(String key, String name) {
    check(key, name);
    return name;
  }

  private static void check(String key, String name) {
    Objects.requireNonNull(name, key);
    if (!LEGAL.matcher(name).matches() || name.equals(".") || name.equals("..")) {
      throw new IllegalArgumentException(
          "Invalid value for property "
              + key
              + "="
              + name
              + ". Must be a Kafka topic name: 1-249 chars of a-z, A-Z, 0-9, '.', '_', '-'.");
    }
  }
}
