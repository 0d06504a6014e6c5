package io.spanline.query.config;

import io.spanline.service.admin.AdminSettings;
import io.spanline.service.tenancy.TenantLimitsSettings;
import io.spanline.service.tls.TlsSettings;
import io.spanline.storage.archive.ArchiveLayout;
import io.spanline.storage.archive.ArchiveTraceSearch;
import io.spanline.storage.archive.S3Settings;
import io.spanline.storage.opensearch.IndexLayout;
import io.spanline.storage.opensearch.OpenSearchSettings;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of the query service; every key, default and meaning is in the module README's table.
 * Built by {@link QueryConfigLoader}.
 *
 * @param httpTls TLS of the HTTP port ({@code http.tls.*})
 * @param openSearch how to reach OpenSearch ({@code opensearch.*})
 * @param s3 how to reach the archive's object store ({@code s3.*} but the bucket and prefix)
 * @param archiveLookback how far back a trace-by-ID without a time range looks in the archive
 * @param hotRetention how long the hot store keeps traces: searches whose range starts earlier also
 *     ask the archive ({@code search.hot-retention.ms})
 * @param archiveSearch bounds of one cold search ({@code archive.search.*})
 * @param maxClockSkew the largest clock-skew correction applied to a span of a returned trace
 *     (zero: none applied, only reported)
 * @param maxSpans most spans returned for one trace
 * @param traceQlMaxTracesInspected the most candidate traces one TraceQL search reads and evaluates
 * @param authEnabled whether callers need an API key (which names their tenant)
 * @param apiKeys API key → tenant
 * @param admin the admin port: address, port, TLS ({@code admin.tls.*}) and key
 * @param tenantLimits the tenant-limits file ({@code tenant-limits.*}): per-tenant query
 *     concurrency and result limit
 */
public record QueryConfig(
    String httpBindAddress,
    int httpPort,
    TlsSettings httpTls,
    OpenSearchSettings openSearch,
    IndexLayout indexLayout,
    boolean archiveEnabled,
    S3Settings s3,
    String bucket,
    ArchiveLayout archiveLayout,
    Duration archiveLookback,
    Duration hotRetention,
    ArchiveTraceSearch.Limits archiveSearch,
    Duration maxClockSkew,
    int maxSpans,
    int traceQlMaxTracesInspected,
    boolean authEnabled,
    Map<String, String> apiKeys,
    AdminSettings admin,
    TenantLimitsSettings tenantLimits) {
  public QueryConfig {
    Objects.requireNonNull(httpBindAddress, "httpBindAddress");
    Objects.requireNonNull(httpTls, "httpTls");
    Objects.requireNonNull(admin, "admin");
    Objects.requireNonNull(openSearch, "openSearch");
    Objects.requireNonNull(indexLayout, "indexLayout");
    Objects.requireNonNull(s3, "s3");
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(archiveLayout, "archiveLayout");
    Objects.requireNonNull(archiveLookback, "archiveLookback");
    Objects.requireNonNull(hotRetention, "hotRetention");
    Objects.requireNonNull(archiveSearch, "archiveSearch");
    Objects.requireNonNull(maxClockSkew, "maxClockSkew");
    apiKeys = Map.copyOf(apiKeys);
  }
}
