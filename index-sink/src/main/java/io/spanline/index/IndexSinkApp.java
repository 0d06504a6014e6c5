package io.spanline.index;

import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.spanline.index.config.IndexSinkConfig;
import io.spanline.index.metrics.IndexSinkMetrics;
import io.spanline.index.opensearch.IndexTemplates;
import io.spanline.index.opensearch.OpenSearchConnection;
import io.spanline.index.retention.IsmRetentionPolicy;
import io.spanline.index.retention.RetentionJob;
import io.spanline.index.sink.IndexSink;
import io.spanline.schemas.codec.avro.AvroRecordCodec;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.registry.RestSchemaRegistryClient;
import io.spanline.schemas.registry.SchemaRegistryClient;
import io.spanline.schemas.serde.ConfluentAvroSerde;
import io.spanline.service.admin.AdminServer;
import io.spanline.service.admin.KafkaReadiness;
import io.spanline.service.consumer.ConsumerThreads;
import io.spanline.service.consumer.SinkClients;
import io.spanline.service.streams.StreamsApps;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.utils.ExponentialBackoff;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The index sink process: installs the index templates (retrying until OpenSearch answers) and,
 * where the ISM plugin exists, the retention policy; starts the retention job, the consumer threads
 * ({@link ConsumerThreads}: one that fails is started again from the last committed offsets) and
 * the admin port ({@code /healthz}, {@code /readyz} = Kafka reachable with its topics, OpenSearch
 * reachable, every consumer running; {@code /metrics}).
 */
public final class IndexSinkApp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(IndexSinkApp.class);
  private static final String README = "index-sink/README.md";

  private final IndexSinkConfig config;
  private final OpenSearchConnection openSearch;
  private final Producer<byte[], byte[]> deadLetterProducer;
  private final ConfluentAvroSerde<SampledTrace> values;
  private final IndexSinkMetrics metrics;
  private final PrometheusMeterRegistry registry;
  private final ScheduledExecutorService scheduler;
  private final KafkaReadiness kafka;
  private volatile ConsumerThreads consumers;
  private final AdminServer admin;
  private volatile boolean running = true;
  private volatile String openSearchProblem = "not checked yet";

  private IndexSinkApp(IndexSinkConfig config, SchemaRegistryClient schemaRegistry) {
    this.config = config;
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.metrics = new IndexSinkMetrics(registry);
    this.openSearch = OpenSearchConnection.open(config);
    this.values = new ConfluentAvroSerde<>(AvroRecordCodec.SAMPLED_TRACE, schemaRegistry);
    this.deadLetterProducer =
        new KafkaProducer<>(
            SinkClients.deadLetterProducerConfig(config.bootstrapServers(), config.groupId()));
    this.scheduler =
        Executors.newScheduledThreadPool(
            1,
            r -> {
              Thread t = new Thread(r, "index-sink-scheduler");
              t.setDaemon(true);
              return t;
            });
    this.kafka =
        new KafkaReadiness(
            config.bootstrapServers(),
            List.of(config.sampledTracesTopic(), config.deadLetterTopic()),
            Duration.ofSeconds(5));
    this.admin =
        AdminServer.start(
            config.adminBindAddress(),
            config.adminPort(),
            SinkClients.readiness(
                kafka,
                () -> openSearchProblem,
                () -> consumers == null ? 0 : consumers.running(),
                config.consumers()),
            registry);
  }

  /** Starts with the registry at {@code schema-registry.url} and the system clock. */
  public static IndexSinkApp start(IndexSinkConfig config) {
    return start(
        config,
        new RestSchemaRegistryClient(
            URI.create(config.schemaRegistryUrl()), Duration.ofSeconds(10)),
        Clock.systemUTC());
  }

  /**
   * Checks the topics exist, installs templates (waiting for OpenSearch), then starts consuming.
   *
   * @throws IllegalStateException if a topic is missing or OpenSearch refuses a template
   */
  public static IndexSinkApp start(
      IndexSinkConfig config, SchemaRegistryClient schemaRegistry, Clock clock) {
    StreamsApps.requireTopics(
        config.bootstrapServers(),
        List.of(config.sampledTracesTopic(), config.deadLetterTopic()),
        README);
    IndexSinkApp app = new IndexSinkApp(config, schemaRegistry);
    try {
      app.installTemplates();
      app.scheduleJobs(clock);
      app.consumers = new ConsumerThreads("index-sink", config.consumers(), app::consumer);
    } catch (RuntimeException e) {
      app.close();
      throw e;
    }
    LOG.info(
        "Index sink consuming {} with {} consumer(s) into {} (admin port {})",
        config.sampledTracesTopic(),
        config.consumers(),
        config.openSearchHosts(),
        app.adminPort());
    return app;
  }

  public int adminPort() {
    return admin.port();
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
            config.retryInitialBackoff().toMillis(), 2, config.retryMaxBackoff().toMillis(), 0.2);
    for (int attempt = 0; running; attempt++) {
      try {
        IndexTemplates.install(openSearch.client(), config);
        break;
      } catch (IOException e) {
        long wait = backoff.backoff(attempt);
        LOG.warn("OpenSearch not reachable ({}); installing templates again in {} ms", e, wait);
        sleep(wait);
      }
    }
    try {
      IsmRetentionPolicy.installIfAvailable(
          openSearch.client(), config.layout(), config.retention());
    } catch (IOException | RuntimeException e) {
      LOG.warn("Could not install the ISM retention policy; the retention job still runs: {}", e);
    }
  }

  private void scheduleJobs(Clock clock) {
    RetentionJob retention =
        new RetentionJob(
            openSearch.client(),
            config.layout(),
            config.retention(),
            clock,
            metrics::retentionDeleted);
    scheduler.scheduleWithFixedDelay(
        retention, 0, config.retentionInterval().toMillis(), TimeUnit.MILLISECONDS);
    scheduler.scheduleWithFixedDelay(this::checkOpenSearch, 0, 5, TimeUnit.SECONDS);
  }

  private void checkOpenSearch() {
    try {
      openSearch.client().cluster().health(h -> h.timeout(t -> t.time("3s")));
      openSearchProblem = "";
    } catch (IOException | RuntimeException e) {
      openSearchProblem = "OpenSearch not reachable: " + e;
    }
  }

  private ConsumerThreads.Worker consumer(int number) {
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig(config, number));
    KafkaClientMetrics consumerMetrics = new KafkaClientMetrics(consumer);
    consumerMetrics.bindTo(registry);
    IndexSink sink =
        new IndexSink(
            config,
            consumer,
            values.deserializer(),
            openSearch.client(),
            deadLetterProducer,
            metrics);
    return new ConsumerThreads.Worker() {
      @Override
      public void run() {
        sink.run();
      }

      @Override
      public void stop() {
        sink.stop();
      }

      @Override
      public void cleanUp() {
        consumerMetrics.close();
      }
    };
  }

  private void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  static Map<String, Object> consumerConfig(IndexSinkConfig config, int number) {
    return SinkClients.consumerConfig(
        config.bootstrapServers(),
        config.groupId(),
        number,
        config.maxPollRecords(),
        config.consumerOverrides());
  }

  /** Stops the consumers (the batch in progress is not committed), then everything else. */
  @Override
  public void close() {
    running = false;
    if (consumers != null) {
      consumers.close();
    }
    scheduler.shutdownNow();
    admin.close();
    kafka.close();
    deadLetterProducer.close(Duration.ofSeconds(10));
    try {
      openSearch.close();
    } catch (IOException e) {
      LOG.warn("Closing the OpenSearch client failed: {}", e.toString());
    }
  }
}
