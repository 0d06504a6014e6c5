package io.spanline.service.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanline.localinfra.Ports;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link RegistrySettings#connect()} against the local registry's secured port: credentials and TLS
 * are checked at start-up, within seconds, naming the settings; a registry not up yet is not.
 */
@ExtendWith(LocalInfraExtension.class)
class RegistryConnectIT {
  private static RegistrySettings read(Map<String, String> props) {
    Map<String, String> sys = new HashMap<>();
    props.forEach((k, v) -> sys.put("spanline.app." + k, v));
    return RegistrySettings.from(Settings.load("app", RegistrySettings.defaults(), Map.of(), sys));
  }

  private static Map<String, String> secured(
      LocalSchemaRegistry registry, LocalKafka kafka, String password) {
    Map<String, String> p = new HashMap<>();
    p.put("schema-registry.url", registry.securedUri().toString());
    p.put("schema-registry.username", LocalKafka.SCRAM_USER);
    p.put("schema-registry.password", password);
    p.put(
        "schema-registry.ssl.truststore.location",
        kafka.secured().certificates().certificatePem().toString());
    return p;
  }

  @Test
  void theRightCredentialsConnect(LocalSchemaRegistry registry, LocalKafka kafka) {
    assertThat(read(secured(registry, kafka, kafka.secured().password())).connect()).isNotNull();
  }

  @Test
  void aWrongPasswordStopsStartUpWithinSeconds_namingTheSettings(
      LocalSchemaRegistry registry, LocalKafka kafka) {
    long began = System.nanoTime();
    assertThatThrownBy(() -> read(secured(registry, kafka, "wrong-password")).connect())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("refused the credentials (HTTP 401)")
        .hasMessageContaining("schema-registry.username and schema-registry.password")
        .hasMessageNotContaining("wrong-password");
    assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void anUntrustedCertificateStopsStartUp_namingTheTrustStore(
      LocalSchemaRegistry registry, LocalKafka kafka) {
    Map<String, String> p = secured(registry, kafka, kafka.secured().password());
    p.remove("schema-registry.ssl.truststore.location"); // the JDK's CAs do not know it

    assertThatThrownBy(() -> read(p).connect())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("TLS with the schema registry")
        .hasMessageContaining("schema-registry.ssl.truststore.location");
  }

  @Test
  void aRegistryNotUpYet_isLeftToTheFirstLookup() {
    int nobody = Ports.freePort();

    assertThat(read(Map.of("schema-registry.url", "http://127.0.0.1:" + nobody)).connect())
        .isNotNull();
  }
}
