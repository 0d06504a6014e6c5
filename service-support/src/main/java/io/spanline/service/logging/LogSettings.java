package io.spanline.service.logging;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * How a Spanline process logs, read once from the environment and system properties (a system
 * property wins over the variable of the same setting; in {@code levels}, per logger):
 *
 * <ul>
 *   <li>{@code SPANLINE_LOG_FORMAT} / {@code spanline.log.format}: {@code text} (default; one line
 *       per event with an ISO-8601 timestamp, level, thread, logger, the MDC and the message) or
 *       {@code json} (one JSON object per line in the Elastic Common Schema).
 *   <li>{@code SPANLINE_LOG_LEVELS} / {@code spanline.log.levels}: {@code logger=level} pairs
 *       separated by commas, e.g. {@code org.apache.kafka=warn,io.spanline=debug}; {@code root}
 *       names the root logger. Levels: {@code trace}, {@code debug}, {@code info}, {@code warn},
 *       {@code error}, {@code off}. Applied over {@link #DEFAULT_LEVELS}.
 * </ul>
 *
 * @param json JSON lines instead of text
 * @param levels logger name (or {@code root}) → level name, in the order given
 */
public record LogSettings(boolean json, Map<String, String> levels) {
  public static final String FORMAT_VARIABLE = "SPANLINE_LOG_FORMAT";
  public static final String FORMAT_PROPERTY = "spanline.log.format";
  public static final String LEVELS_VARIABLE = "SPANLINE_LOG_LEVELS";
  public static final String LEVELS_PROPERTY = "spanline.log.levels";

  /**
   * Root at info, the libraries' start-up and per-request chatter at warn: Kafka clients, Streams
   * and broker, OpenSearch client, Parquet, Hadoop, Armeria, Netty, the AWS SDK, S3Proxy.
   */
  public static final String DEFAULT_LEVELS =
      "root=info,org.apache.kafka=warn,kafka=warn,state.change.logger=warn,org.opensearch=warn,"
          + "org.apache.parquet=warn,org.apache.hadoop=warn,com.linecorp.armeria=warn,"
          + "io.netty=warn,io.grpc=warn,software.amazon.awssdk=warn,org.apache.hc=warn,"
          + "org.gaul=warn,org.eclipse.jetty=warn,org.jclouds=warn";

  private static final java.util.Set<String> LEVEL_NAMES =
      java.util.Set.of("trace", "debug", "info", "warn", "error", "off");

  public LogSettings {
    levels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(levels));
  }

  /** The settings of this process: {@link System#getenv()} and {@link System#getProperties()}. */
  public static LogSettings current() {
    return from(System.getenv(), System.getProperties());
  }

  /**
   * @throws IllegalArgumentException naming the setting and the bad value (an unknown format, a
   *     pair without {@code =}, an unknown level)
   */
  public static LogSettings from(Map<String, String> env, Properties properties) {
    String format =
        properties.getProperty(FORMAT_PROPERTY, env.getOrDefault(FORMAT_VARIABLE, "text"));
    String normalized = format.trim().toLowerCase(Locale.ROOT);
    if (!normalized.equals("text") && !normalized.equals("json")) {
      throw new IllegalArgumentException(
          "Invalid value for "
              + (properties.getProperty(FORMAT_PROPERTY) != null
                  ? FORMAT_PROPERTY
                  : FORMAT_VARIABLE)
              + "="
              + format
              + ". Must be text or json.");
    }
    Map<String, String> levels = new LinkedHashMap<>();
    parseLevels(DEFAULT_LEVELS, "default levels", levels);
    parseLevels(env.get(LEVELS_VARIABLE), LEVELS_VARIABLE, levels);
    parseLevels(properties.getProperty(LEVELS_PROPERTY), LEVELS_PROPERTY, levels);
    return new LogSettings(normalized.equals("json"), levels);
  }

  private static void parseLevels(String value, String source, Map<String, String> into) {
    if (value == null || value.isBlank()) {
      return;
    }
    for (String pair : value.split(",")) {
      if (pair.isBlank()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String logger = eq < 0 ? "" : pair.substring(0, eq).trim();
      String level = eq < 0 ? "" : pair.substring(eq + 1).trim().toLowerCase(Locale.ROOT);
      if (logger.isEmpty() || !LEVEL_NAMES.contains(level)) {
        throw new IllegalArgumentException(
            "Invalid value for "
                + source
                + "="
                + value
                + " at '"
                + pair.trim()
                + "'. Must be logger=level pairs separated by commas (level: trace, debug, info,"
                + " warn, error or off; logger root for the root logger).");
      }
      into.remove(logger);
      into.put(logger, level);
    }
  }
}
