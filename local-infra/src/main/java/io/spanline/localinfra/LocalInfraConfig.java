package io.spanline.localinfra;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where the local infrastructure keeps its data and which ports it binds on 127.0.0.1 (0 = a free
 * port).
 *
 * <table>
 *   <caption>Settings (environment variable, then system property, then default)</caption>
 *   <tr><th>system property</th><th>environment</th><th>default</th></tr>
 *   <tr><td>{@code spanline.data.dir}</td><td>{@code SPANLINE_DATA_DIR}</td><td>{@code ./data}</td></tr>
 *   <tr><td>{@code spanline.kafka.port}</td><td>{@code SPANLINE_KAFKA_PORT}</td><td>9092</td></tr>
 *   <tr><td>{@code spanline.kafka.controller.port}</td><td>{@code SPANLINE_KAFKA_CONTROLLER_PORT}</td><td>9093</td></tr>
 *   <tr><td>{@code spanline.kafka.secured.port}</td><td>{@code SPANLINE_KAFKA_SECURED_PORT}</td><td>9094 (SASL_SSL)</td></tr>
 *   <tr><td>{@code spanline.opensearch.port}</td><td>{@code SPANLINE_OPENSEARCH_PORT}</td><td>9200</td></tr>
 *   <tr><td>{@code spanline.opensearch.transport.port}</td><td>{@code SPANLINE_OPENSEARCH_TRANSPORT_PORT}</td><td>9300</td></tr>
 *   <tr><td>{@code spanline.opensearch.heap}</td><td>{@code SPANLINE_OPENSEARCH_HEAP}</td><td>{@code 512m}</td></tr>
 *   <tr><td>{@code spanline.s3.port}</td><td>{@code SPANLINE_S3_PORT}</td><td>9000</td></tr>
 *   <tr><td>{@code spanline.registry.port}</td><td>{@code SPANLINE_REGISTRY_PORT}</td><td>8081</td></tr>
 *   <tr><td>{@code spanline.registry.secured.port}</td><td>{@code SPANLINE_REGISTRY_SECURED_PORT}</td><td>8444 (HTTPS, basic auth)</td></tr>
 *   <tr><td>{@code spanline.opensearch.secured.port}</td><td>{@code SPANLINE_OPENSEARCH_SECURED_PORT}</td><td>9201 (HTTPS, basic auth, in front of the node)</td></tr>
 * </table>
 */
public record LocalInfraConfig(
    Path dataDir,
    int kafkaPort,
    int kafkaControllerPort,
    int kafkaSecuredPort,
    int openSearchPort,
    int openSearchTransportPort,
    String openSearchHeap,
    int s3Port,
    int registryPort,
    int registrySecuredPort,
    int openSearchSecuredPort) {

  public LocalInfraConfig {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(openSearchHeap, "openSearchHeap");
    if (!openSearchHeap.matches("\\d+[kmgKMG]?")) {
      throw new IllegalArgumentException(
          "Invalid value for property spanline.opensearch.heap="
              + openSearchHeap
              + ". Must be a JVM heap size such as 512m.");
    }
  }

  /** The default ports of the architecture contract and {@code ./data}. */
  public static LocalInfraConfig defaults() {
    return new LocalInfraConfig(
        Path.of("data"), 9092, 9093, 9094, 9200, 9300, "512m", 9000, 8081, 8444, 9201);
  }

  /**
   * Every setting (system property name; the environment variable is it in upper case with dots as
   * underscores) with its default, in the order of the class comment's table.
   */
  public static Map<String, String> settingDefaults() {
    LocalInfraConfig d = defaults();
    Map<String, String> m = new LinkedHashMap<>();
    m.put("spanline.data.dir", d.dataDir.toString());
    m.put("spanline.kafka.port", String.valueOf(d.kafkaPort));
    m.put("spanline.kafka.controller.port", String.valueOf(d.kafkaControllerPort));
    m.put("spanline.kafka.secured.port", String.valueOf(d.kafkaSecuredPort));
    m.put("spanline.opensearch.port", String.valueOf(d.openSearchPort));
    m.put("spanline.opensearch.transport.port", String.valueOf(d.openSearchTransportPort));
    m.put("spanline.opensearch.heap", d.openSearchHeap);
    m.put("spanline.s3.port", String.valueOf(d.s3Port));
    m.put("spanline.registry.port", String.valueOf(d.registryPort));
    m.put("spanline.registry.secured.port", String.valueOf(d.registrySecuredPort));
    m.put("spanline.opensearch.secured.port", String.valueOf(d.openSearchSecuredPort));
    return Collections.unmodifiableMap(m);
  }

  /**
   * Defaults, overridden by the environment, overridden by system properties.
   *
   * @throws IllegalArgumentException naming the key and value of a bad setting
   */
  public static LocalInfraConfig fromEnvironment() {
    return fromMaps(System.getenv(), System.getProperties());
  }

  static LocalInfraConfig fromMaps(Map<String, String> env, Map<Object, Object> props) {
    LocalInfraConfig d = defaults();
    Settings s = new Settings(env, props);
    return new LocalInfraConfig(
        Path.of(s.get("spanline.data.dir", d.dataDir.toString())),
        s.port("spanline.kafka.port", d.kafkaPort),
        s.port("spanline.kafka.controller.port", d.kafkaControllerPort),
        s.port("spanline.kafka.secured.port", d.kafkaSecuredPort),
        s.port("spanline.opensearch.port", d.openSearchPort),
        s.port("spanline.opensearch.transport.port", d.openSearchTransportPort),
        s.get("spanline.opensearch.heap", d.openSearchHeap),
        s.port("spanline.s3.port", d.s3Port),
        s.port("spanline.registry.port", d.registryPort),
        s.port("spanline.registry.secured.port", d.registrySecuredPort),
        s.port("spanline.opensearch.secured.port", d.openSearchSecuredPort));
  }

  private record Settings(Map<String, String> env, Map<Object, Object> props) {
    String get(String key, String fallback) {
      Object fromProps = props.get(key);
      if (fromProps != null) {
        return fromProps.toString();
      }
      String fromEnv = env.get(key.toUpperCase().replace('.', '_'));
      return fromEnv != null ? fromEnv : fallback;
    }

    int port(String key, int fallback) {
      String value = get(key, Integer.toString(fallback));
      try {
        int port = Integer.parseInt(value.trim());
        if (port >= 0 && port <= 65535) {
          return port;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new IllegalArgumentException(
          "Invalid value for property " + key + "=" + value + ". Must be a port 0-65535.");
    }
  }
}
