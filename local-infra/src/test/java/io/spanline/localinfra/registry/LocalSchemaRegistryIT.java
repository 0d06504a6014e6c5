package io.spanline.localinfra.registry;

import static io.spanline.localinfra.junit.UniqueNames.unique;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.kafka.LocalKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LocalInfraExtension.class)
class LocalSchemaRegistryIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final String V1 =
      "{\"type\":\"record\",\"name\":\"Order\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}";
  private static final String V2 =
      "{\"type\":\"record\",\"name\":\"Order\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"},"
          + "{\"name\":\"total\",\"type\":\"long\",\"default\":0}]}";

  @Test
  void registersTwoVersions_fetchesById_andKeepsIdsAcrossARestart(LocalKafka kafka)
      throws Exception {
    String topic = unique("schemas");
    int id1;
    int id2;
    try (LocalSchemaRegistry registry =
        LocalSchemaRegistry.start(kafka.bootstrapServers(), topic, 0)) {
      id1 = register(registry.uri(), "orders-value", V1).get("id").asInt();
      id2 = register(registry.uri(), "orders-value", V2).get("id").asInt();
      int again = register(registry.uri(), "orders-value", V1).get("id").asInt();
      int otherSubject = register(registry.uri(), "returns-value", V2).get("id").asInt();

      assertThat(id2).isNotEqualTo(id1);
      assertThat(again).as("same schema, same ID, no new version").isEqualTo(id1);
      assertThat(otherSubject).as("IDs are global").isEqualTo(id2);
      assertThat(get(registry.uri(), "/schemas/ids/" + id1).get("schema").asText()).isEqualTo(V1);
      assertThat(get(registry.uri(), "/subjects/orders-value/versions").toString())
          .isEqualTo("[1,2]");
      assertThat(get(registry.uri(), "/subjects").toString())
          .isEqualTo("[\"orders-value\",\"returns-value\"]");
    }

    // When a new registry process starts on the same topic
    try (LocalSchemaRegistry restarted =
        LocalSchemaRegistry.start(kafka.bootstrapServers(), topic, 0)) {
      // Then every ID still names the same schema, and versions continue
      assertThat(get(restarted.uri(), "/schemas/ids/" + id1).get("schema").asText()).isEqualTo(V1);
      assertThat(get(restarted.uri(), "/schemas/ids/" + id2).get("schema").asText()).isEqualTo(V2);
      JsonNode latest = get(restarted.uri(), "/subjects/orders-value/versions/latest");
      assertThat(latest.get("version").asInt()).isEqualTo(2);
      assertThat(latest.get("id").asInt()).isEqualTo(id2);
      assertThat(register(restarted.uri(), "orders-value", V2).get("id").asInt()).isEqualTo(id2);
    }
  }

  @Test
  void answersErrorsAsTheConfluentApiDoes(LocalKafka kafka) throws Exception {
    try (LocalSchemaRegistry registry =
        LocalSchemaRegistry.start(kafka.bootstrapServers(), unique("schemas"), 0)) {
      HttpResponse<String> unknownId = send(registry.uri(), "GET", "/schemas/ids/4242", null);
      HttpResponse<String> unknownSubject =
          send(registry.uri(), "GET", "/subjects/nope/versions", null);
      HttpResponse<String> notAvro =
          send(registry.uri(), "POST", "/subjects/x-value/versions", "{\"schema\":\"{not avro\"}");

      assertThat(unknownId.statusCode()).isEqualTo(404);
      assertThat(JSON.readTree(unknownId.body()).get("error_code").asInt()).isEqualTo(40403);
      assertThat(unknownSubject.statusCode()).isEqualTo(404);
      assertThat(JSON.readTree(unknownSubject.body()).get("error_code").asInt()).isEqualTo(40401);
      assertThat(notAvro.statusCode()).isEqualTo(422);
      assertThat(JSON.readTree(notAvro.body()).get("error_code").asInt()).isEqualTo(42201);
    }
  }

  private static JsonNode register(URI registry, String subject, String schema) throws Exception {
    HttpResponse<String> response =
        send(
            registry,
            "POST",
            "/subjects/" + subject + "/versions",
            JSON.writeValueAsString(Map.of("schema", schema)));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private static JsonNode get(URI registry, String path) throws Exception {
    HttpResponse<String> response = send(registry, "GET", path, null);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private static HttpResponse<String> send(URI registry, String method, String path, String body)
      throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(registry + path))
            .header("Content-Type", "application/vnd.schemaregistry.v1+json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
