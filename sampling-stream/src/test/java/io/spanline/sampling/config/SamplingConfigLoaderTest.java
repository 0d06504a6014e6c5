package io.spanline.sampling.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  @Test
  void anUnknownKey_failsStartUp_namingTheClosestKnownOne(@TempDir Path dir) throws Exception {
    // a misspelt system property
    assertThatThrownBy(
            () ->
                SamplingConfigLoader.load(
                    Map.of(), Map.of("spanline.sampling.decision.ttl.sm", "1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "unknown setting decision.ttl.sm (system property spanline.sampling.decision.ttl.sm); did you"
                + " mean decision.ttl.ms?");
    // a misspelt environment variable
    assertThatThrownBy(
            () ->
                SamplingConfigLoader.load(
                    Map.of("SPANLINE_SAMPLING_KAFKA_SASL_PASWORD", "x"), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "unknown setting SPANLINE_SAMPLING_KAFKA_SASL_PASWORD (environment variable)")
        .hasMessageContaining("did you mean SPANLINE_SAMPLING_KAFKA_SASL_PASSWORD");
    // a misspelt key of the YAML file, nested
    Path file = Files.writeString(dir.resolve("sampling.yaml"), "metrics:\n  windw.ms: 1000\n");
    assertThatThrownBy(
            () ->
                SamplingConfigLoader.load(
                    Map.of("SPANLINE_SAMPLING_CONFIG_FILE", file.toString()), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(YAML file " + file + ")")
        .hasMessageEndingWith("did you mean metrics.window.ms?");
    // other apps' names are not this app's business
    SamplingConfigLoader.load(
        Map.of("SPANLINE_OTHER_NO_SUCH_KEY", "x"), Map.of("spanline.other.no.such.key", "x"));
  }

  @Test
  void durationsTakeUnits() {
    SamplingConfig c =
        SamplingConfigLoader.load(
            Map.of("SPANLINE_SAMPLING_DECISION_TTL_MS", "1h"),
            Map.of("spanline.sampling.producer.transaction.timeout.ms", "45s"));
    assertThat(c.decisionTtl()).isEqualTo(Duration.ofHours(1));
    assertThatThrownBy(
            () ->
                SamplingConfigLoader.load(
                    Map.of(), Map.of("spanline.sampling.producer.transaction.timeout.ms", "500ms")))
        .hasMessageContaining("producer.transaction.timeout.ms=500ms. Must be at least 1000");
  }
}
