package io.spanline.service.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanline.service.config.Settings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/** The Streams tuning every Streams app reads alike, and what it puts into the Streams config. */
class StreamsTuningTest {
  private static StreamsTuning read(Map<String, String> props) {
    Map<String, String> sys = new HashMap<>();
    props.forEach((k, v) -> sys.put("spanline.app." + k, v));
    return StreamsTuning.from(
        Settings.load("app", StreamsTuning.defaults(32L << 20), Map.of(), sys), 5 << 20);
  }

  @Test
  void defaults_asMeasured_withTheAppsRocksDbBound() {
    StreamsTuning t = read(Map.of());

    assertThat(t)
        .isEqualTo(
            new StreamsTuning(
                262144, 5, "lz4", 5 << 20, 32L << 20, 32L << 20, Duration.ofSeconds(30)));
  }

  @Test
  void durationsTakeUnits_andTheTransactionTimeoutHasAFloor() {
    assertThat(read(Map.of("producer.transaction.timeout.ms", "2m")).transactionTimeout())
        .isEqualTo(Duration.ofMinutes(2));
    assertThat(read(Map.of("producer.linger.ms", "20ms")).producerLingerMs()).isEqualTo(20);
    assertThatThrownBy(() -> read(Map.of("producer.transaction.timeout.ms", "500ms")))
        .hasMessageContaining("producer.transaction.timeout.ms")
        .hasMessageContaining("at least 1000");
    assertThatThrownBy(() -> read(Map.of("rocksdb.block-cache.bytes", "1024")))
        .hasMessageContaining("rocksdb.block-cache.bytes");
  }

  @Test
  void reachesTheStreamsProducer() {
    StreamsTuning t = read(Map.of("producer.transaction.timeout.ms", "45s"));

    Properties p =
        StreamsApps.baseConfig(
            "app",
            io.spanline.service.config.KafkaSettings.plaintext("127.0.0.1:9092"),
            1,
            "/tmp/state",
            "dead-letter",
            t);

    assertThat(p.get(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG)))
        .isEqualTo(45_000);
    assertThat(p.get(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG)))
        .isEqualTo(5 << 20);
  }
}
