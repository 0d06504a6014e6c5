package io.spanline.gateway.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.localinfra.Probe;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.service.config.KafkaSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.utils.ExponentialBackoff;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two gateways count each other through a consumer group on the real broker; when one's membership
 * fails, it leaves the group, still counts itself while out, and joins again.
 */
@ExtendWith(LocalInfraExtension.class)
class GatewayInstancesIT {

  @Test
  void aGatewayWhoseMembershipFails_countsItselfWhileOut_andJoinsAgain(LocalKafka kafka)
      throws Exception {
    String topic = "members-" + System.nanoTime();
    String group = "gateway-members-" + System.nanoTime();
    kafka.createTopics(2, List.of(topic));
    KafkaSettings settings = KafkaSettings.plaintext(kafka.bootstrapServers());
    Duration refresh = Duration.ofMillis(200);

    // Given gateway A, whose first member consumer fails on its 5th poll (a fatal group error as
    // Kafka would throw it), and whose next consumer is made only when the test lets it
    AtomicInteger made = new AtomicInteger();
    CountDownLatch letRejoin = new CountDownLatch(1);
    String idA = "gateway-a-" + System.nanoTime();
    GatewayInstances a =
        new GatewayInstances(
            Admin.create(settings.clientConfig(Map.of("client.id", idA + "-admin"))),
            topic,
            group,
            idA,
            refresh,
            () -> {
              Map<String, Object> config = GatewayInstances.memberConfig(settings, group, idA);
              if (made.getAndIncrement() == 0) {
                return failingOnPoll(config, 5);
              }
              try {
                assertThat(letRejoin.await(2, TimeUnit.MINUTES)).isTrue();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return new KafkaConsumer<>(config);
            },
            new ExponentialBackoff(10, 2, 10, 0));
    GatewayInstances b = GatewayInstances.start(settings, topic, group, refresh);
    try (Admin admin = kafka.admin()) {
      a.begin();

      // When A's membership fails
      Probe.until(
          "A's membership to fail", Duration.ofSeconds(60), refresh, () -> a.rejoins() == 1);

      // Then, while A is out, B counts only itself, and A counts B and itself
      Probe.until(
          "B to count 1 and A to count 2 while A is out",
          Duration.ofSeconds(60),
          refresh,
          () -> b.count() == 1 && a.count() == 2);

      // And once A joins again, both count 2 with A a member of the group
      letRejoin.countDown();
      Probe.until(
          "both to count 2 with A back in the group",
          Duration.ofSeconds(60),
          refresh,
          () ->
              b.count() == 2
                  && a.count() == 2
                  && admin
                      .describeConsumerGroups(List.of(group))
                      .all()
                      .get()
                      .get(group)
                      .members()
                      .stream()
                      .anyMatch(m -> m.clientId().equals(idA)));
      assertThat(made.get()).isEqualTo(2);
      assertThat(a.rejoins()).isEqualTo(1);
    } finally {
      letRejoin.countDown();
      a.close();
      b.close();
    }
  }

  /** A real member consumer that throws as a fatal group error would on its {@code n}th poll. */
  private static Consumer<byte[], byte[]> failingOnPoll(Map<String, Object> config, int n) {
    AtomicInteger polls = new AtomicInteger();
    return new KafkaConsumer<byte[], byte[]>(config) {
      @Override
      public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
        if (polls.incrementAndGet() == n) {
          throw new KafkaException("injected: the group coordinator fenced this member");
        }
        return super.poll(timeout);
      }
    };
  }
}
