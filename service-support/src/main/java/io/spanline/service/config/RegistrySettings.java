package io.spanline.service.config;

import io.spanline.schemas.registry.RestSchemaRegistryClient;
import io.spanline.schemas.registry.SchemaRegistryException;
import io.spanline.service.tls.ClientTls;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a process reaches the Confluent-compatible schema registry. Settings, under the app's prefix:
 *
 * <ul>
 *   <li>{@code schema-registry.url}: {@code http(s)://host:port};
 *   <li>{@code schema-registry.username} and {@code schema-registry.password}: HTTP basic auth
 *       (Confluent's {@code basic.auth.user.info});
 *   <li>{@code schema-registry.bearer.token}: a bearer token instead (Confluent's {@code
 *       bearer.auth.token});
 *   <li>{@code schema-registry.ssl.truststore.*} and {@code schema-registry.ssl.keystore.*}: TLS
 *       trust and client certificate ({@link ClientTls});
 *   <li>{@code schema-registry.request.timeout.ms}: connect and request timeout.
 * </ul>
 *
 * @param url the registry's base URL
 * @param username basic-auth user; empty for none
 * @param password basic-auth password; never logged
 * @param bearerToken bearer token; empty for none; never logged
 * @param tls TLS trust and client certificate
 * @param timeout for connecting and for each request
 */
public record RegistrySettings(
    URI url,
    String username,
    String password,
    String bearerToken,
    ClientTls tls,
    Duration timeout) {
  private static final Logger LOG = LoggerFactory.getLogger(RegistrySettings.class);

  /**
   * @throws IllegalArgumentException if both basic auth and a bearer token are given
   */
  public RegistrySettings {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(bearerToken, "bearerToken");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(timeout, "timeout");
    if (!username.isEmpty() && !bearerToken.isEmpty()) {
      throw new IllegalArgumentException(
          "Set schema-registry.username or schema-registry.bearer.token, not both");
    }
  }

  /** Plain HTTP, no authentication, a 10 s timeout. */
  static RegistrySettings plain(URI url) {
    return new RegistrySettings(url, "", "", "", ClientTls.none(), Duration.ofSeconds(10));
  }

  /** The settings every app that reads or writes Avro declares, with their defaults. */
  public static Map<String, String> defaults() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("schema-registry.url", "http://127.0.0.1:8081");
    d.put("schema-registry.username", "");
    d.put("schema-registry.password", "");
    d.put("schema-registry.bearer.token", "");
    d.putAll(ClientTls.defaults("schema-registry."));
    d.put("schema-registry.request.timeout.ms", "10000");
    return d;
  }

  /**
   * Reads the settings of {@link #defaults}.
   *
   * @throws IllegalArgumentException naming the setting of a bad value
   */
  public static RegistrySettings from(Settings s) {
    URI url =
        s.optionalHttpUrl("schema-registry.url")
            .orElseThrow(
                () -> new IllegalArgumentException("schema-registry.url must not be empty"));
    return new RegistrySettings(
        url,
        s.get("schema-registry.username"),
        s.get("schema-registry.password"),
        s.get("schema-registry.bearer.token"),
        ClientTls.from(s, "schema-registry."),
        s.millis("schema-registry.request.timeout.ms"));
  }

  /** A client with these settings; its lookups are cached for its life. */
  RestSchemaRegistryClient client() {
    RestSchemaRegistryClient.Builder b = RestSchemaRegistryClient.builder(url).timeout(timeout);
    if (tls.configured()) {
      b.sslContext(tls.sslContext());
    }
    if (!username.isEmpty()) {
      b.basicAuth(username, password);
    } else if (!bearerToken.isEmpty()) {
      b.bearerToken(bearerToken);
    }
    return b.build();
  }

  /**
   * A client with these settings, checked at once: a registry that refuses the credentials, or a
   * TLS handshake that fails, stops start-up with a message naming the settings to check. A
   * registry that cannot be reached is left to the first lookup, as before (it may be starting).
   *
   * @throws IllegalStateException when the registry refuses the credentials or the TLS handshake
   */
  public RestSchemaRegistryClient connect() {
    RestSchemaRegistryClient c = client();
    try {
      c.verify();
    } catch (SchemaRegistryException e) {
      if (e.httpStatus() == 401 || e.httpStatus() == 403) {
        throw new IllegalStateException(
            "Schema registry at "
                + url
                + " refused the credentials (HTTP "
                + e.httpStatus()
                + "); check schema-registry.username and schema-registry.password, or"
                + " schema-registry.bearer.token",
            e);
      }
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof SSLException) {
          throw new IllegalStateException(
              "TLS with the schema registry at "
                  + url
                  + " failed ("
                  + t.getMessage()
                  + "); check schema-registry.ssl.truststore.location (the CA that signed the"
                  + " registry's certificate) and, for mutual TLS, schema-registry.ssl.keystore.*",
              e);
        }
      }
      LOG.warn(
          "Schema registry at {} not reachable yet ({}); lookups will retry", url, e.getMessage());
    }
    return c;
  }

  /** Hides the password and token. */
  @Override
  public String toString() {
    return "RegistrySettings[url="
        + url
        + ", auth="
        + (!username.isEmpty() ? "basic " + username : bearerToken.isEmpty() ? "none" : "bearer")
        + ", tls="
        + tls
        + ", timeout="
        + timeout
        + "]";
  }
}
