package io.spanline.service.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;

/**
 * How a process reaches Kafka: the bootstrap servers and the client properties that every Kafka
 * client of the process gets (the gateway's producer, Kafka Streams with its admin, restore
 * consumer and producers, the sinks' consumers and dead-letter producers, readiness and topic
 * checks at start-up, the replay CLI). A client's own settings go on top of these.
 *
 * <p>Settings, under the app's prefix (e.g. {@code spanline.assembly.} or {@code
 * SPANLINE_ASSEMBLY_}):
 *
 * <ul>
 *   <li>{@code kafka.bootstrap.servers};
 *   <li>{@code kafka.security.protocol}: {@code PLAINTEXT} (default), {@code SSL}, {@code
 *       SASL_PLAINTEXT} or {@code SASL_SSL};
 *   <li>{@code kafka.sasl.mechanism} ({@code SCRAM-SHA-512}, {@code SCRAM-SHA-256} or {@code
 *       PLAIN}) with {@code kafka.sasl.username} and {@code kafka.sasl.password}, from which the
 *       JAAS line is built; other mechanisms (OAUTHBEARER, GSSAPI) take {@code
 *       kafka.client.sasl.jaas.config};
 *   <li>{@code kafka.ssl.truststore.location}, {@code .password}, {@code .type} and {@code
 *       kafka.ssl.keystore.location}, {@code .password}, {@code .type}, {@code
 *       kafka.ssl.key.password} (client certificate);
 *   <li>{@code kafka.client.<any Kafka client property>}, applied last.
 * </ul>
 *
 * Give passwords through the environment or the config file, not system properties, which show in
 * the process list.
 *
 * @param bootstrapServers Kafka {@code bootstrap.servers}
 * @param clientProperties the other client properties, Kafka's names; never logged whole
 */
public record KafkaSettings(String bootstrapServers, Map<String, String> clientProperties) {
  /**
   * The pass-through prefix of any Kafka client property ({@code kafka.client.acks}); declare it in
   * the app's {@link SettingsSpec} next to {@link #defaults}.
   */
  public static final String CLIENT_PREFIX = "kafka.client.";

  private static final Set<String> SECRET_HINTS = Set.of("password", "jaas", "secret", "token");

