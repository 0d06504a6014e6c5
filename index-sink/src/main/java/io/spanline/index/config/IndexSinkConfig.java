package io.spanline.index.config;

import io.spanline.service.admin.AdminSettings;
import io.spanline.service.config.KafkaSettings;
import io.spanline.service.config.RegistrySettings;
import io.spanline.service.consumer.ConsumerAppSettings;
import io.spanline.service.tenancy.TenantLimitsSettings;
import io.spanline.storage.opensearch.IndexLayout;
import io.spanline.storage.opensearch.OpenSearchSettings;
import io.spanline.storage.opensearch.TemplateSettings;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of the index sink; every key, default and meaning is in the module README's table. Built
 * by {@link IndexSinkConfigLoader}.
 *
 * @param openSearch how to reach OpenSearch ({@code opensearch.*}); a request that takes longer
 *     than its timeout is retried
 * @param consumer the sampled-traces topic, dead-letter topic, group, consumer threads, poll size,
 *     backoff while the store fails and {@code consumer.*} overrides
 * @param bulkMaxActions most documents in one bulk request
 * @param bulkMaxBytes most bytes (estimated request body, action lines included) in one bulk
 *     request; a single larger document is still sent, alone
 * @param bulkRefusedMaxAttempts how many times a document is sent while OpenSearch refuses it for
 *     good (an item error such as a mapping conflict, or 413 for a request holding only that
 *     document) before its record is dead-lettered
 * @param attributeAllowlist attribute keys (span or resource) indexed as typed fields
 * @param keywordMaxLength keyword values longer than this (chars) are stored but not indexed
 * @param retention how long daily indices are kept (whole UTC days)
 * @param retentionInterval how often the retention job runs
 * @param retentionDeleteBatch most documents one {@code _delete_by_query} of the per-tenant
 *     retention deletes
 * @param spanStartMaxFuture spans starting further ahead of the sink's clock than this, or longer
 *     ago than {@code retention}, are not indexed (each day a start time names would become a daily
 *     index); a tenant's {@code hot-retention-days} narrows it for that tenant
 * @param tenantLimits the tenant-limits file ({@code tenant-limits.*}): per-tenant {@code
 *     indexed-attributes} and {@code hot-retention-days}
 */
public record IndexSinkConfig(
    KafkaSettings kafka,
    RegistrySettings registry,
    ConsumerAppSettings consumer,
    OpenSearchSettings openSearch,
    IndexLayout layout,
    int shards,
    int replicas,
    String refreshInterval,
    int keywordMaxLength,
    Set<String> attributeAllowlist,
    int bulkMaxActions,
    long bulkMaxBytes,
    int bulkRefusedMaxAttempts,
    Duration retention,
    Duration retentionInterval,
    int retentionDeleteBatch,
    Duration spanStartMaxFuture,
    TenantLimitsSettings tenantLimits,
    AdminSettings admin) {

  public IndexSinkConfig {
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(consumer, "consumer");
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(openSearch, "openSearch");
    Objects.requireNonNull(layout, "layout");
    Objects.requireNonNull(refreshInterval, "refreshInterval");
    attributeAllowlist = Set.copyOf(attributeAllowlist);
    Objects.requireNonNull(retention, "retention");
    Objects.requireNonNull(spanStartMaxFuture, "spanStartMaxFuture");
    Objects.requireNonNull(retentionInterval, "retentionInterval");
    Objects.requireNonNull(tenantLimits, "tenantLimits");
    Objects.requireNonNull(admin, "admin");
  }

  /** What the index templates apply to new indices. */
  public TemplateSettings templates() {
    return new TemplateSettings(layout, shards, replicas, refreshInterval, keywordMaxLength);
  }

  /** Kafka {@code bootstrap.servers}. */
  String bootstrapServers() {
    return kafka.bootstrapServers();
  }
}
