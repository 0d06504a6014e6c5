package io.spanline.gateway.tenancy;

import io.spanline.service.config.KafkaSettings;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.ExponentialBackoff;
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
 * <p>When the membership fails (the consumer throws: an authorization error, a fatal group error, a
 * fenced member), the gateway leaves the group, logs a warning and joins again with a new consumer
 * after a backoff that doubles from 1 s to 30 s (20 % jitter, Kafka's {@link ExponentialBackoff});
 * {@code rejoins()} counts those restarts. While it is out of the group it still counts itself: the
 * count is the members described plus one when this gateway's client is not among them, so the
 * others' shares and its own never add up to more than the global rate.
 *
 * <p>{@link #count} is at least 1 and keeps its last value while Kafka cannot be asked, so a
 * gateway cut off from Kafka neither stops limiting nor lets a tenant through at the full global
 * rate on each instance.
 */
public final class GatewayInstances implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayInstances.class);

  private final String group;
  private final String topic;
  private final String clientId;
  private final Supplier<Consumer<byte[], byte[]>> consumers;
  private final ExponentialBackoff backoff;
  private final Admin admin;
  private final Thread member;
  private final Thread counter;
  private final Duration refresh;
  private final AtomicInteger count = new AtomicInteger(1);
  private final AtomicLong rejoins = new AtomicLong();
  private final CountDownLatch closing = new CountDownLatch(1);
  private volatile Consumer<byte[], byte[]> consumer;
  private volatile boolean closed;

  /**
   * @param consumers makes the member consumer, again after each failure; its client ID must be
   *     {@code clientId}
   * @param backoff the wait before joining again after the {@code n}th failure in a row
   */
  GatewayInstances(
      Admin admin,
      String topic,
      String group,
      String clientId,
      Duration refresh,
      Supplier<Consumer<byte[], byte[]>> consumers,
      ExponentialBackoff backoff) {
    this.admin = admin;
    this.topic = topic;
    this.group = group;
    this.clientId = clientId;
    this.refresh = refresh;
    this.consumers = consumers;
    this.backoff = backoff;
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
    String id = "spanline-gateway-member-" + UUID.randomUUID();
    GatewayInstances g =
        new GatewayInstances(
            Admin.create(kafka.clientConfig(Map.of("client.id", id + "-admin"))),
            topic,
            group,
            id,
            refresh,
            () -> new KafkaConsumer<>(memberConfig(kafka, group, id)),
            new ExponentialBackoff(1_000, 2, 30_000, 0.2));
    g.begin();
    return g;
  }

  /** The member consumer's configuration: a group member that never fetches or commits. */
  static Map<String, Object> memberConfig(KafkaSettings kafka, String group, String clientId) {
    return kafka.clientConfig(
        Map.of(
            ConsumerConfig.GROUP_ID_CONFIG,
            group,
            ConsumerConfig.CLIENT_ID_CONFIG,
            clientId,
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
            1024,
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
            ByteArrayDeserializer.class,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
            ByteArrayDeserializer.class));
  }

  /** Starts the member and counter threads. */
  void begin() {
    member.start();
    counter.start();
  }

  /** The live gateways last counted, this one included; at least 1. */
  public int count() {
    return count.get();
  }

  /** How many times the membership failed and was started again. */
  public long rejoins() {
    return rejoins.get();
  }

  private void stayMember() {
    int failures = 0;
    while (!closed) {
      Consumer<byte[], byte[]> c = consumers.get();
      consumer = c;
      try {
        if (closed) {
          closeQuietly(c);
          return;
        }
        c.subscribe(
            List.of(topic),
            new ConsumerRebalanceListener() {
              @Override
              public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

              @Override
              public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                c.pause(partitions);
              }
            });
        while (!closed) {
          // paused partitions return nothing; polling keeps the membership (max.poll.interval.ms)
          c.poll(Duration.ofMillis(500));
          if (!c.assignment().isEmpty()) {
            c.pause(c.assignment());
          }
          if (!c.groupMetadata().memberId().isEmpty()) {
            failures = 0;
          }
        }
      } catch (WakeupException e) {
        // closing
      } catch (RuntimeException e) {
        if (!closed) {
          long waitMs = backoff.backoff(failures++);
          LOG.warn(
              "Gateway membership in consumer group {} failed: {}; joining again in {} ms",
              group,
              e.toString(),
              waitMs);
          closeQuietly(c);
          rejoins.incrementAndGet();
          awaitClosing(waitMs);
          continue;
        }
      }
      closeQuietly(c);
    }
  }

  private void closeQuietly(Consumer<byte[], byte[]> c) {
    try {
      c.close(Duration.ofSeconds(5));
    } catch (RuntimeException e) {
      LOG.debug("Closing the member consumer of group {} failed: {}", group, e.toString());
    }
  }

  /** Waits up to {@code millis}, less when the instance closes meanwhile. */
  private void awaitClosing(long millis) {
    try {
      closing.await(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
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

  /**
   * Counts the group's members now, plus this gateway when it is not among them; keeps the last
   * count when Kafka does not answer.
   */
  void refreshNow() {
    try {
      ConsumerGroupDescription d =
          admin.describeConsumerGroups(List.of(group)).all().get(10, TimeUnit.SECONDS).get(group);
      int members = d == null ? 0 : d.members().size();
      boolean self = d != null && d.members().stream().anyMatch(m -> clientId.equals(m.clientId()));
      int now = Math.max(1, self ? members : members + 1);
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
    closing.countDown();
    Consumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    counter.interrupt();
    try {
      member.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    admin.close(Duration.ofSeconds(5));
  }
}
