package io.spanline.service.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanline.localinfra.Probe;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.junit.UniqueNames;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.tls.LocalCertificates;
import io.spanline.service.admin.KafkaReadiness;
import io.spanline.service.streams.StreamsApps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code kafka.*} settings against a real broker's SASL_SSL listener (SCRAM-SHA-512 over TLS
 * with a certificate the build made): they connect, and a wrong password or an untrusted
 * certificate fails at once with an error that names the settings to check.
 */
@ExtendWith(LocalInfraExtension.class)
class SecuredKafkaIT {
  private static final Duration FAST = Duration.ofSeconds(15);

  private static KafkaSettings settings(
      LocalKafka kafka, String password, Path trustStore, String trustPassword) {
    Map<String, String> props = new HashMap<>();
    props.put("spanline.test.kafka.bootstrap.servers", kafka.secured().bootstrapServers());
    props.put("spanline.test.kafka.security.protocol", "SASL_SSL");
    props.put("spanline.test.kafka.sasl.mechanism", "SCRAM-SHA-512");
    props.put("spanline.test.kafka.sasl.username", LocalKafka.SCRAM_USER);
    props.put("spanline.test.kafka.ssl.truststore.location", trustStore.toString());
    props.put("spanline.test.kafka.ssl.truststore.type", "PKCS12");
    Map<String, String> env = new HashMap<>();
    // secrets through the environment, as operations.md asks
    env.put("SPANLINE_TEST_KAFKA_SASL_PASSWORD", password);
    env.put("SPANLINE_TEST_KAFKA_SSL_TRUSTSTORE_PASSWORD", trustPassword);
    return KafkaSettings.from(
        Settings.load(
            SettingsSpec.builder("test")
                .settings(KafkaSettings.defaults("127.0.0.1:9092"))
                .passThrough(KafkaSettings.CLIENT_PREFIX)
                .build(),
            env,
            props));
  }

  private static KafkaSettings good(LocalKafka kafka) {
    LocalKafka.SecuredListener s = kafka.secured();
    return settings(
        kafka, s.password(), s.certificates().trustStore(), s.certificates().password());
  }

  @Test
  void overSaslSsl_everyKindOfClientWorks(LocalKafka kafka) throws Exception {
    String topic = UniqueNames.unique("secured");
    kafka.createTopics(1, List.of(topic));
    KafkaSettings secured = good(kafka);

    // the start-up topic check and the readiness check
    StreamsApps.requireTopics(secured, List.of(topic), "the README");
    try (KafkaReadiness readiness =
        new KafkaReadiness(secured, List.of(topic), Duration.ofMillis(200))) {
      Probe.until("ready over SASL_SSL", FAST, Duration.ofMillis(100), readiness::ready);
    }

    // a producer and a consumer built from the settings
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(
            secured.clientConfig(
                Map.of(
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class)))) {
      producer.send(new ProducerRecord<>(topic, "k", "over TLS")).get();
    }
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(
            secured.clientConfig(
                Map.of(
                    ConsumerConfig.GROUP_ID_CONFIG,
                    UniqueNames.unique("g"),
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                    "earliest",
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                    StringDeserializer.class,
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                    StringDeserializer.class)))) {
      consumer.subscribe(List.of(topic));
      String[] value = {null};
      Probe.until(
          "the record read over SASL_SSL",
          Duration.ofSeconds(30),
          Duration.ZERO,
          () -> {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
              value[0] = r.value();
            }
            return value[0] != null;
          });
      assertThat(value[0]).isEqualTo("over TLS");
    }
  }

  @Test
  void aWrongPassword_failsTheStartUpCheckAtOnce_namingTheSettings(LocalKafka kafka) {
    LocalKafka.SecuredListener s = kafka.secured();
    KafkaSettings wrong =
        settings(
            kafka, "not-the-password", s.certificates().trustStore(), s.certificates().password());
    long started = System.nanoTime();
    assertThatThrownBy(() -> StreamsApps.requireTopics(wrong, List.of("any"), "the README"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("refused the login")
        .hasMessageContaining("kafka.sasl.password");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(FAST);
  }

  @Test
  void anUntrustedCertificate_failsTheStartUpCheckAtOnce_namingTheTrustStore(
      LocalKafka kafka, @TempDir Path dir) throws Exception {
    // a trust store with another certificate than the broker's
    LocalCertificates other = LocalCertificates.inDirectory(dir.resolve("other"));
    assertThat(Files.exists(other.trustStore())).isTrue();
    KafkaSettings untrusting =
        settings(kafka, kafka.secured().password(), other.trustStore(), other.password());
    long started = System.nanoTime();
    assertThatThrownBy(() -> StreamsApps.requireTopics(untrusting, List.of("any"), "the README"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("TLS with Kafka")
        .hasMessageContaining("kafka.ssl.truststore.location");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(FAST);
  }
}
