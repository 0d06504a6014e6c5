package io.spanline.index;

import io.spanline.index.config.IndexSinkConfig;
import io.spanline.index.metrics.IndexSinkMetrics;
import io.spanline.index.sink.IndexSink;
import io.spanline.index.sink.TenantIndexSettings;
import io.spanline.schemas.codec.avro.AvroRecordCodec;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.registry.SchemaRegistryClient;
import io.spanline.schemas.serde.ConfluentAvroSerde;
import io.spanline.service.consumer.SinkClients;
import io.spanline.service.consumer.SinkRuntime;
import io.spanline.service.streams.StreamsApps;
import io.spanline.service.tenancy.TenantLimitsSettings;
import io.spanline.storage.opensearch.IndexTemplates;
import io.spanline.storage.opensearch.IsmRetentionPolicy;
import io.spanline.storage.opensearch.OpenSearchConnection;
import io.spanline.storage.opensearch.RetentionJob;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.utils.ExponentialBackoff;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The index sink process: loads the tenant-limits file (per-tenant attribute allowlists and hot
 * retention; reloaded while it runs), installs the index templates (retrying until OpenSearch
 * answers) and, where the ISM plugin exists, the retention policy; then runs, in a {@link
 * SinkRuntime}, the retention job, the OpenSearch check and the consumer threads (one that fails is
 * started again from the last committed offsets), with the admin port ({@code /healthz}, {@code
 * /readyz} = Kafka reachable with its topics, OpenSearch reachable, every consumer running; {@code
 * /metrics}).
 */
public final class IndexSinkApp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(IndexSinkApp.class);
  private static final String README = "index-sink/README.md";

  private final IndexSinkConfig config;
  private final OpenSearchConnection openSearch;
  private final ConfluentAvroSerde<SampledTrace> values;
  private final SinkRuntime runtime;
  private final IndexSinkMetrics metrics;
  private final TenantLimitsSettings.Source tenantLimits;
  private volatile boolean running = true;
  private volatile String openSearchProblem = "not checked yet";

  private IndexSinkApp(IndexSinkConfig config, SchemaRegistryClient schemaRegistry) {
    this.config = config;
    this.openSearch = OpenSearchConnection.open(config.openSearch());
    this.values = new ConfluentAvroSerde<>(AvroRecordCodec.SAMPLED_TRACE, schemaRegistry);
    this.runtime =
        new SinkRuntime(
            new SinkRuntime.Settings(
                "index-sink",
                config.kafka(),
                config.consumer().groupId(),
                config.consumer().topics(),
                config.consumer().consumers(),
                config.admin()),
            () -> openSearchProblem);
    this.metrics = new IndexSinkMetrics(runtime.registry());
    try {
      this.tenantLimits = config.tenantLimits().open(runtime.registry());
    } catch (RuntimeException e) {
      runtime.close();
      closeOpenSearch();
      throw e;
    }
  }

  /** Starts with the registry at {@code schema-registry.*} and the system clock. */
  public static IndexSinkApp start(IndexSinkConfig config) {
    return start(config, config.registry().connect(), Clock.systemUTC());
  }

  /**
   * Checks the topics exist, installs templates (waiting for OpenSearch), then starts consuming.
   *
   * @throws IllegalStateException if a topic is missing or OpenSearch refuses a template
   * @throws IllegalArgumentException if the tenant-limits file cannot be read or is invalid
   */
  public static IndexSinkApp start(
      IndexSinkConfig config, SchemaRegistryClient schemaRegistry, Clock clock) {
    StreamsApps.requireTopics(config.kafka(), config.consumer().topics(), README);
    // a bad tenant-limits file stops the start (IllegalArgumentException naming file, line, key)
    IndexSinkApp app = new IndexSinkApp(config, schemaRegistry);
    try {
      TenantIndexSettings tenants =
          new TenantIndexSettings(
              app.tenantLimits, config.attributeAllowlist(), config.retention());
      app.installTemplates();
      app.runtime.schedule(
          new RetentionJob(
              app.openSearch.client(),
              config.layout(),
              config.retention(),
              clock,
              app.tenantLimits,
              config.retentionDeleteBatch(),
              app.metrics::retentionDeleted,
              app.metrics::tenantRetentionDeleted,
              app.metrics::retentionFailed),
          Duration.ZERO,
          config.retentionInterval());
      app.runtime.schedule(app::checkOpenSearch, Duration.ZERO, Duration.ofSeconds(5));
      app.runtime.startConsumers(
          number -> consumerConfig(config, number),
          (consumer, number) ->
              new IndexSink(
                  config,
                  consumer,
                  app.values.deserializer(),
                  app.openSearch.client(),
                  app.runtime.deadLetterProducer(),
                  app.metrics,
                  tenants,
                  clock));
    } catch (RuntimeException e) {
      app.close();
      throw e;
    }
    LOG.info(
        "Index sink consuming {} with {} consumer(s) into {} (admin port {})",
        config.consumer().topic(),
        config.consumer().consumers(),
        config.openSearch().hosts(),
        app.adminPort());
    return app;
  }

  /** The admin port ({@code /healthz}, {@code /readyz}, {@code /metrics}). */
  public int adminPort() {
    return runtime.adminPort();
  }

  public IndexSinkMetrics metrics() {
    return metrics;
  }

  public OpenSearchClient openSearch() {
    return openSearch.client();
  }

  private void installTemplates() {
    ExponentialBackoff backoff =
        new ExponentialBackoff(
            config.consumer().retryInitialBackoff().toMillis(),
            2,
            config.consumer().retryMaxBackoff().toMillis(),
            0.2);
    for (int attempt = 0; running; attempt++) {
      try {
        IndexTemplates.install(openSearch.client(), config.templates());
        break;
      } catch (IOException e) {
        Optional<String> misconfigured = openSearch.misconfiguration(e);
        if (misconfigured.isPresent()) {
          throw new IllegalStateException(misconfigured.get(), e);
        }
        long wait = backoff.backoff(attempt);
        LOG.warn("OpenSearch not reachable ({}); installing templates again in {} ms", e, wait);
        try {
          Thread.sleep(wait);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          running = false;
        }
      }
    }
    try {
      IsmRetentionPolicy.installIfAvailable(
          openSearch.client(), config.layout(), config.retention());
    } catch (IOException | RuntimeException e) {
      LOG.warn("Could not install the ISM retention policy; the retention job still runs: {}", e);
    }
  }

  private void checkOpenSearch() {
    try {
      openSearch.client().cluster().health(h -> h.timeout(t -> t.time("3s")));
      openSearchProblem = "";
    } catch (IOException | RuntimeException e) {
      openSearchProblem = openSearch.misconfiguration(e).orElse("OpenSearch not reachable: " + e);
    }
  }

  static Map<String, Object> consumerConfig(IndexSinkConfig config, int number) {
    return SinkClients.consumerConfig(
        config.kafka(),
        config.consumer().groupId(),
        number,
        config.consumer().maxPollRecords(),
        config.consumer().consumerOverrides());
  }

  /** Stops the consumers (the batches in progress are not committed), then everything else. */
  @Override
  public void close() {
    running = false;
    runtime.close();
    tenantLimits.close();
    closeOpenSearch();
  }

  private void closeOpenSearch() {
    try {
      openSearch.close();
    } catch (IOException e) {
      LOG.warn("Closing the OpenSearch client failed: {}", e.toString());
    }
  }
}
