package io.spanline.storage.opensearch.client;

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
