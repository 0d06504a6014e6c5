package io.spanline.archive.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveSinkConfigLoaderTest {
  @Test
  void defaultsMatchTheContract() {
    ArchiveSinkConfig c = ArchiveSinkConfigLoader.load(Map.of(), Map.of());

    assertThat(c.consumer().topic()).isEqualTo("spanline.traces.sampled");
    assertThat(c.consumer().deadLetterTopic()).isEqualTo("spanline.archive.dead-letter");
    assertThat(c.rollMaxBytes()).isEqualTo(128L << 20);
    assertThat(c.rollMaxAge()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.retention()).isEqualTo(Duration.ofDays(30));
    assertThat(c.s3().endpoint()).isEmpty();
    assertThat(c.layout().root()).isEqualTo("spans/");
    assertThat(c.admin().port()).isEqualTo(13137);
  }

  @Test
  void badValuesNameTheKeyAndValue() {
    assertThatThrownBy(() -> load("s3.bucket", "Bad_Bucket"))
        .hasMessageContaining("s3.bucket=Bad_Bucket");
    assertThatThrownBy(() -> load("s3.endpoint", "localhost:9000"))
        .hasMessageContaining("s3.endpoint=localhost:9000");
    assertThatThrownBy(() -> load("s3.prefix", "/spans")).hasMessageContaining("s3.prefix");
    assertThatThrownBy(() -> load("s3.multipart.part.bytes", "1024"))
        .hasMessageContaining("s3.multipart.part.bytes");
    assertThatThrownBy(() -> load("roll.max.age.ms", "0")).hasMessageContaining("roll.max.age.ms");
  }

  @Test
  void environmentAndSystemPropertiesOverride() {
    ArchiveSinkConfig c =
        ArchiveSinkConfigLoader.load(
            Map.of("SPANLINE_ARCHIVE_S3_ENDPOINT", "http://127.0.0.1:9000"),
            Map.of("spanline.archive.roll.max.age.ms", "1000"));

    assertThat(c.s3().endpoint()).hasValueSatisfying(u -> assertThat(u.getPort()).isEqualTo(9000));
    assertThat(c.rollMaxAge()).isEqualTo(Duration.ofSeconds(1));
  }

  private static ArchiveSinkConfig load(String key, String value) {
    return ArchiveSinkConfigLoader.load(Map.of(), Map.of("spanline.archive." + key, value));
  }

  @Test
  void anUnknownKey_failsStartUp_namingTheClosestKnownOne(@TempDir Path dir) throws Exception {
    // a misspelt system property
    assertThatThrownBy(
            () ->
                ArchiveSinkConfigLoader.load(
                    Map.of(), Map.of("spanline.archive.s3.secretkey", "1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "unknown setting s3.secretkey (system property spanline.archive.s3.secretkey); did you"
                + " mean s3.secret-key?");
    // a misspelt environment variable
    assertThatThrownBy(
            () ->
                ArchiveSinkConfigLoader.load(
                    Map.of("SPANLINE_ARCHIVE_KAFKA_SASL_PASWORD", "x"), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "unknown setting SPANLINE_ARCHIVE_KAFKA_SASL_PASWORD (environment variable)")
        .hasMessageContaining("did you mean SPANLINE_ARCHIVE_KAFKA_SASL_PASSWORD");
    // a misspelt key of the YAML file, nested
    Path file = Files.writeString(dir.resolve("archive.yaml"), "s3:\n  bukcet: b\n");
    assertThatThrownBy(
            () ->
                ArchiveSinkConfigLoader.load(
                    Map.of("SPANLINE_ARCHIVE_CONFIG_FILE", file.toString()), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(YAML file " + file + ")")
        .hasMessageEndingWith("did you mean s3.bucket?");
    // other apps' names are not this app's business
    ArchiveSinkConfigLoader.load(
        Map.of("SPANLINE_OTHER_NO_SUCH_KEY", "x"), Map.of("spanline.other.no.such.key", "x"));
  }

  @Test
  void durationsTakeUnits() {
    ArchiveSinkConfig c =
        ArchiveSinkConfigLoader.load(
            Map.of("SPANLINE_ARCHIVE_ROLL_MAX_AGE_MS", "5m"),
            Map.of("spanline.archive.retention.days", "720h"));
    assertThat(c.rollMaxAge()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.retention()).isEqualTo(Duration.ofDays(30));
  }
}
