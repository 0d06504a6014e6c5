package io.spanline.service.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading the {@code kafka.*} settings into the properties every Kafka client gets. */
class KafkaSettingsTest {
  private static KafkaSettings read(Map<String, String> props, Map<String, String> env) {
    Map<String, String> sys = new HashMap<>();
    props.forEach((k, v) -> sys.put("spanline.app." + k, v));
    return KafkaSettings.from(
        Settings.load(
            SettingsSpec.builder("app")
                .settings(KafkaSettings.defaults("127.0.0.1:9092"))
                .passThrough(KafkaSettings.CLIENT_PREFIX)
                .build(),
            env,
            sys));
  }

  @Test
  void byDefault_plaintextToTheDefaultBrokers() {
    KafkaSettings k = read(Map.of(), Map.of());
    assertThat(k.bootstrapServers()).isEqualTo("127.0.0.1:9092");
    assertThat(k.clientConfig())
        .containsEntry("bootstrap.servers", "127.0.0.1:9092")
        .containsEntry("security.protocol", "PLAINTEXT")
        .doesNotContainKey("sasl.jaas.config");
  }

  @Test
  void scramOverTls_buildsTheJaasLine_withThePasswordFromTheEnvironment_escaped() {
    KafkaSettings k =
        read(
            Map.of(
                "kafka.security.protocol", "sasl_ssl",
                "kafka.sasl.mechanism", "SCRAM-SHA-512",
                "kafka.sasl.username", "spanline",
                "kafka.ssl.truststore.location", "/etc/kafka/ca.p12"),
            Map.of("SPANLINE_APP_KAFKA_SASL_PASSWORD", "p\"w\\d"));
    assertThat(k.clientConfig())
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry(
            "sasl.jaas.config",
            "org.apache.kafka.common.security.scram.ScramLoginModule required"
                + " username=\"spanline\" password=\"p\\\"w\\\\d\";")
        .containsEntry("ssl.truststore.location", "/etc/kafka/ca.p12")
        .doesNotContainKey("ssl.keystore.location");
    assertThat(k.toString()).doesNotContain("p\"w").contains("[hidden]");
  }

  @Test
  void clientPassThrough_isAppliedLast_andMayCarryItsOwnJaasLine() {
    KafkaSettings k =
        read(
            Map.of(
                "kafka.security.protocol", "SASL_SSL",
                "kafka.sasl.mechanism", "OAUTHBEARER",
                "kafka.client.sasl.jaas.config", "org.example.Login required;",
                "kafka.client.client.dns.lookup", "use_all_dns_ips"),
            Map.of());
    assertThat(k.clientConfig())
        .containsEntry("sasl.jaas.config", "org.example.Login required;")
        .containsEntry("client.dns.lookup", "use_all_dns_ips");
  }

  @Test
  void aSaslProtocolWithoutWhatItNeeds_isRefused_namingTheSetting() {
    assertThatThrownBy(() -> read(Map.of("kafka.security.protocol", "SASL_SSL"), Map.of()))
        .hasMessageContaining("kafka.sasl.mechanism");
    assertThatThrownBy(
            () ->
                read(
                    Map.of(
                        "kafka.security.protocol", "SASL_SSL",
                        "kafka.sasl.mechanism", "PLAIN",
                        "kafka.sasl.username", "u"),
                    Map.of()))
        .hasMessageContaining("kafka.sasl.password");
    assertThatThrownBy(
            () ->
                read(
                    Map.of(
                        "kafka.security.protocol", "SASL_SSL",
                        "kafka.sasl.mechanism", "GSSAPI"),
                    Map.of()))
        .hasMessageContaining("kafka.client.sasl.jaas.config");
    assertThatThrownBy(() -> read(Map.of("kafka.security.protocol", "TLS"), Map.of()))
        .hasMessageContaining("kafka.security.protocol");
  }

  @Test
  void clientOverrides_goOnTop() {
    KafkaSettings k = KafkaSettings.plaintext("b:9092");
    assertThat(k.clientConfig(Map.of("security.protocol", "SSL", "acks", "all")))
        .containsEntry("security.protocol", "SSL")
        .containsEntry("acks", "all")
        .containsEntry("bootstrap.servers", "b:9092");
  }
}
