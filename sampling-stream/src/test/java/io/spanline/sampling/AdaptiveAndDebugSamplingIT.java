package io.spanline.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code adaptive} policy and the debug attribute in the sampling stream against a real Kafka
 * broker and schema registry: a skewed workload (one endpoint at 200 traces/s, 50 at one trace
 * every 10 s) under a target of 10 traces/s per endpoint, and a tenant whose policies keep nothing
 * but whose debug-marked traces are kept. The live decisions must equal those of the same policy
 * file evaluated in memory over the same records in the same order (a replay agrees).
 */
@ExtendWith(LocalInfraExtension.class)
class AdaptiveAndDebugSamplingIT {
  private static final String POLICY =
      """
      policies:
        - name: per-endpoint
          type: adaptive
          adaptive: {traces_per_second: 10, adjustment_interval_ms: 5000}
      tenants:
        quiet:
          policies:
            - name: nothing
              type: not
              not: {not_sub_policy: {name: all, type: always_sample}}
      """;
  private static final int SECONDS = 30;

  @TempDir Path dir;

  @Test
  void rareEndpointsAllKept_hotOneNearItsTarget_debugMarkedKeptUnderKeepNothing(
      LocalKafka kafka, LocalSchemaRegistry registry) throws Exception {
    TopicNames names =
        new TopicNames(
            "otlp_spans",
            UniqueNames.unique("assembled"),
            UniqueNames.unique("sampled"),
            UniqueNames.unique("decisions"),
            UniqueNames.unique("metrics"));
    String deadLetter = UniqueNames.unique("sampling-dlq");
    // one partition and one stream thread: the records are decided in the order sent
    kafka.createTopics(
        1,
        List.of(
            names.assembledTraces(),
            names.sampledTraces(),
            names.decisions(),
            names.metrics(),
            deadLetter));
    Path policyFile = Files.writeString(dir.resolve("policies.yaml"), POLICY);
    Map<String, String> props = new HashMap<>();
    Map.of(
            "kafka.bootstrap.servers", kafka.bootstrapServers(),
            "schema-registry.url", registry.uri().toString(),
            "application.id", UniqueNames.unique("sampling"),
            "topic.assembled-traces", names.assembledTraces(),
            "topic.sampled-traces", names.sampledTraces(),
            "topic.decisions", names.decisions(),
            "topic.metrics", names.metrics(),
            "topic.dead-letter", deadLetter,
            "policy.file", policyFile.toString(),
            "state.dir", dir.resolve("state").toString())
        .forEach((k, v) -> props.put("spanline.sampling." + k, v));
    props.put("spanline.sampling.admin.bind.address", "127.0.0.1");
    props.put("spanline.sampling.admin.port", "0");
    props.put("spanline.sampling.num.stream.threads", "1");
    SamplingConfig config = SamplingConfigLoader.load(Map.of(), props);
    SpanlineTopics topics =
        new SpanlineTopics(
            names, new RestSchemaRegistryClient(registry.uri(), Duration.ofSeconds(10)));

    // Given half a minute of a skewed workload, and quiet's traces, three marked for debugging
    Instant t0 = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
    List<AssembledTrace> traces = new ArrayList<>();
    List<Instant> times = new ArrayList<>();
    Set<TraceId> rare = new HashSet<>();
    Set<TraceId> hotAfterWarmUp = new HashSet<>();
    Set<TraceId> debugMarked = new HashSet<>();
    Set<TraceId> quietUnmarked = new HashSet<>();
    for (int second = 0; second < SECONDS; second++) {
      for (int i = 0; i < 200; i++) {
        Instant at = t0.plusSeconds(second).plusMillis(i * 5L);
        AssembledTrace hot = TraceBuilder.trace().root("shop", "GET /search", 3).build();
        traces.add(hot);
        times.add(at);
        if (second >= 5) {
          hotAfterWarmUp.add(hot.traceId());
        }
        if (i % 40 == 0) {
          int endpoint = (second % 10) * 5 + i / 40;
          AssembledTrace r = TraceBuilder.trace().root("shop", "GET /rare/" + endpoint, 3).build();
          rare.add(r.traceId());
          traces.add(r);
          times.add(at);
        }
      }
      if (second % 10 == 0) {
        TraceBuilder marked =
            TraceBuilder.trace()
                .tenant("quiet")
                .root("frontend", "GET /account", 3)
                .child("accounts", "load", 1)
                .attr("spanline.debug", "1");
        AssembledTrace m = marked.build();
        AssembledTrace u =
            TraceBuilder.trace().tenant("quiet").root("frontend", "GET /", 3).build();
        debugMarked.add(m.traceId());
        quietUnmarked.add(u.traceId());
        traces.add(m);
        times.add(t0.plusSeconds(second));
        traces.add(u);
        times.add(t0.plusSeconds(second));
      }
    }
    try (KafkaProducer<TraceId, AssembledTrace> producer = producer(kafka, topics)) {
      for (int i = 0; i < traces.size(); i++) {
        AssembledTrace t = traces.get(i);
        ProducerRecord<TraceId, AssembledTrace> r =
            new ProducerRecord<>(
                names.assembledTraces(), null, times.get(i).toEpochMilli(), t.traceId(), t);
        r.headers().add(SpanlineHeaders.TENANT, t.tenant().getBytes(StandardCharsets.UTF_8));
        producer.send(r);
      }
      producer.flush();
    }
    // and the decisions of the same policy file evaluated in memory, in the same order
    SamplingPolicies oracle = PolicyFileParser.parse(POLICY);
    Set<TraceId> oracleKept = new HashSet<>();
    for (int i = 0; i < traces.size(); i++) {
      if (oracle.decide(traces.get(i), times.get(i).toEpochMilli() * 1_000_000L).kept()) {
        oracleKept.add(traces.get(i).traceId());
      }
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
          () -> decisions.size() == traces.size());
      long keptCount = decisions.values().stream().filter(SamplingDecision::kept).count();
      readUntil(
          kafka,
          names.sampledTraces(),
          topics.sampledTraces().valueSerde().deserializer(),
          sampled::add,
          () -> sampled.size() == keptCount);
    }

