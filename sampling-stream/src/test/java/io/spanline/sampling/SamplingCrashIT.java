package io.spanline.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.localinfra.Ports;
import io.spanline.localinfra.Probe;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.junit.ServiceProcess;
import io.spanline.localinfra.junit.UniqueNames;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.registry.RestSchemaRegistryClient;
import io.spanline.schemas.testing.TraceBuilder;
import io.spanline.schemas.topic.SpanlineHeaders;
import io.spanline.schemas.topic.SpanlineTopics;
import io.spanline.schemas.topic.TopicNames;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sampling stream in its own JVM is killed (SIGKILL) at seeded random moments while traces flow
 * — during start-up, state restore and processing — and restarted each time on the same state
 * folder, as a process manager or the all-in-one restarts it. Record time runs ahead of wall time
 * and the decision TTL is short, so the windowed decision store creates and expires segments
 * between the kills. The seed is printed; {@code -Dspanline.chaos.seed=N} replays a run.
 */
@ExtendWith(LocalInfraExtension.class)
class SamplingCrashIT {
  private static final int PARTITIONS = 6;
  private static final int KILLS = 6;
  private static final String POLICY =
      """
      policies:
        - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
        - {name: baseline, type: probabilistic, probabilistic: {sampling_percentage: 20}}
      """;

  @TempDir Path dir;

  @Test
  void killedAtRandomMomentsAndRestartedOnItsOwnState_decidesEveryTraceExactlyOnce(
      LocalKafka kafka, LocalSchemaRegistry registry) throws Exception {
    long seed = Long.getLong("spanline.chaos.seed", System.nanoTime());
    System.out.println("SamplingCrashIT seed " + seed);
    Random random = new Random(seed);
    TopicNames names =
        new TopicNames(
            "otlp_spans",
            UniqueNames.unique("assembled"),
            UniqueNames.unique("sampled"),
            UniqueNames.unique("decisions"),
            UniqueNames.unique("metrics"));
    String deadLetter = UniqueNames.unique("sampling-dlq");
    kafka.createTopics(
        PARTITIONS,
        List.of(
            names.assembledTraces(), names.sampledTraces(), names.decisions(), names.metrics()));
    kafka.createTopics(1, List.of(deadLetter));
    String applicationId = UniqueNames.unique("sampling");
    int adminPort = Ports.freePort();
    Map<String, String> settings = new HashMap<>();
    settings.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    settings.put("schema-registry.url", registry.uri().toString());
    settings.put("application.id", applicationId);
    settings.put("topic.assembled-traces", names.assembledTraces());
    settings.put("topic.sampled-traces", names.sampledTraces());
    settings.put("topic.decisions", names.decisions());
    settings.put("topic.metrics", names.metrics());
    settings.put("topic.dead-letter", deadLetter);
    settings.put("policy.file", Files.writeString(dir.resolve("policies.yaml"), POLICY).toString());
    settings.put("state.dir", dir.resolve("state").toString());
    settings.put("decision.ttl.ms", "120000");
    settings.put("metrics.flush.interval.ms", "1000");
    settings.put("admin.bind.address", "127.0.0.1");
    settings.put("admin.port", String.valueOf(adminPort));
    // a killed member leaves the group after 6 s, not the default 45 s
    settings.put("streams.consumer.session.timeout.ms", "6000");
    settings.put("streams.consumer.heartbeat.interval.ms", "1500");
    SpanlineTopics topics =
        new SpanlineTopics(
            names, new RestSchemaRegistryClient(registry.uri(), Duration.ofSeconds(10)));

    Map<TraceId, Boolean> acknowledged = new ConcurrentHashMap<>(); // trace → has an error
    AtomicBoolean producing = new AtomicBoolean(true);
    AtomicReference<Exception> producerFailure = new AtomicReference<>();
    Thread load =
        new Thread(
            () -> produce(kafka, topics, names, acknowledged, producing, producerFailure),
            "crash-it-load");
    load.start();
    List<Process> started = new ArrayList<>();
    try {
      // Given a sampling stream under steady load, killed at seeded random moments
      for (int kill = 0; kill < KILLS; kill++) {
        Path log = dir.resolve("sampling-" + kill + ".log");
        Process p = ServiceProcess.start(SamplingMain.class, "spanline.sampling.", settings, log);
        started.add(p);
        long delayMs = 2_000 + random.nextInt(12_000);
        // waits for the moment of the kill, or returns early if the process dies by itself
        assertThat(p.waitFor(delayMs, TimeUnit.MILLISECONDS))
            .as("sampling process %d exited by itself; log %s", kill, log)
            .isFalse();
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        assertThat(p.isAlive()).isFalse();
        System.out.printf("killed sampling process %d after %d ms%n", kill, delayMs);
      }

      // When it is started once more, on the same state, and the load stops
      Path lastLog = dir.resolve("sampling-last.log");
      Process last =
          ServiceProcess.start(SamplingMain.class, "spanline.sampling.", settings, lastLog);
      started.add(last);
      ServiceProcess.awaitReady(adminPort, last, lastLog);
      producing.set(false);
      load.join();
      assertThat(producerFailure.get()).isNull();
      long caughtUpAfter = awaitCommitted(kafka, applicationId, names.assembledTraces(), last);
      System.out.printf(
          "%d traces acknowledged; caught up %d ms after the load stopped%n",
          acknowledged.size(), caughtUpAfter);

      // Then every acknowledged trace has exactly one decision, and every error trace is kept once
      Map<TraceId, Integer> decisionCount = new HashMap<>();
      readCommitted(
          kafka,
          names.decisions(),
          topics.decisions().valueSerde().deserializer(),
          (SamplingDecision d) -> decisionCount.merge(d.traceId(), 1, Integer::sum));
      assertThat(decisionCount.keySet()).containsAll(acknowledged.keySet());
      assertThat(decisionCount.values()).allMatch(n -> n == 1);
      Map<TraceId, Integer> keptCount = new HashMap<>();
      readCommitted(
          kafka,
          names.sampledTraces(),
          topics.sampledTraces().valueSerde().deserializer(),
          (SampledTrace t) -> keptCount.merge(t.trace().traceId(), 1, Integer::sum));
      assertThat(keptCount.values()).allMatch(n -> n == 1);
      List<TraceId> errors =
          acknowledged.entrySet().stream()
              .filter(Map.Entry::getValue)
              .map(Map.Entry::getKey)
              .toList();
      assertThat(keptCount.keySet()).containsAll(errors);

      // And the stream is ready, with no stream thread replaced since it started
      assertThat(readyz(adminPort)).isEqualTo(200);
      assertThat(Files.readString(lastLog)).doesNotContain("Stream thread failed");
    } finally {
      producing.set(false);
      load.join(30_000);
      for (Process p : started) {
        p.destroyForcibly();
      }
    }
  }

