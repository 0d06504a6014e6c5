package io.spanline.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.spanline.query.api.jaeger.JaegerHttpApi;
import io.spanline.query.config.QueryConfigLoader;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Grafana provisioning files in docs/ point Grafana's data sources at this service. */
class GrafanaProvisioningTest {
  private static final Path FILE = Path.of("../docs/grafana/provisioning/datasources/jaeger.yaml");

  @Test
  void provisionsAJaegerDataSource_atTheQueryServicesJaegerPrefix() throws Exception {
    JsonNode yaml = new ObjectMapper(new YAMLFactory()).readTree(FILE.toFile());

    assertThat(yaml.get("apiVersion").asInt()).isEqualTo(1);
    JsonNode source = yaml.at("/datasources/0");
    assertThat(source.get("type").asText()).isEqualTo("jaeger");
    URI url = URI.create(source.get("url").asText());
    assertThat(url.getPath()).isEqualTo("/jaeger");
    // the API's own prefix is that path plus Jaeger's /api
    assertThat(JaegerHttpApi.PREFIX).isEqualTo(url.getPath() + "/api");
    assertThat(url.getPort()).isEqualTo(QueryConfigLoader.load(Map.of(), Map.of()).httpPort());
    assertThat(source.at("/jsonData/httpHeaderName1").asText()).isEqualTo("X-Scope-OrgID");
  }

  @Test
  void provisionsATempoDataSource_atTheQueryServiceRoot_withoutStreaming() throws Exception {
    JsonNode yaml =
        new ObjectMapper(new YAMLFactory())
            .readTree(Path.of("../docs/grafana/provisioning/datasources/tempo.yaml").toFile());

    JsonNode source = yaml.at("/datasources/0");
    assertThat(source.get("type").asText()).isEqualTo("tempo");
    URI url = URI.create(source.get("url").asText());
    assertThat(url.getPath()).as("Tempo's API is served at the root").isEmpty();
    assertThat(url.getPort()).isEqualTo(QueryConfigLoader.load(Map.of(), Map.of()).httpPort());
    assertThat(source.at("/jsonData/httpHeaderName1").asText()).isEqualTo("X-Scope-OrgID");
    assertThat(source.at("/jsonData/streamingEnabled/search").asBoolean())
        .as("search goes over HTTP: gRPC streaming is not served")
        .isFalse();
  }
}
