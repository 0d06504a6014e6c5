package io.spanline.service.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.ssl.ClientAuth;
import io.spanline.localinfra.tls.TestCertificateAuthority;
import io.spanline.service.config.Settings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up refusals of TLS settings: each names the setting to fix. */
class TlsSettingsTest {
  @TempDir static Path dir;
  static TestCertificateAuthority ca;
  static Path cert;
  static Path key;
  static Path otherKey;
  static Path caFile;

  @BeforeAll
  static void certificates() {
    ca = TestCertificateAuthority.create("Spanline test CA");
    cert = dir.resolve("tls.crt");
    key = dir.resolve("tls.key");
    ca.issueServer("server").writePem(cert, key);
    otherKey = dir.resolve("other.key");
    ca.issueServer("other").writePem(dir.resolve("other.crt"), otherKey);
    caFile = ca.writeCertificatePem(dir.resolve("ca.crt"));
  }

  private static TlsSettings load(Map<String, String> values) {
    Map<String, String> props = new HashMap<>();
    values.forEach((k, v) -> props.put("spanline.test." + k, v));
    return TlsSettings.from(
        Settings.load("test", TlsSettings.defaults("http."), Map.of(), props), "http.");
  }

  @Test
  void offByDefault() {
    assertThat(load(Map.of()).enabled()).isFalse();
  }

  @Test
  void readsPemFilesAndClientAuth() {
    TlsSettings tls =
        load(
            Map.of(
                "http.tls.enabled", "true",
                "http.tls.certificate.file", cert.toString(),
                "http.tls.key.file", key.toString(),
                "http.tls.client-auth", "require",
                "http.tls.client-ca.file", caFile.toString()));

    assertThat(tls.enabled()).isTrue();
    assertThat(tls.clientAuth()).isEqualTo(ClientAuth.REQUIRE);
    assertThat(TlsMaterial.load(tls).clientCas()).containsExactly(ca.certificate());
  }

  @Test
  void readsPkcs12KeyStore_andRefusesAWrongPassword() {
    Path store = dir.resolve("server.p12");
    ca.issueServer("p12").writePkcs12(store, "s3cret-pw");

    TlsSettings tls =
        load(
            Map.of(
                "http.tls.enabled", "true",
                "http.tls.keystore.file", store.toString(),
                "http.tls.keystore.password", "s3cret-pw"));
    assertThat(TlsMaterial.load(tls).certificate().getSubjectX500Principal().getName())
        .isEqualTo("CN=p12");

    assertThatThrownBy(
            () ->
                load(
                    Map.of(
                        "http.tls.enabled", "true",
                        "http.tls.keystore.file", store.toString(),
                        "http.tls.keystore.password", "wrong-pw")))
        .hasMessageContaining("http.tls.keystore.file=" + store)
        .hasMessageContaining("http.tls.keystore.password")
        .hasMessageNotContaining("wrong-pw");
  }

  @Test
  void refusesAMissingFile_namingTheSetting() {
    Path missing = dir.resolve("missing.crt");

    assertThatThrownBy(
            () ->
                load(
                    Map.of(
                        "http.tls.enabled", "true",
                        "http.tls.certificate.file", missing.toString(),
                        "http.tls.key.file", key.toString())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("http.tls.certificate.file=" + missing)
        .hasMessageContaining("cannot be read");
  }

  @Test
  void refusesAKeyOfAnotherCertificate_namingBothSettings() {
    assertThatThrownBy(
            () ->
                load(
                    Map.of(
                        "http.tls.enabled", "true",
                        "http.tls.certificate.file", cert.toString(),
                        "http.tls.key.file", otherKey.toString())))
        .hasMessageContaining("http.tls.key.file=" + otherKey)
        .hasMessageContaining("http.tls.certificate.file=" + cert)
        .hasMessageContaining("does not match");
  }

  @Test
  void refusesAFileThatHoldsNoKey() throws Exception {
    Path notAKey = dir.resolve("not-a-key.pem");
    Files.writeString(notAKey, "hello\n", StandardCharsets.US_ASCII);

    assertThatThrownBy(
            () ->
                load(
                    Map.of(
                        "http.tls.enabled", "true",
                        "http.tls.certificate.file", cert.toString(),
                        "http.tls.key.file", notAKey.toString())))
        .hasMessageContaining("http.tls.key.file=" + notAKey)
        .hasMessageContaining("PKCS#8");
  }

  @Test
  void refusesTlsWithoutFiles_andClientAuthWithoutCa_andABadMode() {
    assertThatThrownBy(() -> load(Map.of("http.tls.enabled", "true")))
        .hasMessageContaining("http.tls.enabled=true needs http.tls.certificate.file");
    assertThatThrownBy(
            () ->
                load(
                    Map.of(
                        "http.tls.enabled",
                        "true",
                        "http.tls.certificate.file",
                        cert.toString(),
                        "http.tls.key.file",
                        key.toString(),
                        "http.tls.client-auth",
                        "optional")))
        .hasMessageContaining("http.tls.client-auth=optional needs http.tls.client-ca.file");
    assertThatThrownBy(() -> load(Map.of("http.tls.client-auth", "always")))
        .hasMessageContaining("http.tls.client-auth=always");
  }
}
