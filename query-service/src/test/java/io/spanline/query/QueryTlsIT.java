package io.spanline.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanline.localinfra.tls.TestCertificateAuthority;
import io.spanline.query.config.QueryConfigLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The query service's HTTP port and its admin port over TLS, trusting a test CA, with an admin key.
 * No OpenSearch runs here (the hosts setting names a closed port): what is checked is the
 * transport, the web UI's static files and the admin port, whose {@code /readyz} then says 503.
 */
class QueryTlsIT {
  private static final String ADMIN_KEY = "query-admin-key-42";

  @TempDir static Path dir;
  static TestCertificateAuthority ca;
  static QueryServiceApp app;

  @BeforeAll
  static void start() {
    ca = TestCertificateAuthority.create("Spanline test CA");
    Path cert = dir.resolve("tls.crt");
    Path key = dir.resolve("tls.key");
    ca.issueServer("query").writePem(cert, key);
    Map<String, String> q = new HashMap<>();
    q.put("opensearch.hosts", "http://127.0.0.1:1");
    q.put("archive.enabled", "false");
    q.put("http.bind.address", "127.0.0.1");
    q.put("http.port", "0");
    q.put("http.tls.enabled", "true");
    q.put("http.tls.certificate.file", cert.toString());
    q.put("http.tls.key.file", key.toString());
    q.put("admin.bind.address", "127.0.0.1");
    q.put("admin.port", "0");
    q.put("admin.tls.enabled", "true");
    q.put("admin.tls.certificate.file", cert.toString());
    q.put("admin.tls.key.file", key.toString());
    Map<String, String> props = new HashMap<>();
    q.forEach((k, v) -> props.put("spanline.query." + k, v));
    app =
        QueryServiceApp.start(
            QueryConfigLoader.load(Map.of("SPANLINE_QUERY_ADMIN_AUTH_KEY", ADMIN_KEY), props));
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private static HttpResponse<String> get(int port, String path, String... headers)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .sslContext(ca.trustingContext())
        .build()
        .send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theQueryPortAnswersOverTls() throws Exception {
    HttpResponse<String> ui = get(app.port(), "/");

    assertThat(ui.statusCode()).isEqualTo(200);
    assertThat(ui.body()).containsIgnoringCase("<html");
    assertThat(ca.serverCertificate(app.port()).getSubjectX500Principal().getName())
        .isEqualTo("CN=query");
  }

  @Test
  void aClientThatDoesNotTrustTheCa_isRefusedTheHandshake() {
    TestCertificateAuthority other = TestCertificateAuthority.create("Other CA");

    assertThatThrownBy(() -> other.serverCertificate(app.port()))
        .isInstanceOf(SSLHandshakeException.class);
  }

  @Test
  void theAdminPortOverTls_needsTheKeyForReadyzAndMetrics() throws Exception {
    int admin = app.adminPort();

    assertThat(get(admin, "/healthz").statusCode()).isEqualTo(200);
    assertThat(get(admin, "/metrics").statusCode()).isEqualTo(401);
    assertThat(get(admin, "/readyz").statusCode()).isEqualTo(401);
    assertThat(get(admin, "/metrics", "Authorization", "Bearer " + ADMIN_KEY).statusCode())
        .isEqualTo(200);
    HttpResponse<String> ready = get(admin, "/readyz", "Authorization", "Bearer " + ADMIN_KEY);
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.body()).contains("OpenSearch not reachable");
  }
}
