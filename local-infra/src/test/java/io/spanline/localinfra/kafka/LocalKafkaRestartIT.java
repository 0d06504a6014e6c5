package io.spanline.localinfra.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.localinfra.junit.UniqueNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** A broker restarted on the same folder (as local runs do) keeps its topics and records. */
class LocalKafkaRestartIT {

  @Test
  void keepsTopicsAndRecordsAcrossARestart() throws Exception {
    Path dir = Path.of("target", "local-infra", UniqueNames.unique("restart"));
    String topic = "kept";
    try (LocalKafka kafka = LocalKafka.start(dir, 0, 0)) {
      kafka.createTopics(1, List.of(topic));
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(
              Map.of(
                  ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                  kafka.bootstrapServers(),
                  ProducerConfig.ACKS_CONFIG,
                  "all"),
              new StringSerializer(),
              new StringSerializer())) {
        producer.send(new ProducerRecord<>(topic, "k", "before restart")).get();
      }
    }

    try (LocalKafka restarted = LocalKafka.start(dir, 0, 0);
        KafkaConsumer<String, String> consumer =
            new KafkaConsumer<>(
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, restarted.bootstrapServers()),
                new StringDeserializer(),
                new StringDeserializer())) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      List<String> values = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (values.isEmpty() && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
      }
      assertThat(values).containsExactly("before restart");
    }
  }
}
