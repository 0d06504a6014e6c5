package io.spanline.index.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.spanline.storage.opensearch.BulkMetrics;
import io.spanline.storage.opensearch.PendingAction;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sink's meters (Prometheus names in the README): records read, documents indexed by type, bulk
 * latency, bulk errors by OpenSearch error type, bulk requests split after a 413, items retried,
 * dead letters by reason, paused consumers and retention deletions (whole indices, and documents
 * per tenant). Consumer lag comes from the Kafka consumer's own metrics.
 */
public final class IndexSinkMetrics implements BulkMetrics {
  private final MeterRegistry registry;
  private final Counter records;
  private final Counter spanDocuments;
  private final Counter fragmentDocuments;
  private final Counter traceDocuments;
  private final Timer bulk;
  private final Counter retries;
  private final Counter bulkSplits;
  private final Counter retentionDeleted;
  private final Counter retentionFailures;
  private final AtomicInteger paused = new AtomicInteger();

  public IndexSinkMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.records =
        Counter.builder("spanline.index.records")
            .description("Kafka records (kept traces or fragments) read")
            .register(registry);
    this.spanDocuments = documents(registry, "span");
    this.fragmentDocuments = documents(registry, "fragment");
    this.traceDocuments = documents(registry, "trace");
    this.bulk =
        Timer.builder("spanline.index.bulk")
            .description("Latency of bulk requests to OpenSearch, failed ones included")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(60))
            .register(registry);
    this.retries =
        Counter.builder("spanline.index.retries")
            .description("Documents sent again after a failed bulk request or item")
            .register(registry);
    this.bulkSplits =
        Counter.builder("spanline.index.bulk.splits")
            .description("Bulk requests sent again in halves after OpenSearch answered 413")
            .register(registry);
    this.retentionDeleted =
        Counter.builder("spanline.index.retention.deleted.indices")
            .description("Indices deleted by the retention job")
            .register(registry);
    this.retentionFailures =
        Counter.builder("spanline.index.retention.failures")
            .description(
                "Retention work left for the next run: a run that failed, or a tenant's documents"
                    + " OpenSearch refused to delete")
            .register(registry);
    Gauge.builder("spanline.index.paused.consumers", paused, AtomicInteger::get)
        .description("Consumers whose partitions are paused while OpenSearch is failing")
        .register(registry);
  }

  /** Meters in a registry of their own, for tests and tools. */
  static IndexSinkMetrics detached() {
    return new IndexSinkMetrics(new SimpleMeterRegistry());
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Spans left out of the index because their start time is outside the accepted window. */
  public void outOfWindow(String tenant, int spans) {
    registry.counter("spanline.index.spans.out_of_window", "tenant", tenant).increment(spans);
  }

  public void recordsRead(int count) {
    records.increment(count);
  }

  @Override
  public void indexed(PendingAction.Kind kind) {
    switch (kind) {
      case SPAN -> spanDocuments.increment();
      case FRAGMENT -> fragmentDocuments.increment();
      case SUMMARY -> traceDocuments.increment();
    }
  }

  @Override
  public Timer bulkTimer() {
    return bulk;
  }

  /**
   * @param type OpenSearch's error type (e.g. {@code mapper_parsing_exception}) or, for a failed
   *     request, {@code request_failed}
   */
  @Override
  public void bulkError(String type, int count) {
    Counter.builder("spanline.index.bulk.errors")
        .description(
            "Failed bulk items by OpenSearch error type; request_failed for whole requests")
        .tag("type", type)
        .register(registry)
        .increment(count);
  }

  /** A bulk request OpenSearch refused as too large (413) is sent again in two halves. */
  @Override
  public void bulkSplit() {
    bulkSplits.increment();
  }

  public void retried(int count) {
    retries.increment(count);
  }

  /**
   * @param reason {@code undecodable} (the record could not be read), {@code rejected} (OpenSearch
   *     refused a document of it for good, e.g. a mapping conflict) or {@code too_large} (a bulk
   *     request holding only one of its documents was refused with 413)
   */
  public void deadLettered(String reason) {
    Counter.builder("spanline.index.dead.letters")
        .description("Records written to the dead-letter topic, by reason")
        .tag("reason", reason)
        .register(registry)
        .increment();
  }

  public void paused(boolean nowPaused) {
    paused.addAndGet(nowPaused ? 1 : -1);
  }

  public void retentionDeleted(int indices) {
    retentionDeleted.increment(indices);
  }

  /** The retention job left work for its next run (it logs what). */
  public void retentionFailed() {
    retentionFailures.increment();
  }

  /**
   * Documents the retention job deleted because {@code tenant}'s {@code hot-retention-days} is
   * shorter than {@code retention.days}; {@code *} for the tenants the file's defaults shorten.
   */
  public void tenantRetentionDeleted(String tenant, long documents) {
    Counter.builder("spanline.index.retention.tenant.deleted.documents")
        .description("Documents deleted by a tenant's hot retention shorter than the global one")
        .tag("tenant", tenant)
        .register(registry)
        .increment(documents);
  }

  /** Documents indexed so far, spans, fragments and summaries together. */
  double documentsIndexed() {
    return spanDocuments.count() + fragmentDocuments.count() + traceDocuments.count();
  }

  private static Counter documents(MeterRegistry registry, String type) {
    return Counter.builder("spanline.index.documents")
        .description("Documents indexed (created, updated or unchanged), by type")
        .tag("type", type)
        .register(registry);
  }
}
