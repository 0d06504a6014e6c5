package io.spanline.sampling;

import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.spanline.sampling.config.SamplingConfig;
import io.spanline.sampling.metrics.SamplingMetrics;
import io.spanline.sampling.policy.PolicyFileException;
import io.spanline.sampling.policy.PolicyReloader;
import io.spanline.sampling.policy.SamplingPolicies;
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
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running sampling stream: Kafka Streams, the policy reloader and the admin port. */
public final class SamplingApp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SamplingApp.class);

  private final KafkaStreams streams;
  private final KafkaStreamsMetrics streamsMetrics;
  private final KafkaReadiness kafka;
  private final AdminServer admin;
  private final SamplingMetrics metrics;
  private final PolicyReloader reloader;

  private SamplingApp(
      KafkaStreams streams,
      KafkaStreamsMetrics streamsMetrics,
      KafkaReadiness kafka,
      AdminServer admin,
      SamplingMetrics metrics,
      PolicyReloader reloader) {
    this.streams = streams;
    this.streamsMetrics = streamsMetrics;
    this.kafka = kafka;
    this.admin = admin;
    this.metrics = metrics;
    this.reloader = reloader;
  }

  /**
   * Loads the policy file, checks that the topics exist, then starts the stream and the admin port.
   *
   * @throws IllegalStateException when the policy file cannot be read or parsed (naming line and
   *     field), when topics are missing (naming them), or when Kafka cannot be reached
   */
  public static SamplingApp start(SamplingConfig config) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    SamplingMetrics metrics = new SamplingMetrics(registry, config.metricsMaxSeries());
    PolicyReloader reloader = null;
    Supplier<SamplingPolicies> policies;
    if (config.policyFile().isPresent()) {
      try {
        reloader =
            PolicyReloader.start(
                config.policyFile().get(), config.policyReloadInterval(), metrics::policyLoad);
      } catch (PolicyFileException e) {
        throw new IllegalStateException(
            "Policy file " + config.policyFile().get() + ": " + e.getMessage(), e);
      }
      policies = reloader;
    } else {
      LOG.warn("No policy.file set: every trace is kept (always_sample)");
      SamplingPolicies keepAll = SamplingPolicies.keepAll();
      policies = () -> keepAll;
    }
    List<String> topics =
        List.of(
            config.topics().assembledTraces(),
            config.topics().sampledTraces(),
            config.topics().decisions(),
            config.topics().metrics(),
            config.deadLetterTopic());
    try {
      StreamsApps.requireTopics(config.bootstrapServers(), topics, "the sampling-stream README");
    } catch (IllegalStateException e) {
      if (reloader != null) {
        reloader.close();
      }
      throw e;
    }
    SpanlineTopics specs =
        new SpanlineTopics(
            config.topics(),
            new RestSchemaRegistryClient(
                URI.create(config.schemaRegistryUrl()), Duration.ofSeconds(10)));
    Properties props = SamplingTopology.streamsConfig(config);
    props.put(DeadLetteringHandler.COUNTER_CONFIG, (Consumer<Exception>) metrics::deadLettered);
    KafkaStreams streams =
        new KafkaStreams(SamplingTopology.build(config, specs, policies, metrics), props);
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
        "Sampling reading {} and writing {} (application.id {}); admin on port {}",
        config.topics().assembledTraces(),
        config.topics().sampledTraces(),
        config.applicationId(),
        admin.port());
    return new SamplingApp(streams, streamsMetrics, kafka, admin, metrics, reloader);
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  public int adminPort() {
    return admin.port();
  }

  public SamplingMetrics metrics() {
    return metrics;
  }

  /** Stops the stream cleanly (commits, closes stores), then the reloader and the admin port. */
  @Override
  public void close() {
    streams.close(Duration.ofSeconds(60));
    if (reloader != null) {
      reloader.close();
    }
    streamsMetrics.close();
    admin.close();
    kafka.close();
  }
}
