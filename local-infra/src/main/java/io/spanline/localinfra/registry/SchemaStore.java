package io.spanline.localinfra.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spanline.localinfra.kafka.LocalKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Registered schemas, kept in memory and stored durably in a compacted single-partition Kafka topic
 * (default {@code _schemas}): one record per subject version, key {@code
 * {"subject":…,"version":…}}, value {@code {"subject":…,"version":…,"id":…,"schema":…}}. On start
 * the whole topic is read back, so IDs survive a restart. One registry instance writes the topic;
 * this store does not elect a leader among several.
 *
 * <p>As Confluent's registry does, IDs are global and one schema text has one ID in every subject;
 * registering a schema already under a subject returns its existing ID and adds no version.
 */
final class SchemaStore implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A subject version. */
  record Version(String subject, int version, int id, String schema) {}

  private final String topic;
  private final KafkaProducer<byte[], byte[]> producer;
  private final Map<Integer, String> schemasById = new HashMap<>();
  private final Map<String, Integer> idsBySchema = new HashMap<>();
  private final Map<String, TreeMap<Integer, Version>> subjects = new TreeMap<>();
  private int maxId;

  private SchemaStore(String topic, KafkaProducer<byte[], byte[]> producer) {
    this.topic = topic;
    this.producer = producer;
  }

  /**
   * Creates the topic if missing and reads every stored version back.
   *
   * @throws IllegalStateException if Kafka cannot be reached or the topic cannot be read
   */
  static SchemaStore open(String bootstrapServers, String topic) {
    Map<String, Object> common =
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    try (Admin admin = Admin.create(common)) {
      try {
        admin
            .createTopics(
                List.of(
                    new NewTopic(topic, 1, (short) 1)
                        .configs(
                            Map.of(
                                TopicConfig.CLEANUP_POLICY_CONFIG,
                                TopicConfig.CLEANUP_POLICY_COMPACT))))
            .all()
            .get();
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException("cannot create schema topic " + topic, e.getCause());
        }
      }
      LocalKafka.awaitListed(admin, List.of(topic));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating schema topic " + topic, e);
    }
    Map<String, Object> producerConfig = new HashMap<>(common);
    producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
    producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    SchemaStore store =
        new SchemaStore(
            topic,
            new KafkaProducer<>(
                producerConfig, new ByteArraySerializer(), new ByteArraySerializer()));
    store.readAll(bootstrapServers);
    return store;
  }

  private void readAll(String bootstrapServers) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    TopicPartition partition = new TopicPartition(topic, 0);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = consumer.endOffsets(List.of(partition)).get(partition);
      while (consumer.position(partition) < end) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          if (record.value() != null) {
            apply(parse(record.value()));
          }
        }
      }
    }
  }

  /**
   * Registers {@code schema} (already validated) under {@code subject}, storing a new version in
   * Kafka before answering.
   *
   * @return the version, new or existing
   */
  synchronized Version register(String subject, String schema) {
    TreeMap<Integer, Version> versions = subjects.get(subject);
    if (versions != null) {
      for (Version v : versions.values()) {
        if (v.schema().equals(schema)) {
          return v;
        }
      }
    }
    int id = idsBySchema.getOrDefault(schema, maxId + 1);
    int version = versions == null || versions.isEmpty() ? 1 : versions.lastKey() + 1;
    Version added = new Version(subject, version, id, schema);
    ObjectNode key = JSON.createObjectNode().put("subject", subject).put("version", version);
    ObjectNode value = key.deepCopy().put("id", id).put("schema", schema);
    try {
      producer.send(new ProducerRecord<>(topic, 0, bytes(key), bytes(value))).get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot store schema in topic " + topic, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while storing a schema", e);
    }
    apply(added);
    return added;
  }

  synchronized Optional<String> schemaById(int id) {
    return Optional.ofNullable(schemasById.get(id));
  }

  synchronized List<String> subjects() {
    return new ArrayList<>(subjects.keySet());
  }

  /** Versions of a subject in order, or empty when the subject is unknown. */
  synchronized Optional<List<Version>> versions(String subject) {
    TreeMap<Integer, Version> versions = subjects.get(subject);
    return versions == null ? Optional.empty() : Optional.of(List.copyOf(versions.values()));
  }

  /** The version of {@code subject} holding exactly {@code schema}, if any. */
  synchronized Optional<Version> find(String subject, String schema) {
    return versions(subject)
        .flatMap(vs -> vs.stream().filter(v -> v.schema().equals(schema)).findFirst());
  }

  synchronized Set<Integer> ids() {
    return Set.copyOf(schemasById.keySet());
  }

  private void apply(Version v) {
    subjects.computeIfAbsent(v.subject(), s -> new TreeMap<>()).put(v.version(), v);
    schemasById.putIfAbsent(v.id(), v.schema());
    idsBySchema.putIfAbsent(v.schema(), v.id());
    maxId = Math.max(maxId, v.id());
  }

  private static Version parse(byte[] value) {
    try {
      JsonNode json = JSON.readTree(value);
      return new Version(
          json.get("subject").asText(),
          json.get("version").asInt(),
          json.get("id").asInt(),
          json.get("schema").asText());
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable record in the schema topic", e);
    }
  }

  private static byte[] bytes(JsonNode json) {
    return json.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
