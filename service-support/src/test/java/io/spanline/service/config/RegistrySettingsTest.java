package io.spanline.service.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanline.localinfra.tls.LocalCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the {@code schema-registry.*} block and its TLS material ({@link ClientTls}). */
class RegistrySettingsTest {
  @TempDir static Path dir;
  private static LocalCertificates certificates;

  @BeforeAll
  static void makeCertificates() throws Exception {
    certificates = LocalCertificates.inDirectory(dir.resolve("tls"));
  }

  private static RegistrySettings read(Map<String, String> props, Map<String, String> env) {
    Map<String, String> sys = new HashMap<>();
    props.forEach((k, v) -> sys.put("spanline.app." + k, v));
    return RegistrySettings.from(Settings.load("app", RegistrySettings.defaults(), env, sys));
  }

  @Test
  void byDefault_plainHttpToTheLocalRegistry_withoutCredentials() {
    RegistrySettings r = read(Map.of(), Map.of());

    assertThat(r.url()).hasToString("http://127.0.0.1:8081");
    assertThat(r.tls().configured()).isFalse();
    assertThat(r.toString()).contains("auth=none");
  }

  @Test
  void basicAuthWithThePasswordFromTheEnvironment_neverShown() {
    RegistrySettings r =
        read(
            Map.of("schema-registry.url", "https://registry:8081", "schema-registry.username", "u"),
            Map.of("SPANLINE_APP_SCHEMA_REGISTRY_PASSWORD", "s3cret"));

    assertThat(r.password()).isEqualTo("s3cret");
    assertThat(r.toString()).contains("basic u").doesNotContain("s3cret");
  }

  @Test
  void aUserAndABearerTokenTogetherAreRefused() {
    assertThatThrownBy(
            () ->
                read(
                    Map.of(
                        "schema-registry.username", "u", "schema-registry.bearer.token", "t0ken"),
                    Map.of()))
        .hasMessageContaining("schema-registry.username or schema-registry.bearer.token")
        .hasMessageNotContaining("t0ken");
  }

  @Test
  void trustStoresOfEveryTypeOpen_andPemIsGuessedFromTheFileName() throws Exception {
    Path jks = dir.resolve("trust.jks");
    java.security.KeyStore ks = java.security.KeyStore.getInstance("JKS");
    ks.load(null, null);
    ks.setCertificateEntry(
        "ca",
        java.security.cert.CertificateFactory.getInstance("X.509")
            .generateCertificate(Files.newInputStream(certificates.certificatePem())));
    try (var out = Files.newOutputStream(jks)) {
      ks.store(out, "jks-pass".toCharArray());
    }

    RegistrySettings pem =
        read(
            Map.of(
                "schema-registry.ssl.truststore.location",
                certificates.certificatePem().toString()),
            Map.of());
    RegistrySettings pkcs12 =
        read(
            Map.of(
                "schema-registry.ssl.truststore.location", certificates.trustStore().toString(),
                "schema-registry.ssl.truststore.password", certificates.password()),
            Map.of());
    RegistrySettings javaKeyStore =
        read(
            Map.of(
                "schema-registry.ssl.truststore.location", jks.toString(),
                "schema-registry.ssl.truststore.type", "jks",
                "schema-registry.ssl.truststore.password", "jks-pass"),
            Map.of());

    assertThat(pem.tls().trustStore())
        .hasValueSatisfying(t -> assertThat(t.type()).isEqualTo("PEM"));
    assertThat(pkcs12.tls().trustStore())
        .hasValueSatisfying(t -> assertThat(t.type()).isEqualTo("PKCS12"));
    for (RegistrySettings r : new RegistrySettings[] {pem, pkcs12, javaKeyStore}) {
      assertThat(r.tls().trustManagers()).isPresent();
      assertThat(r.tls().sslContext().getProtocol()).isEqualTo("TLS");
    }
  }

  @Test
  void badTlsSettingsStopStartUp_namingTheKey_withoutThePassword() {
    assertThatThrownBy(
            () ->
                read(
                    Map.of(
                        "schema-registry.ssl.truststore.location",
                        dir.resolve("missing.p12").toString()),
                    Map.of()))
        .hasMessageContaining("schema-registry.ssl.truststore.location")
        .hasMessageContaining("does not exist");
    assertThatThrownBy(
            () ->
                read(
                    Map.of(
                        "schema-registry.ssl.truststore.location",
                        certificates.trustStore().toString(),
                        "schema-registry.ssl.truststore.password",
                        "wrong-pass"),
                    Map.of()))
        .hasMessageContaining("schema-registry.ssl.truststore.password")
        .hasMessageNotContaining("wrong-pass");
    assertThatThrownBy(
            () ->
                read(
                    Map.of(
                        "schema-registry.ssl.keystore.location",
                        certificates.keyStore().toString(),
                        "schema-registry.ssl.keystore.type",
                        "p7b"),
                    Map.of()))
        .hasMessageContaining("schema-registry.ssl.keystore.type")
        .hasMessageContaining("PKCS12, JKS or PEM");
    assertThatThrownBy(
            () ->
                read(
                    Map.of(
                        "schema-registry.ssl.truststore.location",
                        certificates.keyStore().resolveSibling("password").toString(),
                        "schema-registry.ssl.truststore.type",
                        "PEM"),
                    Map.of()))
        .hasMessageContaining("schema-registry.ssl.truststore.");
  }
}
