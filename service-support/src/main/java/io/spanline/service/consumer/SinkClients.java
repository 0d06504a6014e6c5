package io.spanline.service.consumer;

import io.spanline.service.admin.KafkaReadiness;
import io.spanline.service.admin.Readiness;
import io.spanline.service.config.KafkaSettings;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Kafka client settings and readiness every sink (index, archive) shares. */
public final class SinkClients {
  private SinkClients() {}

  /**
   * A sink consumer: bytes in, auto-commit off (the sink commits after its store took the data),
   * from the earliest offset for a new group, and {@code read_committed}, since the sampling stream
   * writes transactionally and aborted records must never be stored.
   *
   * @param number the consumer's number in the process, in its client ID
   * @param overrides applied last
   */
  public static Map<String, Object> consumerConfig(
      KafkaSettings kafka,
      String groupId,
      int number,
      int maxPollRecords,
      Map<String, ?> overrides) {
    Map<String, Object> c = new HashMap<>(kafka.clientConfig());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, groupId + "-" + number);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.putAll(overrides);
    return c;
  }

  /** The dead-letter producer: acks=all, idempotent, lz4, records up to 20 MiB. */
  public static Map<String, Object> deadLetterProducerConfig(KafkaSettings kafka, String groupId) {
    Map<String, Object> p = new HashMap<>(kafka.clientConfig());
    p.put(ProducerConfig.CLIENT_ID_CONFIG, groupId + "-dead-letters");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 20 << 20);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return p;
  }

  /**
   * Ready when Kafka answers with the sink's topics, the store answers ({@code storeProblem}
   * returns "") and every consumer runs.
   */
  static Readiness readiness(
      KafkaReadiness kafka, Supplier<String> storeProblem, IntSupplier running, int consumers) {
    return new Readiness() {
      @Override
      public boolean ready() {
        return problem().isEmpty();
      }

      @Override
      public String problem() {
        if (!kafka.ready()) {
          return kafka.problem();
        }
        String store = storeProblem.get();
        if (!store.isEmpty()) {
          return store;
        }
        int live = running.getAsInt();
        return live < consumers ? (consumers - live) + " consumer(s) not running" : "";
      }
    };
  }
}
