package io.spanline.query.config;

import io.spanline.archive.layout.ArchiveLayout;
import io.spanline.index.layout.IndexLayout;
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
}
