package io.spanline.sampling.config;

import io.spanline.schemas.topic.TopicNames;
import io.spanline.service.admin.AdminSettings;
import io.spanline.service.config.KafkaSettings;
import io.spanline.service.config.RegistrySettings;
import io.spanline.service.streams.StreamsTuning;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of the sampling stream; every key, default and meaning is in the module README's table.
 * Built by {@link SamplingConfigLoader}.
 *
 * @param policyFile the tail-sampling policy file; empty to keep every trace
 * @param policyReloadInterval how often the policy file is checked for changes
 * @param decisionTtl how long a decision is kept for late fragments (record time)
 * @param metricsWindow length of the RED metrics and service-graph windows
 * @param metricsFlushInterval how often accumulated metrics are written to the metrics topic
 * @param metricsMaxSeries bound on distinct Micrometer series (tenant, service, operation, kind,
 *     status) and service-graph edges; past it the operation (or edge) is reported as {@code other}
 */
public record SamplingConfig(
    String applicationId,
    KafkaSettings kafka,
    RegistrySettings registry,
    TopicNames topics,
    String deadLetterTopic,
    Optional<Path> policyFile,
    Duration policyReloadInterval,
    Duration decisionTtl,
    Duration metricsWindow,
    Duration metricsFlushInterval,
    int metricsMaxSeries,
    int streamThreads,
    String stateDir,
    StreamsTuning tuning,
    AdminSettings admin,
    Map<String, String> streamsOverrides) {

  public SamplingConfig {
    Objects.requireNonNull(applicationId, "applicationId");
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
    Objects.requireNonNull(policyFile, "policyFile");
    Objects.requireNonNull(policyReloadInterval, "policyReloadInterval");
    Objects.requireNonNull(decisionTtl, "decisionTtl");
    Objects.requireNonNull(metricsWindow, "metricsWindow");
    Objects.requireNonNull(metricsFlushInterval, "metricsFlushInterval");
    Objects.requireNonNull(tuning, "tuning");
    Objects.requireNonNull(admin, "admin");
    streamsOverrides = Map.copyOf(streamsOverrides);
  }

  /** The same settings with another application ID, policy file and sampled-traces topic. */
  public SamplingConfig forReplay(String applicationId, Path policyFile, String outputTopic) {
    TopicNames t = topics;
    return new SamplingConfig(
        applicationId,
        kafka,
        registry,
        new TopicNames(t.otlpSpans(), t.assembledTraces(), outputTopic, t.decisions(), t.metrics()),
        deadLetterTopic,
        Optional.of(policyFile),
        policyReloadInterval,
        decisionTtl,
        metricsWindow,
        metricsFlushInterval,
        metricsMaxSeries,
        streamThreads,
        stateDir,
        tuning,
        admin,
        streamsOverrides);
  }

  /** Kafka {@code bootstrap.servers}. */
  String bootstrapServers() {
    return kafka.bootstrapServers();
  }
}
