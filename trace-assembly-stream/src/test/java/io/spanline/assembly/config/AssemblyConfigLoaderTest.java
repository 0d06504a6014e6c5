package io.spanline.assembly.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
  void shedding_isOffByDefault_andItsFractionMustBeWithinZeroAndOne() {
    assertThat(AssemblyConfigLoader.load(Map.of(), Map.of()).shedding())
        .isEqualTo(new ShedSettings(false, 0.8, "spanline.debug"));
    assertThat(
            AssemblyConfigLoader.load(
                    Map.of("SPANLINE_ASSEMBLY_SHED_ENABLED", "true"),
                    Map.of("spanline.assembly.shed.open-fraction", "0.5"))
                .shedding())
        .isEqualTo(new ShedSettings(true, 0.5, "spanline.debug"));
    assertThatThrownBy(
            () ->
                AssemblyConfigLoader.load(
                    Map.of(), Map.of("spanline.assembly.shed.open-fraction", "1")))
        .hasMessage(
            "Invalid value for property shed.open-fraction=1.0. Must be above 0 and below 1.");
    assertThatThrownBy(
            () ->
                AssemblyConfigLoader.load(
                    Map.of(), Map.of("spanline.assembly.shed.enabled", "yes")))
        .hasMessageContaining("shed.enabled=yes");
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

  @Test
  void anUnknownKey_failsStartUp_namingTheClosestKnownOne(@TempDir Path dir) throws Exception {
    // a misspelt system property
    assertThatThrownBy(
            () ->
                AssemblyConfigLoader.load(
                    Map.of(), Map.of("spanline.assembly.trace.idle.timout.ms", "1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "unknown setting trace.idle.timout.ms (system property spanline.assembly.trace.idle.timout.ms); did you"
                + " mean trace.idle.timeout.ms?");
    // a misspelt environment variable
    assertThatThrownBy(
            () ->
                AssemblyConfigLoader.load(
                    Map.of("SPANLINE_ASSEMBLY_KAFKA_SASL_PASWORD", "x"), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "unknown setting SPANLINE_ASSEMBLY_KAFKA_SASL_PASWORD (environment variable)")
        .hasMessageContaining("did you mean SPANLINE_ASSEMBLY_KAFKA_SASL_PASSWORD");
    // a misspelt key of the YAML file, nested
    Path file = Files.writeString(dir.resolve("assembly.yaml"), "trace:\n  max:\n    spnas: 5\n");
    assertThatThrownBy(
            () ->
                AssemblyConfigLoader.load(
                    Map.of("SPANLINE_ASSEMBLY_CONFIG_FILE", file.toString()), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(YAML file " + file + ")")
        .hasMessageEndingWith("did you mean trace.max.spans?");
    // other apps' names are not this app's business
    AssemblyConfigLoader.load(
        Map.of("SPANLINE_OTHER_NO_SUCH_KEY", "x"), Map.of("spanline.other.no.such.key", "x"));
  }

  @Test
  void durationsTakeUnits_andTheFileMayBeNested(@TempDir Path dir) throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("assembly.yaml"),
            "trace:\n  idle.timeout.ms: 5s\n  max:\n    duration.ms: 2m\n    spans: 50\n");
    AssemblyConfig c =
        AssemblyConfigLoader.load(
            Map.of("SPANLINE_ASSEMBLY_CONFIG_FILE", file.toString()),
            Map.of(
                "spanline.assembly.kafka.client.client.rack", "eu-1a",
                "spanline.assembly.producer.linger.ms", "1s"));

    assertThat(c.idleTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.maxDuration()).isEqualTo(Duration.ofMinutes(2));
    assertThat(c.maxSpans()).isEqualTo(50);
    assertThat(c.kafka().clientProperties()).containsEntry("client.rack", "eu-1a");
  }
}
