package io.spanline.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayConfigLoaderTest {

  @Test
  void defaultsMatchTheArchitectureContract() {
    GatewayConfig config = GatewayConfigLoader.load(Map.of(), Map.of());

    assertThat(config.grpcPort()).isEqualTo(4317);
    assertThat(config.httpPort()).isEqualTo(4318);
    assertThat(config.topic()).isEqualTo("otlp_spans");
    assertThat(config.authEnabled()).isFalse();
    assertThat(config.defaultLimits()).isEqualTo(TenantLimits.DEFAULTS);
    assertThat(config.headSamplingPercentage()).isEqualTo(100);
    // secure by default: without authentication, loopback only
    assertThat(config.bindAddress()).isEqualTo("127.0.0.1");
    assertThat(config.tls().enabled()).isFalse();
    assertThat(config.admin().tls().enabled()).isFalse();
    assertThat(config.admin().keyDigest()).isEmpty();
  }

  @Test
  void tlsWithAMissingCertificateFile_stopsStartUp_namingTheSetting(@TempDir Path dir) {
    Path missing = dir.resolve("tls.crt");

    assertThatThrownBy(
            () ->
                GatewayConfigLoader.load(
                    Map.of(),
                    Map.of(
                        "spanline.gateway.tls.enabled", "true",
                        "spanline.gateway.tls.certificate.file", missing.toString(),
                        "spanline.gateway.tls.key.file", dir.resolve("tls.key").toString())))
        .hasMessageContaining("tls.certificate.file=" + missing);
    assertThatThrownBy(
            () ->
                GatewayConfigLoader.load(
                    Map.of(), Map.of("spanline.gateway.admin.tls.enabled", "true")))
        .hasMessageContaining("admin.tls.enabled=true needs admin.tls.certificate.file");
  }

  @Test
  void aPublicAddressWithoutAuth_isRefused_unlessAuthOrATrustedProxy() {
    assertThatThrownBy(
            () ->
                GatewayConfigLoader.load(
                    Map.of(), Map.of("spanline.gateway.bind.address", "0.0.0.0")))
        .hasMessageContaining("bind.address=0.0.0.0")
        .hasMessageContaining("auth.trusted-proxy=true");
    assertThat(
            GatewayConfigLoader.load(
                    Map.of(),
                    Map.of(
                        "spanline.gateway.bind.address", "0.0.0.0",
                        "spanline.gateway.auth.trusted-proxy", "true"))
                .bindAddress())
        .isEqualTo("0.0.0.0");
    assertThat(
            GatewayConfigLoader.load(
                    Map.of("SPANLINE_GATEWAY_API_KEYS", "k-1=acme"),
                    Map.of(
                        "spanline.gateway.bind.address", "0.0.0.0",
                        "spanline.gateway.auth.enabled", "true"))
                .bindAddress())
        .isEqualTo("0.0.0.0");
  }

  @Test
  void fileThenEnvironmentThenSystemProperties(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(
        file,
        """
        otlp.http.port: 5318
        otlp.grpc.port: 5317
        admin.port: 5000
        tenants:
          acme:
            spans-per-second: 500
        redaction:
          - key: user.email
            action: hash
          - key: url.full
            action: mask
            pattern: "token=[^&]*"
            replacement: "token=***"
        api-keys:
          k1: acme
        """);

    GatewayConfig config =
        GatewayConfigLoader.load(
            Map.of(
                "SPANLINE_GATEWAY_CONFIG_FILE",
                file.toString(),
                "SPANLINE_GATEWAY_OTLP_GRPC_PORT",
                "6317"),
            Map.of("spanline.gateway.admin.port", "7000"));

    assertThat(config.httpPort()).isEqualTo(5318);
    assertThat(config.grpcPort()).isEqualTo(6317);
    assertThat(config.admin().port()).isEqualTo(7000);
    assertThat(config.limitsFor("acme").spansPerSecond()).isEqualTo(500);
    assertThat(config.limitsFor("other")).isEqualTo(TenantLimits.DEFAULTS);
    assertThat(config.redaction())
        .extracting(RedactionRule::action)
        .containsExactly(RedactionRule.Action.HASH, RedactionRule.Action.MASK);
    assertThat(config.apiKeys()).containsEntry("k1", "acme");
  }

  @Test
  void badValuesNameKeyAndValue() {
    assertThatThrownBy(
            () ->
                GatewayConfigLoader.load(
                    Map.of("SPANLINE_GATEWAY_KAFKA_LINGER_MS", "abc"), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid value for property kafka.linger.ms=abc. Must be an int.");
    assertThatThrownBy(
            () ->
                GatewayConfigLoader.load(
                    Map.of(), Map.of("spanline.gateway.head-sampling.percentage", "150")))
        .hasMessageContaining("head-sampling.percentage=150");
    assertThatThrownBy(
            () ->
                GatewayConfigLoader.load(Map.of(), Map.of("spanline.gateway.auth.enabled", "true")))
        .hasMessageContaining("needs at least one API key");
  }

  @Test
  void theDocumentedExampleFileLoads() {
    GatewayConfig config =
        GatewayConfigLoader.load(
            Map.of("SPANLINE_GATEWAY_CONFIG_FILE", "src/main/resources/gateway-example.yaml"),
            Map.of());

    assertThat(config.redaction()).isNotEmpty();
    assertThat(config.tenantLimits()).isNotEmpty();
  }
}
