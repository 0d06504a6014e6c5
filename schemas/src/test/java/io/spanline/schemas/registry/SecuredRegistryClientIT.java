package io.spanline.schemas.registry;

import static io.spanline.localinfra.junit.UniqueNames.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.Server;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The REST client against the local registry's secured port (HTTPS with the broker's certificate,
 * basic auth), and the bearer token on the wire.
 */
@ExtendWith(LocalInfraExtension.class)
class SecuredRegistryClientIT {
  private static final String SCHEMA = "{\"type\":\"record\",\"name\":\"Secured\",\"fields\":[]}";

  @Test
  void registersOverTlsWithBasicAuth(LocalSchemaRegistry registry, LocalKafka kafka)
      throws Exception {
    RestSchemaRegistryClient client =
        RestSchemaRegistryClient.builder(registry.securedUri())
            .sslContext(trusting(kafka))
            .basicAuth(LocalKafka.SCRAM_USER, kafka.secured().password())
            .build();

    int id = client.register(unique("secured") + "-value", SCHEMA);

    // the plain port sees the same schema: one store behind both
    assertThat(new RestSchemaRegistryClient(registry.uri(), Duration.ofSeconds(5)).schemaById(id))
        .isEqualTo(SCHEMA);
  }

  @Test
  void aWrongPasswordOrNoneIsAnsweredWith401(LocalSchemaRegistry registry, LocalKafka kafka)
      throws Exception {
    RestSchemaRegistryClient wrong =
        RestSchemaRegistryClient.builder(registry.securedUri())
            .sslContext(trusting(kafka))
            .basicAuth(LocalKafka.SCRAM_USER, "not-the-password")
            .build();
    RestSchemaRegistryClient anonymous =
        RestSchemaRegistryClient.builder(registry.securedUri()).sslContext(trusting(kafka)).build();

    assertThatThrownBy(() -> wrong.register(unique("wrong") + "-value", SCHEMA))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class, e -> assertThat(e.httpStatus()).isEqualTo(401))
        .hasMessageContaining("refused the credentials")
        .hasMessageNotContaining("not-the-password");
    assertThatThrownBy(() -> anonymous.schemaById(1))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class, e -> assertThat(e.httpStatus()).isEqualTo(401))
        .hasMessageContaining("wants credentials");
  }

  @Test
  void anUntrustedCertificateFailsTheHandshake(LocalSchemaRegistry registry, LocalKafka kafka) {
    // the JDK's CAs do not include the local certificate
    RestSchemaRegistryClient client =
        RestSchemaRegistryClient.builder(registry.securedUri())
            .timeout(Duration.ofSeconds(5))
            .basicAuth(LocalKafka.SCRAM_USER, kafka.secured().password())
            .build();

    assertThatThrownBy(() -> client.schemaById(1))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("could not be reached")
        .hasRootCauseInstanceOf(java.security.cert.CertPathBuilderException.class);
  }

  @Test
  void sendsTheBearerToken() {
    AtomicReference<String> seen = new AtomicReference<>();
    Server server =
        Server.builder()
            .http(new InetSocketAddress("127.0.0.1", 0))
            .service(
                "/schemas/ids/7",
                (ctx, req) -> {
                  seen.set(req.headers().get(HttpHeaderNames.AUTHORIZATION));
                  return HttpResponse.of(
                      HttpStatus.OK, MediaType.JSON, "{\"schema\":\"\\\"string\\\"\"}");
                })
            .build();
    server.start().join();
    try {
      RestSchemaRegistryClient client =
          RestSchemaRegistryClient.builder(
                  URI.create("http://127.0.0.1:" + server.activeLocalPort()))
              .bearerToken("token-123")
              .build();

      assertThat(client.schemaById(7)).isEqualTo("\"string\"");
      assertThat(seen.get()).isEqualTo("Bearer token-123");
    } finally {
      server.stop().join();
    }
  }

  private static SSLContext trusting(LocalKafka kafka) throws GeneralSecurityException {
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, kafka.secured().certificates().trustManagers().getTrustManagers(), null);
    return ssl;
  }
}
