package io.spanline.gateway.tenancy;

import io.spanline.service.config.KafkaSettings;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the live gateways through Kafka, so that a tenant's global ingest rate can be divided
 * among them. Each gateway joins one consumer group ({@code tenant-limits.members.group}),
 * subscribed to the topic it writes ({@code otlp_spans}) with every assigned partition paused, so
 * it never fetches a record and commits nothing; a background thread keeps the membership alive (a
 * gateway that dies leaves the group after {@code session.timeout.ms}, 10 s; one that stops leaves
 * at once). Every {@code tenant-limits.members.refresh.ms} an {@link Admin} call ({@code
 * describeConsumerGroups}) counts the group's members. No topic is created: the group needs only
 * the topic the gateway already writes.
 *
 * <p>{@link #count} is at least 1 and keeps its last value while Kafka cannot be asked, so a
 * gateway cut off from Kafka neither stops limiting nor lets a tenant through at the full global
 * rate on each instance.
 */
public final class GatewayInstances implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayInstances.class);

  private final String group;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Admin admin;
  private final Thread member;
  private final Thread counter;
  private final Duration refresh;
  private final AtomicInteger count = new AtomicInteger(1);
  private volatile boolean closed;

  private GatewayInstances(KafkaSettings kafka, String topic, String group, Duration refresh) {
    this.group = group;
    this.refresh = refresh;
    String id = "spanline-gateway-member-" + UUID.randomUUID();
    this.consumer =
        new KafkaConsumer<>(
            kafka.clientConfig(
                Map.of(
                    ConsumerConfig.GROUP_ID_CONFIG,
                    group,
                    ConsumerConfig.CLIENT_ID_CONFIG,
                    id,
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                    false,
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                    "latest",
                    ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
                    10_000,
                    ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG,
                    3_000,
                    ConsumerConfig.FETCH_MAX_BYTES_CONFIG,
                    1024,
                    ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                    1024)),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
    this.admin = Admin.create(kafka.clientConfig(Map.of("client.id", id + "-admin")));
    this.consumer.subscribe(
        List.of(topic),
        new ConsumerRebalanceListener() {
          @Override
          public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

          @Override
          public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            consumer.pause(partitions);
          }
        });
    this.member = new Thread(this::stayMember, "gateway-instances-member");
    this.member.setDaemon(true);
    this.counter = new Thread(this::countLoop, "gateway-instances-counter");
    this.counter.setDaemon(true);
  }

  /**
   * Joins {@code group} and starts counting its members every {@code refresh}.
   *
   * @param topic the topic the gateway writes (never read: its partitions stay paused)
   */
  public static GatewayInstances start(
      KafkaSettings kafka, String topic, String group, Duration refresh) {
    GatewayInstances g = new GatewayInstances(kafka, topic, group, refresh);
    g.member.start();
    g.counter.start();
    return g;
  }

  /** The live gateways last counted, this one included; at least 1. */
  public int count() {
    return count.get();
  }

  private void stayMember() {
    try {
      while (!closed) {
        // paused partitions return nothing; polling keeps the membership (max.poll.interval.ms)
        consumer.poll(Duration.ofMillis(500));
        if (!consumer.assignment().isEmpty()) {
          consumer.pause(consumer.assignment());
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      if (!closed) {
        LOG.warn("Gateway membership in consumer group {} failed: {}", group, e.toString());
      }
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private void countLoop() {
    while (!closed) {
      refreshNow();
      try {
        Thread.sleep(refresh.toMillis());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Counts the group's members now; keeps the last count when Kafka does not answer. */
  void refreshNow() {
    try {
      ConsumerGroupDescription d =
          admin.describeConsumerGroups(List.of(group)).all().get(10, TimeUnit.SECONDS).get(group);
      int members = d == null ? 0 : d.members().size();
      int now = Math.max(1, members);
      int before = count.getAndSet(now);
      if (before != now) {
        LOG.info("Live gateways in consumer group {}: {} (were {})", group, now, before);
      }
    } catch (ExecutionException | TimeoutException e) {
      LOG.debug("Counting the gateways of group {} failed: {}", group, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    closed = true;
    consumer.wakeup();
    counter.interrupt();
    try {
      member.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    admin.close(Duration.ofSeconds(5));
  }
}
