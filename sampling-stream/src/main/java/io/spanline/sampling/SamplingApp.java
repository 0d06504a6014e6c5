package io.spanline.sampling;

import io.micrometer.core.instrument.Clock;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.spanline.sampling.config.SamplingConfig;
import io.spanline.sampling.metrics.KeptTraceExemplars;
import io.spanline.sampling.metrics.SamplingMetrics;
import io.spanline.sampling.policy.PolicyFileException;
import io.spanline.sampling.policy.PolicyReloader;
import io.spanline.sampling.policy.SamplingPolicies;
import io.spanline.schemas.topic.SpanlineTopics;
import io.spanline.service.streams.DeadLetteringHandler;
import io.spanline.service.streams.StreamsApps;
import io.spanline.service.streams.StreamsService;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running sampling stream: Kafka Streams, the policy reloader and the admin port. */
public final class SamplingApp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SamplingApp.class);

  private final StreamsService service;
  private final SamplingMetrics metrics;
  private final PolicyReloader reloader;

  private SamplingApp(StreamsService service, SamplingMetrics metrics, PolicyReloader reloader) {
    this.service = service;
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
    KeptTraceExemplars exemplars = new KeptTraceExemplars();
    PrometheusMeterRegistry registry =
        new PrometheusMeterRegistry(
            PrometheusConfig.DEFAULT, new PrometheusRegistry(), Clock.SYSTEM, exemplars);
    SamplingMetrics metrics = new SamplingMetrics(registry, config.metricsMaxSeries(), exemplars);
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
      StreamsApps.requireTopics(config.kafka(), topics, "the sampling-stream README");
    } catch (IllegalStateException e) {
      if (reloader != null) {
        reloader.close();
      }
      throw e;
    }
    SpanlineTopics specs = new SpanlineTopics(config.topics(), config.registry().connect());
    Properties props = SamplingTopology.streamsConfig(config);
    props.put(DeadLetteringHandler.COUNTER_CONFIG, (Consumer<Exception>) metrics::deadLettered);
    KafkaStreams streams =
        new KafkaStreams(SamplingTopology.build(config, specs, policies, metrics), props);
    StreamsService service =
        StreamsService.start(streams, props, registry, config.kafka(), topics, config.admin());
    LOG.info(
        "Sampling reading {} and writing {} (application.id {}); admin on port {}",
        config.topics().assembledTraces(),
        config.topics().sampledTraces(),
        config.applicationId(),
        service.adminPort());
    return new SamplingApp(service, metrics, reloader);
  }

  KafkaStreams.State state() {
    return service.state();
  }

  public int adminPort() {
    return service.adminPort();
  }

  public SamplingMetrics metrics() {
    return metrics;
  }

  /** Stops the stream cleanly (commits, closes stores), then the reloader and the admin port. */
  @Override
  public void close() {
    service.close();
    if (reloader != null) {
      reloader.close();
    }
  }
}
