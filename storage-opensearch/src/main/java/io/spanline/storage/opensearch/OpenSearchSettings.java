package io.spanline.storage.opensearch;

import io.spanline.service.config.Settings;
import io.spanline.service.tls.ClientTls;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach the OpenSearch cluster: its nodes, basic auth or AWS SigV4, and TLS (a custom CA, a
 * client certificate for mutual TLS).
 *
 * @param hosts the nodes' {@code http(s)://host:port} URLs, at least one
 * @param username basic-auth user; empty for none
 * @param password basic-auth password; ignored without {@code username}
 * @param requestTimeout how long one request may take
 * @param tls what the client trusts and presents over HTTPS
 * @param sigV4 when present, requests are signed with AWS Signature Version 4 for Amazon OpenSearch
 *     Service, with credentials from the AWS SDK's default chain
 */
public record OpenSearchSettings(
    List<URI> hosts,
    String username,
    String password,
    Duration requestTimeout,
    ClientTls tls,
    Optional<SigV4> sigV4) {

  /**
   * AWS Signature Version 4 signing.
   *
   * @param region the domain's region, e.g. {@code eu-west-1}
   * @param service {@code es} for OpenSearch Service domains, {@code aoss} for OpenSearch
   *     Serverless
   */
  public record SigV4(String region, String service) {
    public SigV4 {
      if (region.isBlank()) {
        throw new IllegalArgumentException("opensearch.aws.region must not be empty");
      }
      if (!service.equals("es") && !service.equals("aoss")) {
        throw new IllegalArgumentException(
            "Invalid opensearch.aws.service '" + service + "': must be es or aoss");
      }
    }
  }

  /**
   * @throws IllegalArgumentException if there is no host, or SigV4 is asked for with basic auth,
   *     with more than one host or without https
   */
  public OpenSearchSettings {
    hosts = List.copyOf(hosts);
    if (hosts.isEmpty()) {
      throw new IllegalArgumentException("at least one OpenSearch host is needed");
    }
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(sigV4, "sigV4");
    if (sigV4.isPresent()) {
      if (!username.isEmpty()) {
        throw new IllegalArgumentException(
            "Set opensearch.username or opensearch.aws.region (SigV4), not both");
      }
      if (hosts.size() != 1 || !"https".equals(hosts.get(0).getScheme())) {
        throw new IllegalArgumentException(
            "With opensearch.aws.region (SigV4), opensearch.hosts must be the domain's one"
                + " https:// endpoint, was "
                + hosts);
      }
    }
  }

  /** Plain HTTP(S) with the JDK's CAs and optional basic auth. */
  public OpenSearchSettings(
      List<URI> hosts, String username, String password, Duration requestTimeout) {
    this(hosts, username, password, requestTimeout, ClientTls.none(), Optional.empty());
  }

  /**
   * The settings under {@code prefix} (e.g. {@code opensearch.}) with their defaults, for an app's
   * defaults.
   */
  public static Map<String, String> defaults(String prefix, Duration requestTimeout) {
    Map<String, String> d = new LinkedHashMap<>();
    d.put(prefix + "hosts", "http://127.0.0.1:9200");
    d.put(prefix + "username", "");
    d.put(prefix + "password", "");
    d.put(prefix + "request.timeout.ms", String.valueOf(requestTimeout.toMillis()));
    d.putAll(ClientTls.defaults(prefix));
    d.put(prefix + "aws.region", "");
    d.put(prefix + "aws.service", "es");
    return d;
  }

  /**
   * From the keys of {@link #defaults}: {@code <prefix>hosts} (comma-separated {@code
   * http(s)://host:port}), {@code <prefix>username}, {@code <prefix>password}, {@code
   * <prefix>request.timeout.ms}, {@code <prefix>ssl.truststore.*} and {@code
   * <prefix>ssl.keystore.*} ({@link ClientTls}), {@code <prefix>aws.region} (SigV4 when set) and
   * {@code <prefix>aws.service}.
   *
   * @throws IllegalArgumentException naming the key of a bad value
   */
  public static OpenSearchSettings from(Settings settings, String prefix) {
    String region = settings.get(prefix + "aws.region");
    return new OpenSearchSettings(
        settings.httpUrls(prefix + "hosts"),
        settings.get(prefix + "username"),
        settings.get(prefix + "password"),
        settings.millis(prefix + "request.timeout.ms"),
        ClientTls.from(settings, prefix),
        region.isEmpty()
            ? Optional.empty()
            : Optional.of(new SigV4(region, settings.get(prefix + "aws.service"))));
  }

  /** Hides the password. */
  @Override
  public String toString() {
    return "OpenSearchSettings[hosts="
        + hosts
        + ", auth="
        + (sigV4.isPresent()
            ? "SigV4 " + sigV4.get()
            : username.isEmpty() ? "(none)" : "basic " + username)
        + ", tls="
        + tls
        + ", requestTimeout="
        + requestTimeout
        + "]";
  }
}
