package io.spanline.schemas.registry;

import static io.spanline.localinfra.junit.UniqueNames.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The REST client against the real local schema registry. */
@ExtendWith(LocalInfraExtension.class)
class RestSchemaRegistryClientIT {

  private static String schema(String name) {
    return "{\"type\":\"record\",\"name\":\"" + name + "\",\"fields\":[]}";
  }

  @Test
  void registersAndFetchesBack(LocalSchemaRegistry registry) {
    RestSchemaRegistryClient client =
        new RestSchemaRegistryClient(registry.uri(), Duration.ofSeconds(5));
    String subject = unique("orders") + "-value";
    String schema = schema("Order");

    int id = client.register(subject, schema);

    assertThat(client.register(subject, schema)).isEqualTo(id);
    RestSchemaRegistryClient fresh =
        new RestSchemaRegistryClient(registry.uri(), Duration.ofSeconds(5));
    assertThat(fresh.schemaById(id)).isEqualTo(schema);
  }

  @Test
  void answersFromItsCacheOnceItKnowsBothDirections(LocalKafka kafka) {
    // Given a registry of our own that we can stop
    LocalSchemaRegistry registry =
        LocalSchemaRegistry.start(kafka.bootstrapServers(), unique("schemas"), 0);
    URI uri = registry.uri();
    RestSchemaRegistryClient client = new RestSchemaRegistryClient(uri, Duration.ofSeconds(2));
    int id = client.register("cached-value", schema("Cached"));
    registry.close();

    // When the registry is gone, the client still answers what it has seen
    assertThat(client.register("cached-value", schema("Cached"))).isEqualTo(id);
    assertThat(client.schemaById(id)).isEqualTo(schema("Cached"));
    // while a client without the cache cannot
    assertThatThrownBy(
            () -> new RestSchemaRegistryClient(uri, Duration.ofSeconds(2)).schemaById(id))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("could not be reached");
  }

  @Test
  void unknownIdNamesTheIdAndTheStatus(LocalSchemaRegistry registry) {
    RestSchemaRegistryClient client =
        new RestSchemaRegistryClient(registry.uri(), Duration.ofSeconds(5));

    assertThatThrownBy(() -> client.schemaById(987_654))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("schema ID 987654")
        .hasMessageContaining("HTTP 404")
        .hasMessageContaining("error_code 40403")
        .satisfies(
            e -> {
              assertThat(((SchemaRegistryException) e).httpStatus()).isEqualTo(404);
              assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(40403);
            });
  }

  @Test
  void invalidSchemaIsRefusedNamingTheSubject(LocalSchemaRegistry registry) {
    RestSchemaRegistryClient client =
        new RestSchemaRegistryClient(registry.uri(), Duration.ofSeconds(5));

    assertThatThrownBy(() -> client.register("broken-value", "{not avro"))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("subject 'broken-value'")
        .hasMessageContaining("HTTP 422");
  }
}
