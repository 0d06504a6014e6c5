package io.spanline.schemas.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicNamesTest {

  @Test
  void defaultsAreTheArchitectureContractNames() {
    TopicNames names = TopicNames.fromMap(Map.of());

    assertThat(names).isEqualTo(TopicNames.DEFAULTS);
    assertThat(names.otlpSpans()).isEqualTo("otlp_spans");
    assertThat(names.assembledTraces()).isEqualTo("spanline.traces.assembled");
    assertThat(names.sampledTraces()).isEqualTo("spanline.traces.sampled");
    assertThat(names.decisions()).isEqualTo("spanline.decisions");
  }

  @Test
  void configurationOverridesOneName() {
    TopicNames names = TopicNames.fromMap(Map.of("topic.otlp-spans", "tenant-a.spans"));

    assertThat(names.otlpSpans()).isEqualTo("tenant-a.spans");
    assertThat(names.decisions()).isEqualTo("spanline.decisions");
  }

  @Test
  void illegalNameIsRejectedNamingKeyAndValue() {
    assertThatThrownBy(() -> TopicNames.fromMap(Map.of("topic.decisions", "bad name!")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid value for property topic.decisions=bad name!");
  }
}