  /** Sends traces until told to stop: record time runs 10× ahead of wall time. */
  private static void produce(
      LocalKafka kafka,
      SpanlineTopics topics,
      TopicNames names,
      Map<TraceId, Boolean> acknowledged,
      AtomicBoolean producing,
      AtomicReference<Exception> failure) {
    Instant t0 = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
    try (KafkaProducer<TraceId, AssembledTrace> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG,
                5,
                ProducerConfig.ACKS_CONFIG,
                "all"),
            topics.assembledTraces().keySerde().serializer(),
            topics.assembledTraces().valueSerde().serializer())) {
      long i = 0;
      long start = System.nanoTime();
      while (producing.get()) {
        // 400 traces a second of wall time, each 25 ms of record time apart
        long due = start + i * 2_500_000L;
        long ahead = due - System.nanoTime();
        if (ahead > 0) {
          TimeUnit.NANOSECONDS.sleep(ahead);
        }
        boolean error = i % 40 == 0;
        TraceBuilder b =
            TraceBuilder.trace()
                .tenant(i % 3 == 0 ? "acme" : "default")
                .root("frontend", "GET", 12);
        b.child("checkout", "call", 5);
        if (error) {
          b.error();
        }
        AssembledTrace t = b.build();
        ProducerRecord<TraceId, AssembledTrace> r =
            new ProducerRecord<>(
                names.assembledTraces(), null, t0.toEpochMilli() + i * 25, t.traceId(), t);
        r.headers().add(SpanlineHeaders.TENANT, t.tenant().getBytes(StandardCharsets.UTF_8));
        producer.send(
            r,
            (md, e) -> {
              if (e == null) {
                acknowledged.put(t.traceId(), error);
              } else {
                failure.compareAndSet(null, e);
              }
            });
        i++;
      }
      producer.flush();
    } catch (Exception e) {
      failure.compareAndSet(null, e);
    }
  }

  /** Waits until the stream committed all of {@code topic}; returns how long that took (ms). */
  private static long awaitCommitted(
      LocalKafka kafka, String groupId, String topic, Process process) {
    long start = System.nanoTime();
    try (Admin admin = kafka.admin();
        KafkaConsumer<byte[], byte[]> consumer = consumer(kafka)) {
      List<TopicPartition> parts =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      Map<TopicPartition, Long> end = consumer.endOffsets(parts);
      Probe.until(
          "the restarted stream committing all of " + topic,
          Duration.ofMinutes(3),
          Duration.ofMillis(200),
          () -> {
            if (!process.isAlive()) {
              throw new Probe.GiveUp("the restarted sampling process exited");
            }
            var committed =
                admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
            return parts.stream()
                .allMatch(p -> committed.get(p) != null && committed.get(p).offset() >= end.get(p));
          });
    }
    return Duration.ofNanos(System.nanoTime() - start).toMillis();
  }

  private static <V> void readCommitted(
      LocalKafka kafka, String topic, Deserializer<V> values, java.util.function.Consumer<V> each) {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(kafka)) {
      List<TopicPartition> parts =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts);
      while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          each.accept(values.deserialize(topic, r.value()));
        }
      }
    }
  }

  private static int readyz(int adminPort) throws Exception {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .build()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/readyz")).build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private static KafkaConsumer<byte[], byte[]> consumer(LocalKafka kafka) {
    return new KafkaConsumer<>(
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            kafka.bootstrapServers(),
            ConsumerConfig.GROUP_ID_CONFIG,
            UniqueNames.unique("reader"),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            "earliest",
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_committed"),
        new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
  }
}
