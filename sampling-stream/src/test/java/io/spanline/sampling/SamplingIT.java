package io.spanline.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.localinfra.Probe;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.junit.UniqueNames;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.sampling.config.SamplingConfig;
import io.spanline.sampling.config.SamplingConfigLoader;
import io.spanline.sampling.policy.PolicyFileParser;
import io.spanline.sampling.policy.SamplingPolicies;
import io.spanline.sampling.replay.ReplayCommand;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.registry.RestSchemaRegistryClient;
import io.spanline.schemas.testing.TraceBuilder;
import io.spanline.schemas.topic.SpanlineHeaders;
import io.spanline.schemas.topic.SpanlineTopics;
import io.spanline.schemas.topic.TopicNames;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sampling stream against a real Kafka broker and schema registry: 20 000 traces where 2 % have
 * errors and 3 % are slow, late fragments, then a replay and a dry run with another policy.
 */
@ExtendWith(LocalInfraExtension.class)
class SamplingIT {
  private static final int TRACES = 20_000;
  private static final int PARTITIONS = 4;
  private static final List<String> SERVICES =
      List.of("frontend", "checkout", "payment", "inventory", "search");
  private static final String LIVE_POLICY =
      """
      policies:
        - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
        - {name: slow, type: latency, latency: {threshold_ms: 1000}}
        - {name: baseline, type: probabilistic, probabilistic: {sampling_percentage: 10}}
      """;
  private static final String REPLAY_POLICY =
      """
      policies:
        - name: checkout-half
          type: and
          and:
            and_sub_policy:
              - {name: checkout, type: string_attribute, string_attribute: {key: service.name, values: [checkout]}}
              - {name: half, type: probabilistic, probabilistic: {hash_salt: replay, sampling_percentage: 50}}
      """;

  @TempDir Path dir;

  @Test
  void keepsEveryErrorAndSlowTrace_aBaselineShare_followsDecisionsForLateFragments_andReplays(
      LocalKafka kafka, LocalSchemaRegistry registry) throws Exception {
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
    Path policyFile = Files.writeString(dir.resolve("policies.yaml"), LIVE_POLICY);
    Map<String, String> s = new HashMap<>();
    s.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    s.put("schema-registry.url", registry.uri().toString());
    s.put("application.id", UniqueNames.unique("sampling"));
    s.put("topic.assembled-traces", names.assembledTraces());
    s.put("topic.sampled-traces", names.sampledTraces());
    s.put("topic.decisions", names.decisions());
    s.put("topic.metrics", names.metrics());
    s.put("topic.dead-letter", deadLetter);
    s.put("policy.file", policyFile.toString());
    s.put("state.dir", dir.resolve("state").toString());
    s.put("admin.bind.address", "127.0.0.1");
    s.put("admin.port", "0");
    s.put("metrics.flush.interval.ms", "1000");
    Map<String, String> props = new HashMap<>();
    s.forEach((k, v) -> props.put("spanline.sampling." + k, v));
    SamplingConfig config = SamplingConfigLoader.load(Map.of(), props);
    SpanlineTopics topics =
        new SpanlineTopics(
            names, new RestSchemaRegistryClient(registry.uri(), Duration.ofSeconds(10)));

    // Given 20 000 traces: 2 % with an error, 3 % slower than the latency threshold
    Instant t0 = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
    List<AssembledTrace> traces = new ArrayList<>();
    Set<TraceId> mustKeep = new HashSet<>();
    for (int i = 0; i < TRACES; i++) {
      TraceBuilder b = TraceBuilder.trace().tenant(i % 7 == 0 ? "acme" : "default");
      String root = SERVICES.get(i % SERVICES.size());
      boolean slow = i % 100 < 3;
      b.root(root, "GET /" + root, slow ? 1500 : 10 + i % 200);
      b.child(SERVICES.get((i + 1) % SERVICES.size()), "call", 5);
      if (i % 50 == 49) {
        b.error();
      }
      b.children(i % 3, root);
      AssembledTrace t = b.build();
      traces.add(t);
      if (slow || i % 50 == 49) {
        mustKeep.add(t.traceId());
      }
    }
    assertThat(mustKeep).hasSize(TRACES / 50 + TRACES * 3 / 100);
    try (KafkaProducer<TraceId, AssembledTrace> producer = producer(kafka, topics)) {
      for (int i = 0; i < TRACES; i++) {
        send(producer, names.assembledTraces(), traces.get(i), t0.plusMillis(i));
      }
      producer.flush();
    }

    Map<TraceId, SamplingDecision> decisions = new HashMap<>();
    List<SampledTrace> sampled = new ArrayList<>();
    try (SamplingApp app = SamplingApp.start(config)) {
      // When the stream has decided every trace
      readUntil(
          kafka,
          names.decisions(),
          topics.decisions().valueSerde().deserializer(),
          d -> decisions.put(d.traceId(), d),
          () -> decisions.size() == TRACES);
      long keptCount = decisions.values().stream().filter(SamplingDecision::kept).count();
      readUntil(
          kafka,
          names.sampledTraces(),
          topics.sampledTraces().valueSerde().deserializer(),
          sampled::add,
          () -> sampled.size() == keptCount);

      // Then every error and slow trace is kept, and the baseline share is within ±20 % of 10 %
      Set<TraceId> keptIds = new HashSet<>();
      sampled.forEach(st -> keptIds.add(st.trace().traceId()));
      assertThat(keptIds).containsAll(mustKeep);
      long baseline = keptIds.stream().filter(id -> !mustKeep.contains(id)).count();
      double share = (double) baseline / (TRACES - mustKeep.size());
      assertThat(share).isBetween(0.08, 0.12);
      for (SampledTrace st : sampled) {
        assertThat(st.trace()).isIn(traces);
        if (st.decision().policies().equals(List.of("baseline"))) {
          assertThat(st.decision().adjustedCount()).isEqualTo(10.0);
        }
      }

      // And the RED histograms carry exemplars (OpenMetrics), each naming a kept trace
      HttpResponse<String> scrape =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .build()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + app.adminPort() + "/metrics"))
                      .header("Accept", "application/openmetrics-text; version=1.0.0")
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(scrape.headers().firstValue("Content-Type").orElse(""))
          .startsWith("application/openmetrics-text");
      Matcher exemplar =
          Pattern.compile(
                  "spanline_spans_seconds_bucket\\{[^}]*\\} \\d+ # \\{[^}]*trace_id=\"([0-9a-f]{32})\"")
              .matcher(scrape.body());
      Set<TraceId> exemplars = new HashSet<>();
      while (exemplar.find()) {
        exemplars.add(TraceId.fromHex(exemplar.group(1)));
      }
      assertThat(exemplars).isNotEmpty();
      assertThat(keptIds).containsAll(exemplars);

