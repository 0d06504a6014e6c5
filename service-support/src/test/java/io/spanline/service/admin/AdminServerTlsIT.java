package io.spanline.service.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.spanline.localinfra.Probe;
import io.spanline.localinfra.tls.TestCertificateAuthority;
import io.spanline.service.config.Settings;
import io.spanline.service.internal.tenancy.KeyDigests;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin port over TLS with an admin key, and its certificate replaced while it runs. */
class AdminServerTlsIT {
  private static final String KEY = "admin-key-0123456789";

  @TempDir Path dir;
  TestCertificateAuthority ca;
  Path cert;
  Path key;
  PrometheusMeterRegistry registry;

  @BeforeEach
  void certificates() {
    ca = TestCertificateAuthority.create("Spanline test CA");
    cert = dir.resolve("tls.crt");
    key = dir.resolve("tls.key");
    ca.issueServer("admin-first").writePem(cert, key);
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  private AdminServer start(Map<String, String> values) {
    Map<String, String> defaults = new LinkedHashMap<>();
    defaults.put("admin.bind.address", "127.0.0.1");
    defaults.put("admin.port", "0");
    defaults.putAll(AdminSettings.securityDefaults());
    Map<String, String> props = new HashMap<>();
    props.put("spanline.test.admin.tls.enabled", "true");
    props.put("spanline.test.admin.tls.certificate.file", cert.toString());
    props.put("spanline.test.admin.tls.key.file", key.toString());
    values.forEach((k, v) -> props.put("spanline.test." + k, v));
    AdminSettings settings = AdminSettings.from(Settings.load("test", defaults, Map.of(), props));
    return AdminServer.start(settings, alwaysReady(), registry);
  }

  private static Readiness alwaysReady() {
    return new Readiness() {
      @Override
      public boolean ready() {
        return true;
      }

      @Override
      public String problem() {
        return "";
      }
    };
  }

  private HttpResponse<String> get(int port, String path, String authorization) throws Exception {
    SSLContext tls = ca.trustingContext();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .sslContext(tls)
        .build()
        .send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void withAKey_readyzAndMetricsNeedIt_healthzStaysOpen() throws Exception {
    try (AdminServer admin = start(Map.of("admin.auth.key", KEY))) {
      int port = admin.port();

      assertThat(get(port, "/healthz", null).statusCode()).isEqualTo(200);
      HttpResponse<String> refused = get(port, "/metrics", null);
      assertThat(refused.statusCode()).isEqualTo(401);
      assertThat(refused.headers().firstValue("WWW-Authenticate"))
          .hasValue("Bearer realm=\"spanline-admin\"");
      HttpResponse<String> wrong = get(port, "/metrics", "Bearer not-" + KEY);
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(wrong.body()).doesNotContain(KEY);
      assertThat(get(port, "/readyz", null).statusCode()).isEqualTo(401);
      // fail closed: only /healthz is open, whatever else is asked for
      assertThat(get(port, "/readyz/", null).statusCode()).isEqualTo(401);

      assertThat(get(port, "/metrics", "Bearer " + KEY).statusCode()).isEqualTo(200);
      assertThat(get(port, "/readyz", "Bearer " + KEY).body()).isEqualTo("ready\n");
    }
  }

  @Test
  void aKeyGivenAsItsSha256_isAccepted() throws Exception {
    String digest = HexFormat.of().formatHex(KeyDigests.sha256(KEY));
    try (AdminServer admin = start(Map.of("admin.auth.key", "sha256:" + digest))) {
      assertThat(get(admin.port(), "/metrics", "Bearer " + KEY).statusCode()).isEqualTo(200);
      assertThat(get(admin.port(), "/metrics", "Bearer " + digest).statusCode()).isEqualTo(401);
    }
  }

  @Test
  void withoutAKey_everythingIsOpen() throws Exception {
    try (AdminServer admin = start(Map.of())) {
      assertThat(get(admin.port(), "/metrics", null).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void servesTheCertificateOfAPkcs12KeyStore() throws Exception {
    Path store = dir.resolve("admin.p12");
    ca.issueServer("admin-p12").writePkcs12(store, "store-pw");
    Map<String, String> values = new HashMap<>();
    values.put("admin.tls.certificate.file", "");
    values.put("admin.tls.key.file", "");
    values.put("admin.tls.keystore.file", store.toString());
    values.put("admin.tls.keystore.password", "store-pw");

    try (AdminServer admin = start(values)) {
      assertThat(ca.serverCertificate(admin.port()).getSubjectX500Principal().getName())
          .isEqualTo("CN=admin-p12");
      assertThat(get(admin.port(), "/healthz", null).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void replacedCertificateFiles_areServedToNewConnections_andABrokenPairIsNot() throws Exception {
    try (AdminServer admin = start(Map.of("admin.tls.reload.interval.ms", "100"))) {
      int port = admin.port();
      assertThat(ca.serverCertificate(port).getSubjectX500Principal().getName())
          .isEqualTo("CN=admin-first");

      // When cert-manager (say) writes a renewed certificate and key
      TestCertificateAuthority.Issued second = ca.issueServer("admin-second");
      second.writePem(cert, key);

      // Then a new connection gets it, without a restart
      BigInteger secondSerial = second.certificate().getSerialNumber();
      Probe.until(
          "the renewed certificate",
          Duration.ofSeconds(10),
          Duration.ofMillis(50),
          () -> ca.serverCertificate(port).getSerialNumber().equals(secondSerial));
      double successes = reloads("success");
      assertThat(successes).isGreaterThanOrEqualTo(1);

      // When the files are replaced by a certificate whose key is not there
      ca.issueServer("admin-third").writePem(cert, dir.resolve("elsewhere.key"));

      // Then the failure is counted and the second certificate is still served
      Probe.until(
          "the failed reload",
          Duration.ofSeconds(10),
          Duration.ofMillis(50),
          () -> reloads("failure") >= 1);
      assertThat(ca.serverCertificate(port).getSerialNumber()).isEqualTo(secondSerial);
      assertThat(get(port, "/healthz", null).statusCode()).isEqualTo(200);
    }
  }

  private double reloads(String outcome) {
    return registry
        .get("spanline.tls.reloads")
        .tag("listener", "admin")
        .tag("outcome", outcome)
        .counter()
        .count();
  }
}
