package io.spanline.gateway.config;

import io.spanline.service.admin.AdminSettings;
import io.spanline.service.config.KafkaSettings;
import io.spanline.service.tenancy.TenantLimitsSettings;
import io.spanline.service.tls.TlsSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The gateway's one typed configuration, validated when built. Settings come from defaults, then an
 * optional YAML file, then the environment, then system properties ({@link GatewayConfigLoader});
 * the README lists every key.
 *
 * @param bindAddress address the OTLP ports bind to; loopback unless authentication is on or a
 *     trusted proxy is declared ({@code auth.trusted-proxy})
 * @param tls TLS of both OTLP ports ({@code tls.*}), with optional client certificates
 * @param admin the admin port: address, port, TLS ({@code admin.tls.*}) and key
 * @param maxRecordBytes largest Kafka record value written; bigger trace batches are split
 * @param maxInflightBytes request bytes waiting for Kafka's acknowledgement at once; past it new
 *     requests get a retryable 503 / UNAVAILABLE
 * @param retryAfter the delay suggested to refused clients (Retry-After, gRPC RetryInfo)
 * @param apiKeys API key → tenant, used when {@code authEnabled}
 * @param tenantLimits per-tenant overrides of {@code defaultLimits}
 * @param headSamplingPercentage share of traces kept, by trace ID, 0-100 (100 = off)
 * @param spanStartMaxAge a span that started longer ago than this is rejected
 * @param spanStartMaxFuture a span that starts further in the future than this is rejected
 * @param debugAttribute the span attribute that marks a trace for debugging ({@code
 *     debug.attribute}, default {@code spanline.debug}); must match the sampling stream's {@code
 *     debug_attribute}
 * @param debugTenants tenants allowed the debug switch ({@code debug.tenants}); {@code *} allows
 *     every tenant, an empty set none
 * @param tenantLimitsFile the tenant-limits file ({@code tenant-limits.*}): its ingest rates are
 *     global per tenant and override {@code limits.spans-per-second} and {@code
 *     limits.bytes-per-second}
 * @param membersGroup the consumer group every gateway joins so that each can count the live
 *     gateways ({@code tenant-limits.members.group}), used while a tenant-limits file is set
 * @param membersRefresh how often the live gateways are counted ({@code
 *     tenant-limits.members.refresh.ms})
 * @param shedInflightFraction share of {@code maxInflightBytes} in flight from which whole traces
 *     are shed ({@code shed.inflight-fraction}, in (0, 1]; 1 = never)
 */
public record GatewayConfig(
    String bindAddress,
    int grpcPort,
    int httpPort,
    TlsSettings tls,
    AdminSettings admin,
    KafkaSettings kafka,
    String topic,
    int maxRecordBytes,
    String compressionType,
    int lingerMs,
    int batchSize,
    int requestTimeoutMs,
    int deliveryTimeoutMs,
    int maxBlockMs,
    long maxInflightBytes,
    Duration retryAfter,
    boolean authEnabled,
    Map<String, String> apiKeys,
    TenantLimits defaultLimits,
    Map<String, TenantLimits> tenantLimits,
    List<RedactionRule> redaction,
    double headSamplingPercentage,
    Duration spanStartMaxAge,
    Duration spanStartMaxFuture,
    String debugAttribute,
    Set<String> debugTenants,
    TenantLimitsSettings tenantLimitsFile,
    String membersGroup,
    Duration membersRefresh,
    double shedInflightFraction) {

  /** The {@code debug.tenants} entry that allows every tenant. */
  public static final String ALL_TENANTS = "*";

  public GatewayConfig {
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(admin, "admin");
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(topic, "topic");
    apiKeys = Map.copyOf(apiKeys);
    tenantLimits = Map.copyOf(tenantLimits);
    redaction = List.copyOf(redaction);
    Objects.requireNonNull(defaultLimits, "defaultLimits");
    Objects.requireNonNull(spanStartMaxAge, "spanStartMaxAge");
    Objects.requireNonNull(spanStartMaxFuture, "spanStartMaxFuture");
    debugTenants = Set.copyOf(debugTenants);
    Objects.requireNonNull(tenantLimitsFile, "tenantLimitsFile");
    Objects.requireNonNull(membersRefresh, "membersRefresh");
    if (!(shedInflightFraction > 0 && shedInflightFraction <= 1)) {
      throw new IllegalArgumentException(
          "Invalid value for property shed.inflight-fraction="
              + shedInflightFraction
              + ". Must be within (0, 1]; 1 = no shedding.");
    }
    if (membersGroup == null || membersGroup.isBlank()) {
      throw new IllegalArgumentException(
          "Invalid value for property tenant-limits.members.group="
              + membersGroup
              + ". Must not be empty.");
    }
    if (debugAttribute == null || debugAttribute.isBlank()) {
      throw new IllegalArgumentException(
          "Invalid value for property debug.attribute=" + debugAttribute + ". Must not be empty.");
    }
    if (maxRecordBytes < 1024) {
      throw new IllegalArgumentException(
          "Invalid value for property kafka.max-record-bytes="
              + maxRecordBytes
              + ". Must be >= 1024.");
    }
    if (maxInflightBytes <= 0) {
      throw new IllegalArgumentException(
          "Invalid value for property inflight.max-bytes=" + maxInflightBytes + ". Must be > 0.");
    }
    if (!(headSamplingPercentage >= 0 && headSamplingPercentage <= 100)) {
      throw new IllegalArgumentException(
          "Invalid value for property head-sampling.percentage="
              + headSamplingPercentage
              + ". Must be within 0-100.");
    }
    if (authEnabled && apiKeys.isEmpty()) {
      throw new IllegalArgumentException(
          "auth.enabled=true needs at least one API key (api-keys in the config file or "
              + "SPANLINE_GATEWAY_API_KEYS)");
    }
  }

  /** The limits of a tenant: its overrides, else the defaults. */
  public TenantLimits limitsFor(String tenant) {
    return tenantLimits.getOrDefault(tenant, defaultLimits);
  }

  /** Whether {@code tenant} may mark traces for debugging ({@code debug.tenants}). */
  public boolean debugAllowed(String tenant) {
    return debugTenants.contains(ALL_TENANTS) || debugTenants.contains(tenant);
  }

  /** Kafka {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }
}
