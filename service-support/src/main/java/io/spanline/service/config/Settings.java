package io.spanline.service.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The flat settings of one Spanline process, layered in increasing precedence: defaults, the YAML
 * file named by {@code config.file} (environment {@code SPANLINE_<APP>_CONFIG_FILE} or system
 * property {@code spanline.<app>.config.file}), environment variables {@code SPANLINE_<APP>_<KEY>}
 * (key upper-cased, dots and hyphens as underscores) and system properties {@code
 * spanline.<app>.<key>}. Only keys with a default exist; typed reads throw {@link
 * IllegalArgumentException} naming the key and the bad value.
 */
public final class Settings {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final String app;
  private final Map<String, String> values;
  private final JsonNode file;
  private final Map<String, String> env;
  private final Map<String, String> systemProperties;

  private Settings(
      String app,
      Map<String, String> values,
      JsonNode file,
      Map<String, String> env,
      Map<String, String> systemProperties) {
    this.app = app;
    this.values = values;
    this.file = file;
    this.env = Map.copyOf(env);
    this.systemProperties = Map.copyOf(systemProperties);
  }

  /** From the process environment and system properties. */
  public static Settings load(String app, Map<String, String> defaults) {
    Map<String, String> props = new HashMap<>();
    System.getProperties().forEach((k, v) -> props.put(k.toString(), v.toString()));
    return load(app, defaults, System.getenv(), props);
  }

  /**
   * @param app the process name in the prefixes, e.g. {@code gateway} or {@code assembly}
   * @param defaults every setting and its default, in documentation order
   * @throws UncheckedIOException if the named config file cannot be read
   */
  public static Settings load(
      String app,
      Map<String, String> defaults,
      Map<String, String> env,
      Map<String, String> systemProperties) {
    Objects.requireNonNull(app, "app");
    String file =
        systemProperties.getOrDefault(
            propertyName(app, "config.file"), env.get(envName(app, "config.file")));
    JsonNode yaml = file == null ? YAML.createObjectNode() : readYaml(Path.of(file));
    Map<String, String> flat = new LinkedHashMap<>(defaults);
    for (String key : defaults.keySet()) {
      JsonNode fromFile = yaml.get(key);
      if (fromFile != null && fromFile.isValueNode()) {
        flat.put(key, fromFile.asText());
      }
      String fromEnv = env.get(envName(app, key));
      if (fromEnv != null) {
        flat.put(key, fromEnv);
      }
      String fromProps = systemProperties.get(propertyName(app, key));
      if (fromProps != null) {
        flat.put(key, fromProps);
      }
    }
    return new Settings(app, flat, yaml, env, systemProperties);
  }

  /** {@code SPANLINE_<APP>_<KEY>}: upper case, dots and hyphens as underscores. */
  public static String envName(String app, String key) {
    return ("SPANLINE_" + app + "_" + key)
        .toUpperCase(Locale.ROOT)
        .replace('.', '_')
        .replace('-', '_');
  }

  /** {@code spanline.<app>.<key>}. */
  public static String propertyName(String app, String key) {
    return "spanline." + app + "." + key;
  }

  /** An environment variable as the settings saw it (for settings that are not flat keys). */
  public String environmentVariable(String name) {
    return env.get(name);
  }

  /** The whole YAML file (an empty object when there is none), for structured sections. */
  public JsonNode file() {
    return file;
  }

  /**
   * Free-form settings passed through to a library (e.g. Kafka client properties): the keys that
   * start with {@code prefix}, prefix removed, from the file, the environment ({@code
   * SPANLINE_<APP>_<PREFIX>SESSION_TIMEOUT_MS} gives {@code session.timeout.ms}) and system
   * properties, in that increasing precedence.
   */
  public Map<String, String> withPrefix(String prefix) {
    Map<String, String> out = new LinkedHashMap<>();
    file.fields()
        .forEachRemaining(
            e -> {
              if (e.getKey().startsWith(prefix) && e.getValue().isValueNode()) {
                out.put(e.getKey().substring(prefix.length()), e.getValue().asText());
              }
            });
    String envPrefix = envName(app, prefix);
    env.forEach(
        (k, v) -> {
          if (k.startsWith(envPrefix) && k.length() > envPrefix.length()) {
            out.put(k.substring(envPrefix.length()).toLowerCase(Locale.ROOT).replace('_', '.'), v);
          }
        });
    String propPrefix = propertyName(app, prefix);
    systemProperties.forEach(
        (k, v) -> {
          if (k.startsWith(propPrefix) && k.length() > propPrefix.length()) {
            out.put(k.substring(propPrefix.length()), v);
          }
        });
    return out;
  }

