package io.spanline.storage.opensearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.server.HttpService;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.opensearch.LocalOpenSearch;
import io.spanline.localinfra.tls.HttpsFront;
import io.spanline.localinfra.tls.LocalCertificates;
import io.spanline.service.config.Settings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenSearch client over TLS with a custom CA, basic auth, a client certificate and SigV4. The
 * embedded node runs without its security plugin (not part of the local build), so each case
 * reaches it through a TLS-terminating front started here ({@link HttpsFront}) that checks what a
 * secured cluster checks: the handshake, the credentials, the client certificate.
 */
@ExtendWith(LocalInfraExtension.class)
class SecuredOpenSearchIT {
  private static final String USER = "spanline-writer";
  private static final String PASSWORD = "front-password";

  @TempDir static Path dir;
  private static LocalCertificates server;
  private static LocalCertificates client;
  private static HttpsFront front;
  private static HttpsFront mutualFront;

  @BeforeAll
  static void startFronts(LocalOpenSearch node) throws Exception {
    server = LocalCertificates.inDirectory(dir.resolve("server"));
    client = LocalCertificates.inDirectory(dir.resolve("client"));
    front =
        HttpsFront.proxy(
            node.uri(), new HttpsFront.Options(0, server, USER, PASSWORD, Optional.empty()));
    mutualFront =
        HttpsFront.proxy(
            node.uri(), new HttpsFront.Options(0, server, USER, PASSWORD, Optional.of(client)));
  }

  @AfterAll
  static void stopFronts() {
    front.close();
    mutualFront.close();
  }

  @Test
  void aPemCaAndBasicAuthReachTheCluster() throws Exception {
    Map<String, String> s = base(front.uri().toString());
    s.put("opensearch.ssl.truststore.location", server.certificatePem().toString());

    try (OpenSearchConnection c = OpenSearchConnection.open(settings(s))) {
      assertThat(c.client().cluster().health().numberOfNodes()).isEqualTo(1);
    }
  }

  @Test
  void aPkcs12TrustStoreWorksToo() throws Exception {
    Map<String, String> s = base(front.uri().toString());
    s.put("opensearch.ssl.truststore.location", server.trustStore().toString());
    s.put("opensearch.ssl.truststore.password", server.password());
    s.put("opensearch.ssl.truststore.type", "PKCS12");

    try (OpenSearchConnection c = OpenSearchConnection.open(settings(s))) {
      assertThat(c.client().cluster().health().numberOfNodes()).isEqualTo(1);
    }
  }

  @Test
  void aWrongPasswordIsRefusedWith401() throws Exception {
    Map<String, String> s = base(front.uri().toString());
    s.put("opensearch.password", "wrong");
    s.put("opensearch.ssl.truststore.location", server.certificatePem().toString());

    try (OpenSearchConnection c = OpenSearchConnection.open(settings(s))) {
      Throwable refused = catchThrowable(() -> c.client().cluster().health());
      assertThat(c.misconfiguration(refused))
          .hasValueSatisfying(
              m ->
                  assertThat(m)
                      .contains("refused the credentials (HTTP 401)")
                      .contains("opensearch.username and opensearch.password")
                      .doesNotContain("wrong"));
    }
  }

  @Test
  void anUntrustedCertificateFailsTheHandshake() throws Exception {
    Map<String, String> s = base(front.uri().toString());
    // the client's own certificate is not the server's
    s.put("opensearch.ssl.truststore.location", client.certificatePem().toString());

    try (OpenSearchConnection c = OpenSearchConnection.open(settings(s))) {
      Throwable failed = catchThrowable(() -> c.client().cluster().health());
      assertThat(failed).isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
      assertThat(c.misconfiguration(failed))
          .hasValueSatisfying(m -> assertThat(m).contains("opensearch.ssl.truststore.location"));
    }
  }

  @Test
  void mutualTlsNeedsTheClientCertificate() throws Exception {
    Map<String, String> without = base(mutualFront.uri().toString());
    without.put("opensearch.ssl.truststore.location", server.certificatePem().toString());
    Map<String, String> withPkcs12 = new HashMap<>(without);
    withPkcs12.put("opensearch.ssl.keystore.location", client.keyStore().toString());
    withPkcs12.put("opensearch.ssl.keystore.password", client.password());
    Map<String, String> withPem = new HashMap<>(without);
    withPem.put("opensearch.ssl.keystore.location", pemKeyAndChain(client).toString());
    withPem.put("opensearch.ssl.keystore.type", "PEM");

    try (OpenSearchConnection c = OpenSearchConnection.open(settings(without))) {
      assertThatThrownBy(() -> c.client().cluster().health()).isInstanceOf(Exception.class);
    }
    for (Map<String, String> s : List.of(withPkcs12, withPem)) {
      try (OpenSearchConnection c = OpenSearchConnection.open(settings(s))) {
        assertThat(c.client().cluster().health().numberOfNodes()).isEqualTo(1);
      }
    }
  }

