package io.spanline.archive;

import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.spanline.archive.config.ArchiveSinkConfig;
import io.spanline.archive.metrics.ArchiveSinkMetrics;
import io.spanline.archive.retention.RetentionSweep;
import io.spanline.archive.s3.S3Clients;
import io.spanline.archive.sink.ArchiveSink;
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
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;

/**
 * The archive sink process: checks the topics and the bucket (creating it when {@code
 * s3.create-bucket} says so), starts the retention sweep, the consumer threads ({@link
 * ConsumerThreads}: one that fails is started again from the last committed offsets) and the admin
 * port ({@code /healthz}, {@code /readyz} = Kafka reachable with its topics, the bucket reachable,
 * every consumer running; {@code /metrics}).
 */
public final class ArchiveSinkApp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ArchiveSinkApp.class);
  private static final String README = "archive-sink/README.md";

  private final ArchiveSinkConfig config;
  private final S3Client s3;
  private final Producer<byte[], byte[]> deadLetterProducer;
  private final ConfluentAvroSerde<SampledTrace> values;
  private final ArchiveSinkMetrics metrics;
  private final PrometheusMeterRegistry registry;
  private final ScheduledExecutorService scheduler;
  private final KafkaReadiness kafka;
  private final AdminServer admin;
  private volatile ConsumerThreads consumers;
  private volatile String s3Problem = "not checked yet";

  private ArchiveSinkApp(ArchiveSinkConfig config, SchemaRegistryClient schemaRegistry) {
    this.config = config;
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.metrics = new ArchiveSinkMetrics(registry);
    this.s3 = S3Clients.create(config);
    this.values = new ConfluentAvroSerde<>(AvroRecordCodec.SAMPLED_TRACE, schemaRegistry);
    this.deadLetterProducer =
        new KafkaProducer<>(
            SinkClients.deadLetterProducerConfig(config.bootstrapServers(), config.groupId()));
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "archive-sink-scheduler");
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
                () -> s3Problem,
                () -> consumers == null ? 0 : consumers.running(),
                config.consumers()),
            registry);
  }

  /** Starts with the registry at {@code schema-registry.url} and the system clock. */
  public static ArchiveSinkApp start(ArchiveSinkConfig config) {
    return start(
        config,
        new RestSchemaRegistryClient(
            URI.create(config.schemaRegistryUrl()), Duration.ofSeconds(10)),
        Clock.systemUTC());
  }

  /**
   * @throws IllegalStateException if a topic or the bucket is missing (and not to be created)
   */
  public static ArchiveSinkApp start(
      ArchiveSinkConfig config, SchemaRegistryClient schemaRegistry, Clock clock) {
    StreamsApps.requireTopics(
        config.bootstrapServers(),
        List.of(config.sampledTracesTopic(), config.deadLetterTopic()),
        README);
    ArchiveSinkApp app = new ArchiveSinkApp(config, schemaRegistry);
    try {
      app.requireBucket();
      RetentionSweep sweep =
          new RetentionSweep(
              app.s3,
              config.bucket(),
              config.layout(),
              config.retention(),
              clock,
              app.metrics::retentionDeleted);
      app.scheduler.scheduleWithFixedDelay(
          sweep, 0, config.retentionInterval().toMillis(), TimeUnit.MILLISECONDS);
      app.scheduler.scheduleWithFixedDelay(app::checkS3, 5, 5, TimeUnit.SECONDS);
      app.consumers = new ConsumerThreads("archive-sink", config.consumers(), app::consumer);
    } catch (RuntimeException e) {
      app.close();
      throw e;
    }
    LOG.info(
        "Archive sink consuming {} with {} consumer(s) into s3://{}/{} (admin port {})",
        config.sampledTracesTopic(),
        config.consumers(),
        config.bucket(),
        config.layout().root(),
        app.adminPort());
    return app;
  }

  public int adminPort() {
    return admin.port();
  }

  public ArchiveSinkMetrics metrics() {
    return metrics;
  }

  /** The S3 client the sink uses (shared; closed with the app). */
  public S3Client s3() {
    return s3;
  }

  private void requireBucket() {
    try {
      s3.headBucket(h -> h.bucket(config.bucket()));
      s3Problem = "";
    } catch (NoSuchBucketException e) {
      if (!config.createBucket()) {
        throw new IllegalStateException(
            "Bucket "
                + config.bucket()
                + " does not exist: create it (see "
                + README
                + ") or set s3.create-bucket=true",
            e);
      }
      s3.createBucket(c -> c.bucket(config.bucket()));
      LOG.info("Created bucket {}", config.bucket());
      s3Problem = "";
    }
  }

  private void checkS3() {
    try {
      s3.headBucket(h -> h.bucket(config.bucket()));
      s3Problem = "";
    } catch (RuntimeException e) {
      s3Problem = "S3 bucket " + config.bucket() + " not reachable: " + e;
    }
  }

  private ConsumerThreads.Worker consumer(int number) {
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig(config, number));
    KafkaClientMetrics consumerMetrics = new KafkaClientMetrics(consumer);
    consumerMetrics.bindTo(registry);
    ArchiveSink sink =
        new ArchiveSink(
            config, number, consumer, values.deserializer(), s3, deadLetterProducer, metrics);
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

  static Map<String, Object> consumerConfig(ArchiveSinkConfig config, int number) {
    Map<String, Object> c = new HashMap<>();
    // A roll's upload happens between polls: allow it time.
    c.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "600000");
    c.putAll(config.consumerOverrides());
    return SinkClients.consumerConfig(
        config.bootstrapServers(), config.groupId(), number, config.maxPollRecords(), c);
  }

  /** Stops the consumers (open rolls are read again later), then everything else. */
  @Override
  public void close() {
    if (consumers != null) {
      consumers.close();
    }
    scheduler.shutdownNow();
    admin.close();
    kafka.close();
    deadLetterProducer.close(Duration.ofSeconds(10));
    s3.close();
  }
}