  public String get(String key) {
    String value = values.get(key);
    if (value == null) {
      throw new IllegalArgumentException("Unknown setting " + key + " of " + app);
    }
    return value.trim();
  }

  public long longValue(String key) {
    try {
      return Long.parseLong(get(key));
    } catch (NumberFormatException e) {
      throw invalid(key, "Must be a long.");
    }
  }

  public int intValue(String key) {
    try {
      return Integer.parseInt(get(key));
    } catch (NumberFormatException e) {
      throw invalid(key, "Must be an int.");
    }
  }

  /** An int that must be at least {@code min}. */
  public int intAtLeast(String key, int min) {
    int v = intValue(key);
    if (v < min) {
      throw invalid(key, "Must be at least " + min + ".");
    }
    return v;
  }

  /** A long that must be at least {@code min}. */
  public long longAtLeast(String key, long min) {
    long v = longValue(key);
    if (v < min) {
      throw invalid(key, "Must be at least " + min + ".");
    }
    return v;
  }

  public double doubleValue(String key) {
    try {
      return Double.parseDouble(get(key));
    } catch (NumberFormatException e) {
      throw invalid(key, "Must be a number.");
    }
  }

  public int port(String key) {
    int port = intValue(key);
    if (port < 0 || port > 65535) {
      throw invalid(key, "Must be a port 0-65535.");
    }
    return port;
  }

  public boolean bool(String key) {
    String v = get(key).toLowerCase(Locale.ROOT);
    if (!v.equals("true") && !v.equals("false")) {
      throw invalid(key, "Must be true or false.");
    }
    return Boolean.parseBoolean(v);
  }

  /** A positive duration written in milliseconds. */
  public Duration millis(String key) {
    long ms = longValue(key);
    if (ms <= 0) {
      throw invalid(key, "Must be a positive number of milliseconds.");
    }
    return Duration.ofMillis(ms);
  }

  /**
   * A positive duration in milliseconds that is at least the one of {@code lowerKey} (e.g. a
   * maximum backoff and its initial value).
   */
  public Duration millisNotBelow(String key, String lowerKey) {
    Duration value = millis(key);
    Duration lower = millis(lowerKey);
    if (value.compareTo(lower) < 0) {
      throw invalid(key, "Must be at least " + lowerKey + " (" + lower.toMillis() + ").");
    }
    return value;
  }

  /**
   * Comma-separated {@code http(s)://host[:port]} URLs, at least one (e.g. OpenSearch nodes).
   *
   * @throws IllegalArgumentException naming the key if a part is not such a URL or none is given
   */
  public List<URI> httpUrls(String key) {
    List<URI> urls = new ArrayList<>();
    for (String part : get(key).split(",")) {
      String text = part.strip();
      if (text.isEmpty()) {
        continue;
      }
      URI uri;
      try {
        uri = URI.create(text);
      } catch (IllegalArgumentException e) {
        uri = null;
      }
      if (uri == null
          || uri.getHost() == null
          || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
        throw invalid(key, "Must be comma-separated http(s)://host:port URLs.");
      }
      urls.add(uri);
    }
    if (urls.isEmpty()) {
      throw invalid(key, "Must name at least one URL.");
    }
    return urls;
  }

  /**
   * An optional {@code http(s)://host[:port]} URL: empty when the setting is empty.
   *
   * @throws IllegalArgumentException naming the key if it is not one such URL
   */
  public Optional<URI> optionalHttpUrl(String key) {
    if (get(key).isEmpty()) {
      return Optional.empty();
    }
    List<URI> urls = httpUrls(key);
    if (urls.size() != 1) {
      throw invalid(key, "Must be one http(s)://host:port URL, or empty.");
    }
    return Optional.of(urls.get(0));
  }

  /** Every flat setting with its final value. */
  public Map<String, String> asMap() {
    return Map.copyOf(values);
  }

  private IllegalArgumentException invalid(String key, String rule) {
    return new IllegalArgumentException(
        "Invalid value for property " + key + "=" + values.get(key) + ". " + rule);
  }

  private static JsonNode readYaml(Path file) {
    try {
      JsonNode node = YAML.readTree(Files.readAllBytes(file));
      return node == null ? YAML.createObjectNode() : node;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read config file " + file + ": " + e.getMessage(), e);
    }
  }
}
