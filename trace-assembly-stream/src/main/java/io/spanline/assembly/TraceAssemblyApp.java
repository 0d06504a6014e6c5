package io.spanline.assembly;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.spanline.assembly.config.AssemblyConfig;
import io.spanline.assembly.metrics.AssemblyMetrics;
import io.spanline.schemas.topic.SpanlineTopics;
import io.spanline.service.streams.DeadLetteringHandler;
import io.spanline.service.streams.StreamsApps;
import io.spanline.service.streams.StreamsService;
import io.spanline.service.tenancy.TenantLimitsSettings;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running trace assembly stream: the Kafka Streams app and its admin port. */
public final class TraceAssemblyApp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TraceAssemblyApp.class);

  private final StreamsService service;
  private final AssemblyMetrics metrics;
  private final StreamsInputLag inputLag;
  private final TenantLimitsSettings.Source tenantLimits;

  private TraceAssemblyApp(
      StreamsService service,
      AssemblyMetrics metrics,
      StreamsInputLag inputLag,
      TenantLimitsSettings.Source tenantLimits) {
    this.tenantLimits = tenantLimits;
    this.service = service;
    this.metrics = metrics;
    this.inputLag = inputLag;
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
    StreamsApps.requireTopics(config.kafka(), topics, "the trace-assembly-stream README");
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    TenantLimitsSettings.Source tenantLimits = config.tenantLimits().open(registry);
    AssemblyMetrics metrics = new AssemblyMetrics(registry);
    SpanlineTopics specs = new SpanlineTopics(config.topics(), config.registry().connect());
    Properties props = TraceAssemblyTopology.streamsConfig(config);
    props.put(DeadLetteringHandler.COUNTER_CONFIG, (Consumer<Exception>) metrics::deadLettered);
    StreamsInputLag inputLag =
        new StreamsInputLag(
            Admin.create(config.kafka().clientConfig()),
            config.applicationId(),
            Duration.ofMillis(500));
    KafkaStreams streams =
        new KafkaStreams(
            TraceAssemblyTopology.build(config, specs, metrics, inputLag, tenantLimits), props);
    inputLag.watch(streams);
    StreamsService service =
        StreamsService.start(
            streams, props, registry, config.kafka(), topics, config.admin(), metrics::shedDetail);
    LOG.info(
        "Trace assembly reading {} and writing {} (application.id {}); admin on port {}",
        config.topics().otlpSpans(),
        config.topics().assembledTraces(),
        config.applicationId(),
        service.adminPort());
    return new TraceAssemblyApp(service, metrics, inputLag, tenantLimits);
  }

  KafkaStreams.State state() {
    return service.state();
  }

  /** The admin port ({@code /healthz}, {@code /readyz}, {@code /metrics}). */
  public int adminPort() {
    return service.adminPort();
  }

  public AssemblyMetrics metrics() {
    return metrics;
  }

  /** Stops the stream cleanly (commits, closes stores), then the admin port. */
  @Override
  public void close() {
    service.close();
    inputLag.close();
    tenantLimits.close();
  }
}