  public KafkaSettings {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("kafka.bootstrap.servers must not be empty");
    }
    clientProperties = Map.copyOf(clientProperties);
  }

  /** Plaintext, no client properties. */
  public static KafkaSettings plaintext(String bootstrapServers) {
    return new KafkaSettings(bootstrapServers, Map.of());
  }

  /**
   * The settings every app declares, with their defaults (empty for "not set"); add them to the
   * app's defaults, and {@link #CLIENT_PREFIX} to its pass-through prefixes, so that {@link
   * Settings} knows them.
   */
  public static Map<String, String> defaults(String bootstrapServers) {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("kafka.bootstrap.servers", bootstrapServers);
    d.put("kafka.security.protocol", "PLAINTEXT");
    d.put("kafka.sasl.mechanism", "");
    d.put("kafka.sasl.username", "");
    d.put("kafka.sasl.password", "");
    d.put("kafka.ssl.truststore.location", "");
    d.put("kafka.ssl.truststore.password", "");
    d.put("kafka.ssl.truststore.type", "");
    d.put("kafka.ssl.keystore.location", "");
    d.put("kafka.ssl.keystore.password", "");
    d.put("kafka.ssl.keystore.type", "");
    d.put("kafka.ssl.key.password", "");
    return d;
  }

  /**
   * Reads the settings of {@link #defaults}, then {@code kafka.client.*}.
   *
   * @throws IllegalArgumentException naming the setting: an unknown security protocol, a SASL
   *     protocol without mechanism or credentials, a mechanism without a JAAS line
   */
  public static KafkaSettings from(Settings s) {
    Map<String, String> p = new LinkedHashMap<>();
    String protocol = s.get("kafka.security.protocol").toUpperCase(Locale.ROOT);
    if (!Set.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL").contains(protocol)) {
      throw new IllegalArgumentException(
          "Invalid kafka.security.protocol '"
              + protocol
              + "': must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL");
    }
    p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol);
    Map<String, String> passThrough = s.withPrefix(CLIENT_PREFIX);
    if (protocol.startsWith("SASL_")) {
      String mechanism = s.get("kafka.sasl.mechanism").toUpperCase(Locale.ROOT);
      if (mechanism.isEmpty()) {
        throw new IllegalArgumentException(
            "kafka.security.protocol " + protocol + " needs kafka.sasl.mechanism");
      }
      p.put(SaslConfigs.SASL_MECHANISM, mechanism);
      if (!passThrough.containsKey(SaslConfigs.SASL_JAAS_CONFIG)) {
        p.put(
            SaslConfigs.SASL_JAAS_CONFIG,
            jaasConfig(mechanism, s.get("kafka.sasl.username"), s.get("kafka.sasl.password")));
      }
    }
    putIfSet(p, SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, s, "kafka.ssl.truststore.location");
    putIfSet(p, SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, s, "kafka.ssl.truststore.password");
    putIfSet(p, SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, s, "kafka.ssl.truststore.type");
    putIfSet(p, SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, s, "kafka.ssl.keystore.location");
    putIfSet(p, SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, s, "kafka.ssl.keystore.password");
    putIfSet(p, SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, s, "kafka.ssl.keystore.type");
    putIfSet(p, SslConfigs.SSL_KEY_PASSWORD_CONFIG, s, "kafka.ssl.key.password");
    p.putAll(passThrough);
    return new KafkaSettings(s.get("kafka.bootstrap.servers"), p);
  }

  /**
   * The JAAS line of a SCRAM or PLAIN login.
   *
   * @throws IllegalArgumentException when the username or password is empty, or the mechanism has
   *     no built-in login module
   */
  static String jaasConfig(String mechanism, String username, String password) {
    String module =
        switch (mechanism) {
          case "SCRAM-SHA-256", "SCRAM-SHA-512" ->
              "org.apache.kafka.common.security.scram.ScramLoginModule";
          case "PLAIN" -> "org.apache.kafka.common.security.plain.PlainLoginModule";
          default ->
              throw new IllegalArgumentException(
                  "kafka.sasl.mechanism "
                      + mechanism
                      + " has no username/password login here; set"
                      + " kafka.client.sasl.jaas.config");
        };
    if (username.isEmpty() || password.isEmpty()) {
      throw new IllegalArgumentException(
          "kafka.sasl.mechanism "
              + mechanism
              + " needs kafka.sasl.username and kafka.sasl.password");
    }
    return module
        + " required username=\""
        + escape(username)
        + "\" password=\""
        + escape(password)
        + "\";";
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  private static void putIfSet(Map<String, String> p, String property, Settings s, String key) {
    String v = s.get(key);
    if (!v.isEmpty()) {
      p.put(property, v);
    }
  }

  /** {@code bootstrap.servers} and the client properties, for any Kafka client's config. */
  public Map<String, Object> clientConfig() {
    Map<String, Object> c = new LinkedHashMap<>(clientProperties);
    c.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return c;
  }

  /** {@link #clientConfig()} with a client's own settings on top. */
  public Map<String, Object> clientConfig(Map<String, ?> overrides) {
    Map<String, Object> c = clientConfig();
    c.putAll(overrides);
    return c;
  }

  /**
   * Why Kafka refused this process, naming the settings to check: a failed SASL login (username,
   * password, mechanism) or TLS handshake (truststore, keystore).
   *
   * @param error what a Kafka client threw, or its cause
   * @return the explanation, or the error's own message when it is neither
   */
  public String explain(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof SaslAuthenticationException) {
        return "Kafka at "
            + bootstrapServers
            + " refused the login; check kafka.sasl.username, kafka.sasl.password and"
            + " kafka.sasl.mechanism ("
            + t.getMessage()
            + ")";
      }
      if (t instanceof SslAuthenticationException) {
        return "TLS with Kafka at "
            + bootstrapServers
            + " failed; check kafka.ssl.truststore.location (the brokers' CA) and"
            + " kafka.security.protocol ("
            + rootMessage(t)
            + ")";
      }
    }
    return "Kafka at " + bootstrapServers + " cannot be reached (" + rootMessage(error) + ")";
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }

  /** The client properties with secrets masked, for logs. */
  @Override
  public String toString() {
    Map<String, String> shown = new LinkedHashMap<>();
    clientProperties.forEach(
        (k, v) ->
            shown.put(
                k,
                SECRET_HINTS.stream().anyMatch(h -> k.toLowerCase(Locale.ROOT).contains(h))
                    ? "[hidden]"
                    : v));
    return "KafkaSettings[bootstrapServers="
        + bootstrapServers
        + ", clientProperties="
        + shown
        + "]";
  }
}
