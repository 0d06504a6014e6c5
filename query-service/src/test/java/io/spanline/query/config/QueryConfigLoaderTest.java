package io.spanline.query.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

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
}
