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
  void theDebugSwitchIsAllowedToEveryTenantByDefault_toListedOnes_orToNone() {
    // Given the defaults, then a list, then an empty value
    GatewayConfig all = GatewayConfigLoader.load(Map.of(), Map.of());
    GatewayConfig listed =
        GatewayConfigLoader.load(
            Map.of("SPANLINE_GATEWAY_DEBUG_TENANTS", " acme , globex"), Map.of());
    GatewayConfig none =
        GatewayConfigLoader.load(Map.of(), Map.of("spanline.gateway.debug.tenants", ""));

    // Then every tenant, the two listed, and no tenant may use it
    assertThat(all.debugAllowed("anyone")).isTrue();
    assertThat(all.debugAttribute()).isEqualTo("spanline.debug");
    assertThat(listed.debugAllowed("acme")).isTrue();
    assertThat(listed.debugAllowed("globex")).isTrue();
    assertThat(listed.debugAllowed("initech")).isFalse();
    assertThat(none.debugAllowed("acme")).isFalse();
    // and an empty attribute name is refused, naming the key
    assertThatThrownBy(
            () ->
                GatewayConfigLoader.load(Map.of(), Map.of("spanline.gateway.debug.attribute", " ")))
        .hasMessageContaining("debug.attribute");
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
        .hasMessageStartingWith("Invalid value for property kafka.linger.ms=abc.")
        .hasMessageContaining("500ms, 10s, 5m, 1h");
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

  @Test
  void anUnknownKey_failsStartUp_namingTheClosestKnownOne(@TempDir Path dir) throws Exception {
    assertThatThrownBy(
            () ->
                GatewayConfigLoader.load(
                    Map.of(), Map.of("spanline.gateway.kafka.sasl.pasword", "secret")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "unknown setting kafka.sasl.pasword (system property"
                + " spanline.gateway.kafka.sasl.pasword); did you mean kafka.sasl.password?");
    assertThatThrownBy(
            () ->
                GatewayConfigLoader.load(
                    Map.of("SPANLINE_GATEWAY_KAFKA_SASL_PASWORD", "secret"), Map.of()))
        .hasMessage(
            "unknown setting SPANLINE_GATEWAY_KAFKA_SASL_PASWORD (environment variable); did you"
                + " mean SPANLINE_GATEWAY_KAFKA_SASL_PASSWORD (kafka.sasl.password)?");
    Path file = Files.writeString(dir.resolve("gateway.yaml"), "kafka.sasl.pasword: secret\n");
    assertThatThrownBy(
            () ->
                GatewayConfigLoader.load(
                    Map.of("SPANLINE_GATEWAY_CONFIG_FILE", file.toString()), Map.of()))
        .hasMessage(
            "unknown setting kafka.sasl.pasword (YAML file "
                + file
                + "); did you mean kafka.sasl.password?");
  }

  @Test
  void unknownNamesInsideSections_areRefusedToo(@TempDir Path dir) throws Exception {
    Path limits =
        Files.writeString(
            dir.resolve("limits.yaml"), "tenants:\n  acme:\n    spans-per-secnd: 5\n");
    assertThatThrownBy(
            () ->
                GatewayConfigLoader.load(
                    Map.of("SPANLINE_GATEWAY_CONFIG_FILE", limits.toString()), Map.of()))
        .hasMessage(
            "unknown setting tenants.acme.spans-per-secnd (YAML file); did you mean"
                + " tenants.acme.spans-per-second?");
    Path rules =
        Files.writeString(
            dir.resolve("rules.yaml"), "redaction:\n  - key: user.email\n    acton: hash\n");
    assertThatThrownBy(
            () ->
                GatewayConfigLoader.load(
                    Map.of("SPANLINE_GATEWAY_CONFIG_FILE", rules.toString()), Map.of()))
        .hasMessageContaining("redaction[0].acton")
        .hasMessageContaining("did you mean redaction[0].action?");
  }

  @Test
  void nestedYaml_andTenantsOneEntryAtATime_andDurationsWithUnits(@TempDir Path dir)
      throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("gateway.yaml"),
            """
            otlp:
              http:
                port: 5318
            kafka:
              linger.ms: 20ms
              client:
                acks: all
            retry-after.seconds: 1m
            span:
              start:
                max-future.ms: 30m
            tenants.acme:
              spans-per-second: 500
            tenants:
              globex:
                spans-per-second: 7
            """);

    GatewayConfig config =
        GatewayConfigLoader.load(Map.of("SPANLINE_GATEWAY_CONFIG_FILE", file.toString()), Map.of());

    assertThat(config.httpPort()).isEqualTo(5318);
    assertThat(config.lingerMs()).isEqualTo(20);
    assertThat(config.kafka().clientProperties()).containsEntry("acks", "all");
    assertThat(config.retryAfter()).isEqualTo(java.time.Duration.ofMinutes(1));
    assertThat(config.spanStartMaxFuture()).isEqualTo(java.time.Duration.ofMinutes(30));
    assertThat(config.limitsFor("acme").spansPerSecond()).isEqualTo(500);
    assertThat(config.limitsFor("globex").spansPerSecond()).isEqualTo(7);
  }
}
