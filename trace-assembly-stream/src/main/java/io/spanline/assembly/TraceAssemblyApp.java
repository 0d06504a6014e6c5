package io.spanline.assembly;

import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.spanline.assembly.config.AssemblyConfig;
import io.spanline.assembly.metrics.AssemblyMetrics;
import io.spanline.schemas.registry.RestSchemaRegistryClient;
import io.spanline.schemas.topic.SpanlineTopics;
import io.spanline.service.admin.AdminServer;
import io.spanline.service.admin.KafkaReadiness;
import io.spanline.service.admin.Readiness;
import io.spanline.service.streams.DeadLetteringHandler;
import io.spanline.service.streams.StreamsApps;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running trace assembly stream: the Kafka Streams app and its admin port. */
public final class TraceAssemblyApp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TraceAssemblyApp.class);

  private final KafkaStreams streams;
  private final KafkaStreamsMetrics streamsMetrics;
  private final KafkaReadiness kafka;
  private final AdminServer admin;
  private final AssemblyMetrics metrics;
  private final StreamsInputLag inputLag;

  private TraceAssemblyApp(
      KafkaStreams streams,
      KafkaStreamsMetrics streamsMetrics,
      KafkaReadiness kafka,
      AdminServer admin,
      AssemblyMetrics metrics,
      StreamsInputLag inputLag) {
    this.inputLag = inputLag;
    this.streams = streams;
    this.streamsMetrics = streamsMetrics;
    this.kafka = kafka;
    this.admin = admin;
    this.metrics = metrics;
  }

  /**
   * Checks that the topics exist, then starts the stream and the admin port.
   *
   * @throws IllegalStateException naming the topics that do not exist, or when Kafka cannot be
   *     reached within 30 s
   */
  public static TraceAssemblyApp start(AssemblyConfig config) {
    List<String> topics =
        List.of(
            config.topics().otlpSpans(),
            config.topics().assembledTraces(),
            config.deadLetterTopic());
    StreamsApps.requireTopics(
        config.bootstrapServers(), topics, "the trace-assembly-stream README");
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    AssemblyMetrics metrics = new AssemblyMetrics(registry);
    SpanlineTopics specs =
        new SpanlineTopics(
            config.topics(),
            new RestSchemaRegistryClient(
                URI.create(config.schemaRegistryUrl()), Duration.ofSeconds(10)));
    Properties props = TraceAssemblyTopology.streamsConfig(config);
    props.put(DeadLetteringHandler.COUNTER_CONFIG, (Consumer<Exception>) metrics::deadLettered);
    StreamsInputLag inputLag = new StreamsInputLag(Duration.ofMillis(500));
    KafkaStreams streams =
        new KafkaStreams(TraceAssemblyTopology.build(config, specs, metrics, inputLag), props);
    inputLag.watch(streams);
    streams.setUncaughtExceptionHandler(
        e -> {
          LOG.error("Stream thread failed; replacing it", e);
          return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(registry);
    KafkaReadiness kafka =
        new KafkaReadiness(config.bootstrapServers(), topics, Duration.ofSeconds(5));
    Readiness readiness =
        new Readiness() {
          @Override
          public boolean ready() {
            return kafka.ready() && streams.state() == KafkaStreams.State.RUNNING;
          }

          @Override
          public String problem() {
            return kafka.ready() ? "stream state " + streams.state() : kafka.problem();
          }
        };
    AdminServer admin =
        AdminServer.start(config.adminBindAddress(), config.adminPort(), readiness, registry);
    streams.start();
    LOG.info(
        "Trace assembly reading {} and writing {} (application.id {}); admin on port {}",
        config.topics().otlpSpans(),
        config.topics().assembledTraces(),
        config.applicationId(),
        admin.port());
    return new TraceAssemblyApp(streams, streamsMetrics, kafka, admin, metrics, inputLag);
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  public int adminPort() {
    return admin.port();
  }

  public AssemblyMetrics metrics() {
    return metrics;
  }

  /** Stops the stream cleanly (commits, closes stores), then the admin port. */
  @Override
  public void close() {
    streams.close(Duration.ofSeconds(60));
    inputLag.close();
    streamsMetrics.close();
    admin.close();
    kafka.close();
  }
}