      // And a late fragment follows its trace's decision
      AssembledTrace keptNormal =
          traces.stream()
              .filter(t -> keptIds.contains(t.traceId()) && !mustKeep.contains(t.traceId()))
              .findFirst()
              .orElseThrow();
      AssembledTrace dropped =
          traces.stream().filter(t -> !keptIds.contains(t.traceId())).findFirst().orElseThrow();
      AssembledTrace lateOfKept =
          TraceBuilder.trace()
              .tenant(keptNormal.tenant())
              .traceId(keptNormal.traceId())
              .fragment(1)
              .orphan("payment", "late", 30, 5)
              .build();
      AssembledTrace lateOfDropped =
          TraceBuilder.trace()
              .tenant(dropped.tenant())
              .traceId(dropped.traceId())
              .fragment(1)
              .orphan("payment", "late", 30, 5)
              .error()
              .build();
      try (KafkaProducer<TraceId, AssembledTrace> producer = producer(kafka, topics)) {
        send(producer, names.assembledTraces(), lateOfKept, t0.plusSeconds(40));
        send(producer, names.assembledTraces(), lateOfDropped, t0.plusSeconds(40));
      }
      awaitCommitted(kafka, config.applicationId(), names.assembledTraces());
      assertThat(
              app.metrics()
                  .registry()
                  .find("spanline.sampling.late.fragments")
                  .tag("decision_source", "stored")
                  .counter()
                  .count())
          .isEqualTo(2);
      List<SampledTrace> all = new ArrayList<>();
      readToEnd(
          kafka,
          names.sampledTraces(),
          topics.sampledTraces().valueSerde().deserializer(),
          all::add);
      assertThat(all).hasSize(sampled.size() + 1);
      assertThat(all)
          .extracting(SampledTrace::trace)
          .filteredOn(t -> t.fragment() > 0)
          .containsExactly(lateOfKept);
    }

    // And a replay of [t0 + 5 s, t0 + 15 s) with another policy writes exactly what it keeps
    Instant from = t0.plusSeconds(5);
    Instant to = t0.plusSeconds(15);
    Path replayPolicy = Files.writeString(dir.resolve("replay.yaml"), REPLAY_POLICY);
    SamplingPolicies oracle = PolicyFileParser.parse(REPLAY_POLICY);
    Set<TraceId> expected = new HashSet<>();
    for (int i = 5_000; i < 15_000; i++) {
      if (oracle.decide(traces.get(i), 0).kept()) {
        expected.add(traces.get(i).traceId());
      }
    }
    assertThat(expected)
        .as("checkout is in 2 of 5 traces; half of those")
        .hasSizeBetween(1600, 2400);
    String output = UniqueNames.unique("replayed");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    int exit =
        ReplayCommand.run(
            config,
            new PrintStream(printed, true, StandardCharsets.UTF_8),
            "--policy",
            replayPolicy.toString(),
            "--from",
            from.toString(),
            "--to",
            to.toString(),
            "--output-topic",
            output,
            "--application-id",
            UniqueNames.unique("replay"),
            "--timeout",
            "PT2M");
    assertThat(exit).as(printed.toString(StandardCharsets.UTF_8)).isZero();
    Set<TraceId> replayed = new HashSet<>();
    List<SampledTrace> replayedRecords = new ArrayList<>();
    readToEnd(
        kafka, output, topics.sampledTraces().valueSerde().deserializer(), replayedRecords::add);
    replayedRecords.forEach(r -> replayed.add(r.trace().traceId()));
    assertThat(replayedRecords).hasSameSizeAs(replayed);
    assertThat(replayed).isEqualTo(expected);
    assertThat(replayedRecords.get(0).decision().policies()).containsExactly("checkout-half");

    // And a dry run over the same range reports the new policy's keeps next to the live ones
    long liveKeptInRange =
        traces.subList(5_000, 15_000).stream()
            .filter(t -> decisions.get(t.traceId()).kept())
            .count();
    ByteArrayOutputStream report = new ByteArrayOutputStream();
    assertThat(
            ReplayCommand.run(
                config,
                new PrintStream(report, true, StandardCharsets.UTF_8),
                "--policy",
                replayPolicy.toString(),
                "--from",
                from.toString(),
                "--to",
                to.toString(),
                "--dry-run"))
        .isZero();
    String text = report.toString(StandardCharsets.UTF_8);
    System.out.print(text);
    String keptLine = text.lines().filter(l -> l.startsWith("kept ")).findFirst().orElseThrow();
    String[] cells = keptLine.replace(",", "").trim().split("\\s+");
    assertThat(Long.parseLong(cells[1])).as(text).isEqualTo(expected.size());
    assertThat(Long.parseLong(cells[3])).as(text).isEqualTo(liveKeptInRange);
    assertThat(text).contains("Dry run over [" + from + ", " + to + "): 10,000 traces");
  }

  private static KafkaProducer<TraceId, AssembledTrace> producer(
      LocalKafka kafka, SpanlineTopics topics) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            kafka.bootstrapServers(),
            ProducerConfig.LINGER_MS_CONFIG,
            5,
            ProducerConfig.BATCH_SIZE_CONFIG,
            1 << 18),
        topics.assembledTraces().keySerde().serializer(),
        topics.assembledTraces().valueSerde().serializer());
  }

  private static void send(
      KafkaProducer<TraceId, AssembledTrace> producer, String topic, AssembledTrace t, Instant at) {
    ProducerRecord<TraceId, AssembledTrace> r =
        new ProducerRecord<>(topic, null, at.toEpochMilli(), t.traceId(), t);
    r.headers().add(SpanlineHeaders.TENANT, t.tenant().getBytes(StandardCharsets.UTF_8));
    producer.send(r);
  }

  private static <V> void readUntil(
      LocalKafka kafka,
      String topic,
      Deserializer<V> values,
      java.util.function.Consumer<V> each,
      java.util.function.BooleanSupplier done) {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(kafka)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      while (!done.getAsBoolean()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          each.accept(values.deserialize(topic, r.value()));
        }
        assertThat(System.nanoTime()).as("reading " + topic + " in time").isLessThan(deadline);
      }
    }
  }

  private static <V> void readToEnd(
      LocalKafka kafka, String topic, Deserializer<V> values, java.util.function.Consumer<V> each) {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(kafka)) {
      List<org.apache.kafka.common.TopicPartition> parts =
          consumer.partitionsFor(topic).stream()
              .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(parts);
      Predicate<org.apache.kafka.common.TopicPartition> behind =
          p -> consumer.position(p) < end.get(p);
      while (parts.stream().anyMatch(behind)) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          each.accept(values.deserialize(topic, r.value()));
        }
      }
    }
  }

  /** Waits until the stream has committed (so, under exactly-once, written) all of its input. */
  private static void awaitCommitted(LocalKafka kafka, String groupId, String topic) {
    try (org.apache.kafka.clients.admin.Admin admin = kafka.admin();
        KafkaConsumer<byte[], byte[]> consumer = consumer(kafka)) {
      List<org.apache.kafka.common.TopicPartition> parts =
          consumer.partitionsFor(topic).stream()
              .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition()))
              .toList();
      Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(parts);
      Probe.until(
          "the stream committed all of " + topic,
          Duration.ofMinutes(2),
          Duration.ofMillis(200),
          () -> {
            var committed =
                admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
            return parts.stream()
                .allMatch(p -> committed.get(p) != null && committed.get(p).offset() >= end.get(p));
          });
    }
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
        new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
        new org.apache.kafka.common.serialization.ByteArrayDeserializer());
  }
}
