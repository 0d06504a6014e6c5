package io.spanline.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanline.schemas.testing.SmallRegistryServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RestSchemaRegistryClientTest {
  private static final String SCHEMA = "{\"type\":\"record\",\"name\":\"A\",\"fields\":[]}";
  private SmallRegistryServer server;
  private RestSchemaRegistryClient client;

  @BeforeEach
  void start() throws IOException {
    server = new SmallRegistryServer();
    client = new RestSchemaRegistryClient(server.uri(), Duration.ofSeconds(5));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void registersAndFetchesBack_cachingBothWays() {
    int id = client.register("orders-value", SCHEMA);
    int again = client.register("orders-value", SCHEMA);
    String fetched = client.schemaById(id);

    assertThat(again).isEqualTo(id);
    assertThat(fetched).isEqualTo(SCHEMA);
    assertThat(server.requests()).as("one POST; the rest from cache").isEqualTo(1);

    RestSchemaRegistryClient fresh =
        new RestSchemaRegistryClient(server.uri(), Duration.ofSeconds(5));
    assertThat(fresh.schemaById(id)).isEqualTo(SCHEMA);
    assertThat(fresh.schemaById(id)).isEqualTo(SCHEMA);
    assertThat(server.requests()).isEqualTo(2);
  }

  @Test
  void unknownIdNamesTheIdAndTheStatus() {
    assertThatThrownBy(() -> client.schemaById(999))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("schema ID 999")
        .hasMessageContaining("HTTP 404")
        .hasMessageContaining("error_code 40403")
        .satisfies(
            e -> {
              assertThat(((SchemaRegistryException) e).httpStatus()).isEqualTo(404);
              assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(40403);
            });
  }

  @Test
  void unreachableRegistryNamesTheSubject() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    RestSchemaRegistryClient nowhere =
        new RestSchemaRegistryClient(
            URI.create("http://127.0.0.1:" + closedPort), Duration.ofSeconds(2));

    assertThatThrownBy(() -> nowhere.register("orders-value", SCHEMA))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("could not be reached")
        .hasMessageContaining("subject 'orders-value'");
  }

  @Test
  void refusesABadUrlOrTimeout() {
    assertThatThrownBy(
            () -> new RestSchemaRegistryClient(URI.create("ftp://x"), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("http or https");
    assertThatThrownBy(() -> new RestSchemaRegistryClient(server.uri(), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeout must be > 0");
  }
}
