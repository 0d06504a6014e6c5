package io.spanline.localinfra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalInfraConfigTest {

  @Test
  void defaultsAreTheContractPortsAndDataFolder() {
    LocalInfraConfig config = LocalInfraConfig.fromMaps(Map.of(), Map.of());

    assertThat(config).isEqualTo(LocalInfraConfig.defaults());
    assertThat(config.kafkaPort()).isEqualTo(9092);
    assertThat(config.openSearchPort()).isEqualTo(9200);
    assertThat(config.s3Port()).isEqualTo(9000);
    assertThat(config.registryPort()).isEqualTo(8081);
    assertThat(config.dataDir()).isEqualTo(Path.of("data"));
  }

  @Test
  void systemPropertiesOverrideTheEnvironment() {
    LocalInfraConfig config =
        LocalInfraConfig.fromMaps(
            Map.of("SPANLINE_KAFKA_PORT", "19092", "SPANLINE_S3_PORT", "19000"),
            Map.of("spanline.kafka.port", "29092"));

    assertThat(config.kafkaPort()).isEqualTo(29092);
    assertThat(config.s3Port()).isEqualTo(19000);
  }

  @Test
  void badValueNamesKeyAndValue() {
    assertThatThrownBy(() -> LocalInfraConfig.fromMaps(Map.of(), Map.of("spanline.s3.port", "abc")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid value for property spanline.s3.port=abc. Must be a port 0-65535.");
    assertThatThrownBy(
            () -> LocalInfraConfig.fromMaps(Map.of("SPANLINE_OPENSEARCH_HEAP", "lots"), Map.of()))
        .hasMessageContaining("spanline.opensearch.heap=lots");
  }
}