  @Test
  void badTlsSettingsNameTheKeyAtStartUp() {
    Map<String, String> missing = base(front.uri().toString());
    missing.put("opensearch.ssl.truststore.location", dir.resolve("nope.pem").toString());
    Map<String, String> wrongPassword = base(front.uri().toString());
    wrongPassword.put("opensearch.ssl.truststore.location", server.trustStore().toString());
    wrongPassword.put("opensearch.ssl.truststore.password", "not-it");

    assertThatThrownBy(() -> settings(missing))
        .hasMessageContaining("opensearch.ssl.truststore.location");
    assertThatThrownBy(() -> settings(wrongPassword))
        .hasMessageContaining("opensearch.ssl.truststore.password")
        .hasMessageNotContaining("not-it");
  }

  @Test
  void sigV4SignsEveryRequestWithTheDefaultCredentialsChain(LocalOpenSearch node) throws Exception {
    // A front that records the Authorization header and passes the request on. It checks the
    // signature's shape and scope; the signature itself only AWS can verify.
    List<String> authorizations = new CopyOnWriteArrayList<>();
    WebClient backend = WebClient.of(node.uri());
    HttpService recording =
        (ctx, req) -> {
          authorizations.add(String.valueOf(req.headers().get(HttpHeaderNames.AUTHORIZATION)));
          return backend.execute(req);
        };
    HttpsFront signedFront =
        HttpsFront.serving(
            new HttpsFront.Options(0, server, "", "", Optional.empty()),
            b -> b.serviceUnder("/", recording));
    Map<String, String> s = new HashMap<>(OpenSearchSettings.defaults("opensearch.", sec(10)));
    s.put("opensearch.hosts", signedFront.uri().toString());
    s.put("opensearch.ssl.truststore.location", server.certificatePem().toString());
    s.put("opensearch.aws.region", "eu-west-1");
    System.setProperty("aws.accessKeyId", "AKIDSPANLINETEST");
    System.setProperty("aws.secretAccessKey", "secret-for-the-test");
    try (OpenSearchConnection c = OpenSearchConnection.open(settings(s))) {
      assertThat(c.client().cluster().health().numberOfNodes()).isEqualTo(1);
    } finally {
      System.clearProperty("aws.accessKeyId");
      System.clearProperty("aws.secretAccessKey");
      signedFront.close();
    }
    assertThat(authorizations)
        .isNotEmpty()
        .allSatisfy(
            a ->
                assertThat(a)
                    .startsWith("AWS4-HMAC-SHA256 Credential=AKIDSPANLINETEST/")
                    .contains("/eu-west-1/es/aws4_request")
                    .contains("Signature="));
  }

  @Test
  void sigV4WantsOneHttpsEndpointAndNoBasicAuth() {
    Map<String, String> plain = new HashMap<>(OpenSearchSettings.defaults("opensearch.", sec(10)));
    plain.put("opensearch.aws.region", "eu-west-1");
    Map<String, String> both = new HashMap<>(plain);
    both.put("opensearch.hosts", "https://search.example:443");
    both.put("opensearch.username", "admin");

    assertThatThrownBy(() -> settings(plain)).hasMessageContaining("one https:// endpoint");
    assertThatThrownBy(() -> settings(both)).hasMessageContaining("not both");
  }

  private static Map<String, String> base(String hosts) {
    Map<String, String> s = new HashMap<>(OpenSearchSettings.defaults("opensearch.", sec(10)));
    s.put("opensearch.hosts", hosts);
    s.put("opensearch.username", USER);
    s.put("opensearch.password", PASSWORD);
    return s;
  }

  private static OpenSearchSettings settings(Map<String, String> values) {
    return OpenSearchSettings.from(
        Settings.load("test", new java.util.LinkedHashMap<>(values), Map.of(), Map.of()),
        "opensearch.");
  }

  private static Duration sec(int s) {
    return Duration.ofSeconds(s);
  }

  /** The client's key (PKCS#8) and certificate in one PEM file, as cert-manager would give them. */
  private static Path pemKeyAndChain(LocalCertificates certs) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(certs.keyStore())) {
      ks.load(in, certs.password().toCharArray());
    }
    String alias = ks.aliases().nextElement();
    PrivateKey key = (PrivateKey) ks.getKey(alias, certs.password().toCharArray());
    StringBuilder pem = new StringBuilder();
    pem.append(block("PRIVATE KEY", key.getEncoded()));
    for (Certificate c : ks.getCertificateChain(alias)) {
      pem.append(block("CERTIFICATE", c.getEncoded()));
    }
    Path file = dir.resolve("client-key-and-chain.pem");
    Files.writeString(file, pem, StandardCharsets.US_ASCII);
    return file;
  }

  private static String block(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
