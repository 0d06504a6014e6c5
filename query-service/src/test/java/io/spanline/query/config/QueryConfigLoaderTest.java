package io.spanline.query.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The query service reads OpenSearch and S3 settings as the sinks do, with the same checks. */
class QueryConfigLoaderTest {
  private static QueryConfig load(String key, String value) {
    return QueryConfigLoader.load(Map.of(), Map.of("spanline.query." + key, value));
  }

  @Test
  void defaults_reachALocalOpenSearch_andAwsForTheArchive() {
    QueryConfig c = QueryConfigLoader.load(Map.of(), Map.of());

    assertThat(c.openSearch().hosts()).containsExactly(URI.create("http://127.0.0.1:9200"));
    assertThat(c.s3().endpoint()).isEmpty();
    assertThat(c.bucket()).isEqualTo("spanline-archive");
  }

  @Test
  void aPublicAddressWithoutAuth_isRefused_namingTheWaysOut() {
    assertThatThrownBy(() -> load("http.bind.address", "0.0.0.0"))
        .hasMessageContaining("http.bind.address=0.0.0.0")
        .hasMessageContaining("auth.enabled")
        .hasMessageContaining("auth.trusted-proxy=true");
    assertThat(
            QueryConfigLoader.load(
                    Map.of(),
                    Map.of(
                        "spanline.query.http.bind.address", "0.0.0.0",
                        "spanline.query.auth.trusted-proxy", "true"))
                .httpBindAddress())
        .isEqualTo("0.0.0.0");
  }

  @Test
  void opensearchHosts_areSeveralUrls() {
    QueryConfig c = load("opensearch.hosts", "http://a:9200, https://b:9243");

    assertThat(c.openSearch().hosts())
        .containsExactly(URI.create("http://a:9200"), URI.create("https://b:9243"));
  }

  @Test
  void badValues_nameTheKey_asInTheSinks() {
    assertThatThrownBy(() -> load("opensearch.hosts", "localhost:9200"))
        .hasMessageContaining("opensearch.hosts=localhost:9200");
    assertThatThrownBy(() -> load("s3.bucket", "Bad_Bucket"))
        .hasMessageContaining("s3.bucket=Bad_Bucket");
    assertThatThrownBy(() -> load("s3.endpoint", "localhost:9000"))
        .hasMessageContaining("s3.endpoint=localhost:9000");
    assertThatThrownBy(() -> load("s3.endpoint", "http://a:9000,http://b:9000"))
        .hasMessageContaining("Must be one");
  }

  @Test
  void anUnknownKey_failsStartUp_namingTheClosestKnownOne(@TempDir Path dir) throws Exception {
    // a misspelt system property
    assertThatThrownBy(
            () -> QueryConfigLoader.load(Map.of(), Map.of("spanline.query.opensearch.hosst", "1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "unknown setting opensearch.hosst (system property spanline.query.opensearch.hosst); did you"
                + " mean opensearch.hosts?");
    // a misspelt environment variable
    assertThatThrownBy(
            () ->
                QueryConfigLoader.load(Map.of("SPANLINE_QUERY_OPENSEARCH_PASWORD", "x"), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "unknown setting SPANLINE_QUERY_OPENSEARCH_PASWORD (environment variable)")
        .hasMessageContaining("did you mean SPANLINE_QUERY_OPENSEARCH_PASSWORD");
    // a misspelt key of the YAML file, nested
    Path file = Files.writeString(dir.resolve("query.yaml"), "archive:\n  lookback: 1000\n");
    assertThatThrownBy(
            () ->
                QueryConfigLoader.load(
                    Map.of("SPANLINE_QUERY_CONFIG_FILE", file.toString()), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(YAML file " + file + ")")
        .hasMessageEndingWith("did you mean archive.lookback.ms?");
    // other apps' names are not this app's business
    QueryConfigLoader.load(
        Map.of("SPANLINE_OTHER_NO_SUCH_KEY", "x"), Map.of("spanline.other.no.such.key", "x"));
  }

  @Test
  void durationsTakeUnits_andApiKeysComeFromTheFileSection(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("query.yaml"), "api-keys:\n  k1: acme\n");
    QueryConfig c =
        QueryConfigLoader.load(
            Map.of(
                "SPANLINE_QUERY_CONFIG_FILE",
                file.toString(),
                "SPANLINE_QUERY_API_KEYS",
                "k2=globex"),
            Map.of("spanline.query.archive.lookback.ms", "12h"));
    assertThat(c.archiveLookback()).isEqualTo(Duration.ofHours(12));
    assertThat(c.apiKeys()).containsEntry("k1", "acme").containsEntry("k2", "globex");
  }
}
