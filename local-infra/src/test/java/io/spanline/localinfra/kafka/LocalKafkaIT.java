package io.spanline.localinfra.kafka;

import static io.spanline.localinfra.junit.UniqueNames.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanline.localinfra.junit.LocalInfraExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Exit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LocalInfraExtension.class)
class LocalKafkaIT {

  @Test
  void aFatalKafkaFaultThrowsInsteadOfEndingTheTestJvm(LocalKafka kafka) {
    // Kafka's fatal-fault paths call Exit; in a test's JVM they must not end it
    assertThatThrownBy(() -> Exit.halt(1, "a fatal metadata fault"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("status 1")
        .hasMessageContaining("a fatal metadata fault");
    assertThatThrownBy(() -> Exit.exit(1)).isInstanceOf(IllegalStateException.class);
    assertThat(kafka.bootstrapServers()).isNotEmpty();
  }

  @Test
  void adminCreatesATopic(LocalKafka kafka) throws Exception {
    String topic = unique("created");
    try (Admin admin = kafka.admin()) {
      admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();

      // the broker lists it once its metadata caught up with the controller
      LocalKafka.awaitListed(admin, List.of(topic));
      Set<String> topics = admin.listTopics().names().get();
      assertThat(topics).contains(topic);
      assertThat(admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions())
          .hasSize(3);
    }
  }

  @Test
  void producesAndConsumes(LocalKafka kafka) throws Exception {
    String topic = unique("plain");
    kafka.createTopics(1, List.of(topic));
    try (KafkaProducer<String, String> producer = producer(kafka, Map.of())) {
      for (int i = 0; i < 10; i++) {
        producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i)).get();
      }
    }

    List<String> values = consume(kafka, topic, "read_uncommitted", 10);

    assertThat(values).containsExactly("v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9");
  }

  @Test
  void readCommittedConsumerSeesOnlyCommittedTransactions(LocalKafka kafka) throws Exception {
    String topic = unique("tx");
    kafka.createTopics(1, List.of(topic));
    try (KafkaProducer<String, String> producer =
        producer(kafka, Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, unique("tx-producer")))) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "a", "committed-1"));
      producer.send(new ProducerRecord<>(topic, "a", "committed-2"));
      producer.commitTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "a", "aborted"));
      producer.flush();
      producer.abortTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "a", "committed-3"));
      producer.commitTransaction();
    }

    assertThat(consume(kafka, topic, "read_committed", 3))
        .containsExactly("committed-1", "committed-2", "committed-3");
    assertThat(consume(kafka, topic, "read_uncommitted", 4)).contains("aborted");
  }

  private static KafkaProducer<String, String> producer(
      LocalKafka kafka, Map<String, Object> extra) {
    Map<String, Object> config = new HashMap<>(extra);
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
  }

  /** Reads from the start until {@code expected} records arrived (or 30 s passed). */
  private static List<String> consume(
      LocalKafka kafka, String topic, String isolation, int expected) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, unique("group"));
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (values.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          values.add(r.value());
        }
      }
      // one more poll: a read_committed consumer must not see anything beyond what it was given
      consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
    }
    return values;
  }
}
