package io.spanline.query.config;

import io.spanline.storage.archive.layout.ArchiveLayout;
import io.spanline.storage.archive.s3.S3Settings;
import io.spanline.storage.opensearch.client.OpenSearchSettings;
import io.spanline.storage.opensearch.layout.IndexLayout;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of the query service; every key, default and meaning is in the module README's table.
 * Built by {@link QueryConfigLoader}.
 *
 * @param archiveLookback how far back a trace-by-ID without a time range looks in the archive
 * @param maxSpans most spans returned for one trace
 * @param authEnabled whether callers need an API key (which names their tenant)
 * @param apiKeys API key → tenant
 */
public record QueryConfig(
    String httpBindAddress,
    int httpPort,
    List<URI> openSearchHosts,
    String openSearchUsername,
    String openSearchPassword,
    Duration requestTimeout,
    IndexLayout indexLayout,
    boolean archiveEnabled,
    Optional<URI> s3Endpoint,
    String s3Region,
    String bucket,
    ArchiveLayout archiveLayout,
    boolean pathStyle,
    String s3AccessKey,
    String s3SecretKey,
    Duration archiveLookback,
    int maxSpans,
    boolean authEnabled,
    Map<String, String> apiKeys,
    String adminBindAddress,
    int adminPort) {
  public QueryConfig {
    Objects.requireNonNull(httpBindAddress, "httpBindAddress");
    openSearchHosts = List.copyOf(openSearchHosts);
    Objects.requireNonNull(indexLayout, "indexLayout");
    Objects.requireNonNull(s3Endpoint, "s3Endpoint");
    Objects.requireNonNull(archiveLayout, "archiveLayout");
    Objects.requireNonNull(archiveLookback, "archiveLookback");
    apiKeys = Map.copyOf(apiKeys);
  }

  /** How to reach the OpenSearch cluster. */
  public OpenSearchSettings openSearch() {
    return new OpenSearchSettings(
        openSearchHosts, openSearchUsername, openSearchPassword, requestTimeout);
  }

  /** How to reach the object store of the archive. */
  public S3Settings s3() {
    return new S3Settings(s3Endpoint, s3Region, pathStyle, s3AccessKey, s3SecretKey);
  }
}
