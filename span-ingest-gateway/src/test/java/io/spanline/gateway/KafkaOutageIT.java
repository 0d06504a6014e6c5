package io.spanline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.gateway.testing.GatewayFixture;
import io.spanline.gateway.testing.OtlpHttp;
import io.spanline.gateway.testing.TestRequests;
import io.spanline.localinfra.Ports;
import io.spanline.localinfra.junit.UniqueNames;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.schemas.codec.otlp.OtlpProtoCodec;
import io.spanline.schemas.model.Span;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Kafka stops under load and comes back: meanwhile clients get retryable answers, and every span
 * the gateway acknowledged is in the topic afterwards.
 */
class KafkaOutageIT {

  @Test
  void everyAcknowledgedSpanSurvivesAKafkaOutage() throws Exception {
    Path dir = Path.of("target", "local-infra", UniqueNames.unique("outage"));
    int port = Ports.freePort();
    int controllerPort = Ports.freePort();
    LocalKafka kafka = LocalKafka.start(dir, port, controllerPort);
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    AtomicInteger retryable = new AtomicInteger();
    AtomicInteger other = new AtomicInteger();
    AtomicInteger okAfterRestart = new AtomicInteger();
    AtomicBoolean restarted = new AtomicBoolean();
    AtomicBoolean running = new AtomicBoolean(true);
    ExecutorService clients = Executors.newFixedThreadPool(3);
    GatewayFixture fixture =
        GatewayFixture.start(kafka, 2, Map.of("kafka.delivery.timeout.ms", "6000"), Map.of());
    String topic = fixture.topic;
    try {
      // Given three clients sending 5-span traces without pause
      for (int c = 0; c < 3; c++) {
        clients.submit(
            () -> {
              while (running.get()) {
                List<Span> spans = TestRequests.spans(1, 5);
                try {
                  HttpResponse<byte[]> r =
                      OtlpHttp.post(
                          fixture.httpEndpoint(),
                          "application/x-protobuf",
                          TestRequests.protobuf(spans));
                  if (r.statusCode() == 200) {
                    spans.forEach(s -> acknowledged.add(s.spanId().toHex()));
                    if (restarted.get()) {
                      okAfterRestart.incrementAndGet();
                    }
                  } else if (r.statusCode() == 503 || r.statusCode() == 429) {
                    retryable.incrementAndGet();
                  } else {
                    other.incrementAndGet();
                  }
                } catch (Exception e) {
                  other.incrementAndGet();
                }
              }
              return null;
            });
      }
      await("spans acknowledged before the outage", () -> acknowledged.size() >= 200);

      // When Kafka stops, clients get retryable answers
      kafka.close();
      await("retryable answers during the outage", () -> retryable.get() >= 3);

      // and when it comes back on the same folder and port, writes succeed again
      kafka = LocalKafka.start(dir, port, controllerPort);
      restarted.set(true);
      await("acknowledged requests after the restart", () -> okAfterRestart.get() >= 20);
      running.set(false);
      clients.shutdown();
      assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

      // Then every acknowledged span is in the topic
      Set<String> written =
          GatewayFixture.readAll(kafka.bootstrapServers(), topic).stream()
              .flatMap(r -> OtlpProtoCodec.decode(r.value()).stream())
              .map(s -> s.spanId().toHex())
              .collect(Collectors.toSet());
      assertThat(acknowledged).isNotEmpty();
      assertThat(written).containsAll(acknowledged);
      assertThat(other.get()).as("non-retryable failures").isZero();
      System.out.printf(
          "Kafka outage: %d spans acknowledged, all %d found in the topic (%d written in all); "
              + "%d retryable refusals%n",
          acknowledged.size(), acknowledged.size(), written.size(), retryable.get());
    } finally {
      running.set(false);
      clients.shutdownNow();
      fixture.close();
      kafka.close();
    }
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }
}
