package io.spanline.sampling.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SamplingConfigLoaderTest {
  @Test
  void defaultsAreTheDocumentedOnes() {
    SamplingConfig c = SamplingConfigLoader.load(Map.of(), Map.of());
    assertThat(c.applicationId()).isEqualTo("spanline-sampling");
    assertThat(c.topics().assembledTraces()).isEqualTo("spanline.traces.assembled");
    assertThat(c.topics().sampledTraces()).isEqualTo("spanline.traces.sampled");
    assertThat(c.topics().decisions()).isEqualTo("spanline.decisions");
    assertThat(c.topics().metrics()).isEqualTo("spanline.metrics");
    assertThat(c.deadLetterTopic()).isEqualTo("spanline.sampling.dead-letter");
    assertThat(c.policyFile()).isEmpty();
    assertThat(c.decisionTtl()).isEqualTo(Duration.ofHours(1));
    assertThat(c.metricsWindow()).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.admin().port()).isEqualTo(13135);
  }

  @Test
  void environmentOverridesDefaults_andSystemPropertiesOverrideEnvironment() {
    SamplingConfig c =
        SamplingConfigLoader.load(
            Map.of(
                "SPANLINE_SAMPLING_POLICY_FILE",
                "/etc/spanline/policies.yaml",
                "SPANLINE_SAMPLING_DECISION_TTL_MS",
                "60000"),
            Map.of("spanline.sampling.decision.ttl.ms", "120000"));
    assertThat(c.policyFile()).contains(Path.of("/etc/spanline/policies.yaml"));
    assertThat(c.decisionTtl()).isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void aBadValueNamesItsKey() {
    assertThatThrownBy(
            () ->
                SamplingConfigLoader.load(
                    Map.of(), Map.of("spanline.sampling.decision.ttl.ms", "soon")))
        .hasMessageContaining("decision.ttl.ms")
        .hasMessageContaining("soon");
    assertThatThrownBy(
            () ->
                SamplingConfigLoader.load(
                    Map.of(), Map.of("spanline.sampling.topic.metrics", "bad topic")))
        .hasMessageContaining("topic.metrics");
  }
}
