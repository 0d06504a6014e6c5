package io.spanline.gateway.testing;

import io.spanline.gateway.Gateway;
import io.spanline.gateway.config.GatewayConfig;
import io.spanline.gateway.config.GatewayConfigLoader;
import io.spanline.localinfra.junit.UniqueNames;
import io.spanline.localinfra.kafka.LocalKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A gateway on 127.0.0.1 and free ports, writing to a topic of its own on a real Kafka broker, plus
 * a reader of everything in that topic.
 */
public final class GatewayFixture implements AutoCloseable {
  public final Gateway gateway;
  public final String topic;
  private final String bootstrapServers;

  /** A read record: key as text, tenant header, value bytes. */
  public record Written(String key, String tenant, byte[] value, int partition) {}

  private GatewayFixture(Gateway gateway, String topic, String bootstrapServers) {
    this.gateway = gateway;
    this.topic = topic;
    this.bootstrapServers = bootstrapServers;
  }

  /**
   * @param settings gateway settings (system-property keys without the {@code spanline.gateway.}
   *     prefix), e.g. {@code limits.spans-per-second}
   * @param env environment variables, e.g. a config file
   */
  public static GatewayFixture start(
      LocalKafka kafka, int partitions, Map<String, String> settings, Map<String, String> env)
      throws Exception {
    String topic = UniqueNames.unique("otlp-spans");
    kafka.createTopics(partitions, List.of(topic));
    GatewayConfig config = config(kafka, topic, settings, env);
    return new GatewayFixture(Gateway.start(config), topic, kafka.bootstrapServers());
  }

  /**
   * A gateway configuration on 127.0.0.1 and free ports, writing {@code topic} on {@code kafka},
   * with {@code settings} (keys without the {@code spanline.gateway.} prefix) on top.
   */
  public static GatewayConfig config(
      LocalKafka kafka, String topic, Map<String, String> settings, Map<String, String> env) {
    Map<String, String> props = new HashMap<>();
    props.put("spanline.gateway.bind.address", "127.0.0.1");
    props.put("spanline.gateway.admin.bind.address", "127.0.0.1");
    props.put("spanline.gateway.otlp.grpc.port", "0");
    props.put("spanline.gateway.otlp.http.port", "0");
    props.put("spanline.gateway.admin.port", "0");
    props.put("spanline.gateway.kafka.bootstrap.servers", kafka.bootstrapServers());
    props.put("spanline.gateway.topic.otlp-spans", topic);
    settings.forEach((k, v) -> props.put("spanline.gateway." + k, v));
    return GatewayConfigLoader.load(env, props);
  }

  public String httpEndpoint() {
    return "http://127.0.0.1:" + gateway.httpPort() + "/v1/traces";
  }

  public String grpcEndpoint() {
    return "http://127.0.0.1:" + gateway.grpcPort();
  }

  public String adminUri() {
    return "http://127.0.0.1:" + gateway.adminPort();
  }

  /** Every record now in the topic (reads each partition to its end offset). */
  public List<Written> readAll() {
    return readAll(bootstrapServers, topic);
  }

  public static List<Written> readAll(String bootstrapServers, String topic) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<Written> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("could not read " + topic + " to its end within 30 s");
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          var tenant = r.headers().lastHeader("spanline.tenant");
          out.add(
              new Written(
                  new String(r.key(), StandardCharsets.UTF_8),
                  tenant == null ? null : new String(tenant.value(), StandardCharsets.UTF_8),
                  r.value(),
                  r.partition()));
        }
      }
    }
    return out;
  }

  @Override
  public void close() {
    gateway.close();
  }
}
