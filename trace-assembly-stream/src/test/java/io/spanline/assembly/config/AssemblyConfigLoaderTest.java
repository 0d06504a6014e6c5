package io.spanline.assembly.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AssemblyConfigLoaderTest {

  @Test
  void defaultsFollowTheArchitectureContract() {
    AssemblyConfig c = AssemblyConfigLoader.load(Map.of(), Map.of());

    assertThat(c.applicationId()).isEqualTo("spanline-assembly");
    assertThat(c.topics().otlpSpans()).isEqualTo("otlp_spans");
    assertThat(c.topics().assembledTraces()).isEqualTo("spanline.traces.assembled");
    assertThat(c.idleTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.maxDuration()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.maxSpans()).isEqualTo(10_000);
    assertThat(c.deadLetterTopic()).isEqualTo("spanline.assembly.dead-letter");
    assertThat(c.streamsOverrides()).isEmpty();
  }

  @Test
  void environmentAndSystemPropertiesOverride_streamsSettingsPassThrough() {
    AssemblyConfig c =
        AssemblyConfigLoader.load(
            Map.of("SPANLINE_ASSEMBLY_TRACE_IDLE_TIMEOUT_MS", "5000"),
            Map.of(
                "spanline.assembly.trace.max.spans", "50",
                "spanline.assembly.streams.session.timeout.ms", "6000"));

    assertThat(c.idleTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.maxSpans()).isEqualTo(50);
    assertThat(c.streamsOverrides()).containsExactly(Map.entry("session.timeout.ms", "6000"));
  }

  @Test
  void badSettings_nameKeyAndValue() {
    assertThatThrownBy(
            () ->
                AssemblyConfigLoader.load(
                    Map.of(), Map.of("spanline.assembly.trace.max.spans", "many")))
        .hasMessage("Invalid value for property trace.max.spans=many. Must be an int.");
    assertThatThrownBy(
            () ->
                AssemblyConfigLoader.load(
                    Map.of(), Map.of("spanline.assembly.topic.dead-letter", "bad topic")))
        .hasMessageContaining("topic.dead-letter=bad topic");
    assertThatThrownBy(
            () ->
                AssemblyConfigLoader.load(
                    Map.of(),
                    Map.of(
                        "spanline.assembly.trace.idle.timeout.ms", "20000",
                        "spanline.assembly.trace.max.duration.ms", "10000")))
        .hasMessageContaining(
            "trace.max.duration.ms (10000) must be at least trace.idle.timeout.ms (20000)");
  }
}
