package io.spanline.schemas.registry;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RestSchemaRegistryClientTest {
  private static final String SCHEMA = "{\"type\":\"record\",\"name\":\"A\",\"fields\":[]}";

  @Test
  void unreachableRegistryNamesTheSubject() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
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
    assertThatThrownBy(
            () -> new RestSchemaRegistryClient(URI.create("http://127.0.0.1:1"), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeout must be > 0");
  }
}
