package io.spanline.service.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanline.service.config.Settings;
import io.spanline.service.config.SettingsSpec;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The consumer settings both sinks read alike. */
class ConsumerAppSettingsTest {
  private static ConsumerAppSettings read(Map<String, String> props) {
    Map<String, String> defaults = new LinkedHashMap<>();
    defaults.putAll(ConsumerAppSettings.defaults("sink.dead-letter", "sink-group", 2, 200));
    defaults.putAll(
        ConsumerAppSettings.retryDefaults(Duration.ofMillis(250), Duration.ofSeconds(30)));
    SettingsSpec spec =
        SettingsSpec.builder("sink")
            .settings(defaults)
            .passThrough(ConsumerAppSettings.CONSUMER_PREFIX)
            .build();
    Map<String, String> sys = new HashMap<>();
    props.forEach((k, v) -> sys.put("spanline.sink." + k, v));
    return ConsumerAppSettings.from(Settings.load(spec, Map.of(), sys));
  }

  @Test
  void defaults_thenConsumerPropertiesPassedThrough() {
    ConsumerAppSettings c = read(Map.of("consumer.fetch.min.bytes", "65536"));

    assertThat(c)
        .isEqualTo(
            new ConsumerAppSettings(
                "spanline.traces.sampled",
                "sink.dead-letter",
                "sink-group",
                2,
                200,
                Duration.ofMillis(250),
                Duration.ofSeconds(30),
                Map.of("fetch.min.bytes", "65536")));
    assertThat(c.topics()).containsExactly("spanline.traces.sampled", "sink.dead-letter");
  }

  @Test
  void badValuesNameTheirSetting() {
    assertThatThrownBy(() -> read(Map.of("retry.backoff.max.ms", "100ms")))
        .hasMessageContaining("retry.backoff.max.ms")
        .hasMessageContaining("retry.backoff.initial.ms");
    assertThatThrownBy(() -> read(Map.of("topic.dead-letter", "no spaces allowed")))
        .hasMessageContaining("topic.dead-letter");
    assertThatThrownBy(() -> read(Map.of("consumers", "0"))).hasMessageContaining("consumers");
  }
}
