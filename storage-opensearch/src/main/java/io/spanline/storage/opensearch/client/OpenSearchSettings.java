package io.spanline.storage.opensearch.client;

import io.spanline.service.config.Settings;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How to reach the OpenSearch cluster.
 *
 * @param hosts the nodes' {@code http(s)://host:port} URLs, at least one
 * @param username basic-auth user; empty for none
 * @param password basic-auth password; ignored without {@code username}
 * @param requestTimeout how long one request may take
 */
public record OpenSearchSettings(
    List<URI> hosts, String username, String password, Duration requestTimeout) {
  /**
   * @throws IllegalArgumentException if there is no host
   */
  public OpenSearchSettings {
    hosts = List.copyOf(hosts);
    if (hosts.isEmpty()) {
      throw new IllegalArgumentException("at least one OpenSearch host is needed");
    }
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
  }

  /**
   * From the keys {@code <prefix>hosts} (comma-separated {@code http(s)://host:port}), {@code
   * <prefix>username}, {@code <prefix>password} and {@code <prefix>request.timeout.ms}, e.g. with
   * prefix {@code opensearch.}; the app's defaults name them.
   *
   * @throws IllegalArgumentException naming the key of a bad value
   */
  public static OpenSearchSettings from(Settings settings, String prefix) {
    return new OpenSearchSettings(
        settings.httpUrls(prefix + "hosts"),
        settings.get(prefix + "username"),
        settings.get(prefix + "password"),
        settings.millis(prefix + "request.timeout.ms"));
  }

  /** Hides the password. */
  @Override
  public String toString() {
    return "OpenSearchSettings[hosts="
        + hosts
        + ", username="
        + (username.isEmpty() ? "(none)" : username)
        + ", requestTimeout="
        + requestTimeout
        + "]";
  }
}
