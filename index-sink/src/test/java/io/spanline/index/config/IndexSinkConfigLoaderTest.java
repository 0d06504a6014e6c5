package io.spanline.index.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexSinkConfigLoaderTest {
  @Test
  void defaultsMatchTheContract() {
    IndexSinkConfig c = IndexSinkConfigLoader.load(Map.of(), Map.of());

    assertThat(c.consumer().topic()).isEqualTo("spanline.traces.sampled");
    assertThat(c.consumer().deadLetterTopic()).isEqualTo("spanline.index.dead-letter");
    assertThat(c.openSearch().hosts()).containsExactly(URI.create("http://127.0.0.1:9200"));
    assertThat(c.layout().spanIndexPattern()).isEqualTo("spanline-spans-*");
    assertThat(c.retention()).isEqualTo(Duration.ofDays(7));
    assertThat(c.attributeAllowlist()).contains("http.response.status_code", "error.type");
    assertThat(c.admin().port()).isEqualTo(13136);
    assertThat(c.bulkMaxBytes()).isEqualTo(5L * 1024 * 1024);
    assertThat(c.bulkRefusedMaxAttempts()).isEqualTo(3);
  }

  @Test
  void environmentOverridesDefaults_andSystemPropertiesOverrideBoth() {
    IndexSinkConfig c =
        IndexSinkConfigLoader.load(
            Map.of(
                "SPANLINE_INDEX_OPENSEARCH_HOSTS", "http://a:9200, https://b",
                "SPANLINE_INDEX_INDEX_ATTRIBUTES", "http.route, ,tenant.tier",
                "SPANLINE_INDEX_RETENTION_DAYS", "3"),
            Map.of(
                "spanline.index.retention.days",
                "14",
                "spanline.index.consumer.fetch.max.bytes",
                "1"));

    assertThat(c.openSearch().hosts())
        .containsExactly(URI.create("http://a:9200"), URI.create("https://b"));
    assertThat(c.attributeAllowlist()).containsExactlyInAnyOrder("http.route", "tenant.tier");
    assertThat(c.retention()).isEqualTo(Duration.ofDays(14));
  }

  @Test
  void badValuesNameTheKeyAndValue() {
    assertThatThrownBy(() -> load("opensearch.hosts", "localhost:9200"))
        .hasMessageContaining("opensearch.hosts=localhost:9200");
    assertThatThrownBy(() -> load("index.prefix", "Spanline")).hasMessageContaining("index.prefix");
    assertThatThrownBy(() -> load("index.refresh-interval", "soon"))
        .hasMessageContaining("index.refresh-interval=soon");
    assertThatThrownBy(() -> load("retention.days", "0")).hasMessageContaining("retention.days");
    assertThatThrownBy(() -> load("bulk.max-bytes", "5MB"))
        .hasMessageContaining("bulk.max-bytes=5MB");
    assertThatThrownBy(() -> load("bulk.max-bytes", "100"))
        .hasMessageContaining("bulk.max-bytes=100. Must be at least 1024");
    assertThatThrownBy(() -> load("bulk.refused.max-attempts", "0"))
        .hasMessageContaining("bulk.refused.max-attempts=0");
    assertThatThrownBy(() -> load("topic.dead-letter", "a b"))
        .hasMessageContaining("topic.dead-letter=a b");
    assertThatThrownBy(
            () ->
                IndexSinkConfigLoader.load(
                    Map.of(),
                    Map.of(
                        "spanline.index.retry.backoff.initial.ms", "5000",
                        "spanline.index.retry.backoff.max.ms", "10")))
        .hasMessageContaining("retry.backoff.max.ms=10");
  }

  private static IndexSinkConfig load(String key, String value) {
    return IndexSinkConfigLoader.load(Map.of(), Map.of("spanline.index." + key, value));
  }

  @Test
  void listsEverySettingInReadmeOrder() {
    assertThat(List.copyOf(IndexSinkConfigLoader.DEFAULTS.keySet()))
        .startsWith("kafka.bootstrap.servers", "kafka.security.protocol")
        .containsSequence("admin.bind.address", "admin.port", "admin.tls.enabled")
        .endsWith("admin.auth.key", "admin.auth.key-file");
  }

  @Test
  void anUnknownKey_failsStartUp_namingTheClosestKnownOne(@TempDir Path dir) throws Exception {
    // a misspelt system property
    assertThatThrownBy(
            () ->
                IndexSinkConfigLoader.load(
                    Map.of(), Map.of("spanline.index.opensearch.pasword", "1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "unknown setting opensearch.pasword (system property spanline.index.opensearch.pasword); did you"
                + " mean opensearch.password?");
    // a misspelt environment variable
    assertThatThrownBy(
            () ->
                IndexSinkConfigLoader.load(
                    Map.of("SPANLINE_INDEX_KAFKA_SASL_PASWORD", "x"), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "unknown setting SPANLINE_INDEX_KAFKA_SASL_PASWORD (environment variable)")
        .hasMessageContaining("did you mean SPANLINE_INDEX_KAFKA_SASL_PASSWORD");
    // a misspelt key of the YAML file, nested
    Path file =
        Files.writeString(dir.resolve("index.yaml"), "opensearch:\n  hots: http://a:9200\n");
    assertThatThrownBy(
            () ->
                IndexSinkConfigLoader.load(
                    Map.of("SPANLINE_INDEX_CONFIG_FILE", file.toString()), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(YAML file " + file + ")")
        .hasMessageEndingWith("did you mean opensearch.hosts?");
    // other apps' names are not this app's business
    IndexSinkConfigLoader.load(
        Map.of("SPANLINE_OTHER_NO_SUCH_KEY", "x"), Map.of("spanline.other.no.such.key", "x"));
  }

  @Test
  void durationsTakeUnits_retentionInWholeDays() {
    IndexSinkConfig c =
        IndexSinkConfigLoader.load(
            Map.of("SPANLINE_INDEX_RETENTION_DAYS", "14d"),
            Map.of(
                "spanline.index.retry.backoff.max.ms", "1m",
                "spanline.index.index.refresh-interval", "2000",
                "spanline.index.consumer.fetch.min.bytes", "1"));
    assertThat(c.retention()).isEqualTo(Duration.ofDays(14));
    assertThat(c.consumer().retryMaxBackoff()).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.refreshInterval()).isEqualTo("2000ms");
    assertThatThrownBy(() -> load("retention.days", "36h"))
        .hasMessageContaining("retention.days=36h. Must be a whole number of days");
  }
}