    Set<TraceId> kept = new HashSet<>();
    sampled.forEach(s -> kept.add(s.trace().traceId()));
    // Then the live run kept exactly what the in-memory evaluation keeps
    assertThat(kept).isEqualTo(oracleKept);
    // and every rare trace, with probability 1
    assertThat(kept).containsAll(rare);
    assertThat(rare).allSatisfy(id -> assertThat(decisions.get(id).adjustedCount()).isEqualTo(1));
    // and the hot endpoint near 10/s after its first 5 s: 25 s × 10 = 250 (binomial sd about 15)
    long hotKept = kept.stream().filter(hotAfterWarmUp::contains).count();
    assertThat(hotKept).isBetween(205L, 295L);
    // and adjusted counts that add up to about what the default tenant offered
    double adjusted =
        sampled.stream()
            .filter(s -> s.decision().tenant().equals("default"))
            .mapToDouble(s -> s.decision().adjustedCount())
            .sum();
    long offered = traces.stream().filter(t -> t.tenant().equals("default")).count();
    assertThat(adjusted).isBetween(offered * 0.85, offered * 1.15);
    // and quiet's policies keep nothing, but its debug-marked traces are kept, named "debug"
    assertThat(kept).containsAll(debugMarked).doesNotContainAnyElementsOf(quietUnmarked);
    assertThat(debugMarked)
        .allSatisfy(
            id -> {
              assertThat(decisions.get(id).policies()).containsExactly("debug");
              assertThat(decisions.get(id).adjustedCount()).isEqualTo(1);
            });
    System.out.printf(
        "adaptive IT: %d traces, %d kept (hot after warm-up %d of %d), adjusted sum %.0f of %d%n",
        traces.size(), kept.size(), hotKept, hotAfterWarmUp.size(), adjusted, offered);

    // When a dry run replays the same range with the same policy file
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit =
        ReplayCommand.run(
            config,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            "--policy",
            policyFile.toString(),
            "--from",
            t0.toString(),
            "--to",
            t0.plusSeconds(SECONDS + 1).toString(),
            "--dry-run",
            "--output",
            "json",
            "--progress",
            "none");
    assertThat(exit).as(out.toString(StandardCharsets.UTF_8)).isZero();
    JsonNode report = new ObjectMapper().readTree(out.toByteArray());
    // Then its report shows the rates the adaptive policy reached: the hot endpoint held to
    // about 10 of its 200 traces/s, the rare ones (0.1/s each) kept whole
    Map<String, JsonNode> byKey = new HashMap<>();
    report.path("adaptive").forEach(r -> byKey.put(r.path("key").toString(), r));
    JsonNode hotRate = byKey.get("[\"shop\",\"GET /search\"]");
    assertThat(hotRate).as(report.toPrettyString()).isNotNull();
    assertThat(hotRate.path("policy").asText()).isEqualTo("per-endpoint");
    assertThat(hotRate.path("observedTracesPerSecond").asDouble()).isBetween(150.0, 250.0);
    assertThat(hotRate.path("probability").asDouble()).isBetween(0.04, 0.07);
    JsonNode rareRate = byKey.get("[\"shop\",\"GET /rare/0\"]");
    assertThat(rareRate).as(report.toPrettyString()).isNotNull();
    assertThat(rareRate.path("probability").asDouble()).isEqualTo(1.0);
    // and it keeps what the live run kept, as the same evaluation in the same order
    assertThat(report.path("kept").path("new").path("traces").asLong())
        .isEqualTo(report.path("kept").path("current").path("traces").asLong());
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

  private static <V> void readUntil(
      LocalKafka kafka,
      String topic,
      Deserializer<V> values,
      java.util.function.Consumer<V> each,
      java.util.function.BooleanSupplier done) {
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
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
            new ByteArrayDeserializer())) {
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
}
