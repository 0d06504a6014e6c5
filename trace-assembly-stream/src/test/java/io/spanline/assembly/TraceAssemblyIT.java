package io.spanline.assembly;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.assembly.buffer.ClosureReason;
import io.spanline.assembly.config.AssemblyConfig;
import io.spanline.assembly.config.AssemblyConfigLoader;
import io.spanline.assembly.testing.AssembledReader;
import io.spanline.assembly.testing.TestTraces;
import io.spanline.assembly.testing.TraceWorkload;
import io.spanline.localinfra.Ports;
import io.spanline.localinfra.Probe;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.junit.ServiceProcess;
import io.spanline.localinfra.junit.UniqueNames;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.model.TraceShedding;
import io.spanline.schemas.registry.RestSchemaRegistryClient;
import io.spanline.schemas.topic.SpanlineHeaders;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The assembly stream against a real Kafka broker and schema registry. */
@ExtendWith(LocalInfraExtension.class)
class TraceAssemblyIT {
  private static final int PARTITIONS = 4;

  /** Unique topic names and application ID for one test. */
  private record Names(String input, String output, String deadLetter, String applicationId) {
    static Names unique(LocalKafka kafka) throws Exception {
      return unique(kafka, PARTITIONS);
    }

    static Names unique(LocalKafka kafka, int partitions) throws Exception {
      Names n =
          new Names(
              UniqueNames.unique("otlp-spans"),
              UniqueNames.unique("assembled"),
              UniqueNames.unique("assembly-dlq"),
              UniqueNames.unique("assembly"));
      kafka.createTopics(partitions, List.of(n.input, n.output));
      kafka.createTopics(1, List.of(n.deadLetter));
      return n;
    }
  }

  private static Map<String, String> settings(
      LocalKafka kafka, LocalSchemaRegistry registry, Names names, Duration idle, Path stateDir) {
    Map<String, String> s = new HashMap<>();
    s.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    s.put("schema-registry.url", registry.uri().toString());
    s.put("application.id", names.applicationId);
    s.put("topic.otlp-spans", names.input);
    s.put("topic.assembled-traces", names.output);
    s.put("topic.dead-letter", names.deadLetter);
    s.put("trace.idle.timeout.ms", String.valueOf(idle.toMillis()));
    s.put("trace.max.duration.ms", "300000");
    s.put("punctuation.interval.ms", "500");
    s.put("state.dir", stateDir.toString());
    s.put("admin.bind.address", "127.0.0.1");
    s.put("admin.port", "0");
    s.put("streams.session.timeout.ms", "6000");
    s.put("streams.heartbeat.interval.ms", "1000");
    return s;
  }

  private static AssemblyConfig config(Map<String, String> settings) {
    Map<String, String> props = new HashMap<>();
    settings.forEach((k, v) -> props.put("spanline.assembly." + k, v));
    return AssemblyConfigLoader.load(Map.of(), props);
  }

  private static KafkaProducer<byte[], byte[]> producer(LocalKafka kafka) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            kafka.bootstrapServers(),
            ProducerConfig.ACKS_CONFIG,
            "all",
            ProducerConfig.LINGER_MS_CONFIG,
            5,
            ProducerConfig.BATCH_SIZE_CONFIG,
            262144,
            ProducerConfig.COMPRESSION_TYPE_CONFIG,
            "lz4"),
        new ByteArraySerializer(),
        new ByteArraySerializer());
  }

  private static Path stateDir(String name) throws Exception {
    return Files.createDirectories(
        Path.of("target", "local-infra", "assembly-state", UniqueNames.unique(name)));
  }

  /** Every sent trace arrived exactly once, as fragment 0, with exactly the spans sent. */
  private static void assertEachTraceOnceAndWhole(
      TraceWorkload workload, AssembledReader reader, TraceAssemblyApp app) {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<TraceId, List<AssembledTrace>> e : reader.byTrace().entrySet()) {
      long[] sent = workload.spanIds(e.getKey());
      List<AssembledTrace> got = e.getValue();
      if (sent == null) {
        problems.add(e.getKey() + " was never sent");
      } else if (got.size() != 1 || got.get(0).fragment() != 0) {
        problems.add(
            e.getKey()
                + " arrived as fragments "
                + got.stream().map(AssembledTrace::fragment).toList());
      } else if (!TraceWorkload.sorted(sent)
          .equals(TraceWorkload.sorted(AssembledReader.spanIds(got.get(0))))) {
        problems.add(e.getKey() + " has " + got.get(0).spans().size() + " spans of " + sent.length);
      }
    }
    assertThat(problems)
        .as(
            "traces not emitted exactly once and whole (closures here by reason: %s)",
            closures(app))
        .isEmpty();
    assertThat(reader.traces()).isEqualTo(workload.traceCount());
    assertThat(reader.records()).isEqualTo(workload.traceCount());
  }

  @Test
  void tenThousandTracesInRandomOrder_eachEmittedOnceAsFragmentZero_withAllItsSpans(
      LocalKafka kafka, LocalSchemaRegistry registry) throws Exception {
    Names names = Names.unique(kafka);
    AssemblyConfig config =
        config(settings(kafka, registry, names, Duration.ofSeconds(5), stateDir("clean")));
    TraceWorkload workload = new TraceWorkload(7, 200);
    try (TraceAssemblyApp app = TraceAssemblyApp.start(config);
        KafkaProducer<byte[], byte[]> producer = producer(kafka);
        AssembledReader reader =
            new AssembledReader(
                kafka.bootstrapServers(),
                names.output,
                new RestSchemaRegistryClient(registry.uri(), Duration.ofSeconds(10)))) {
      // Given 10 000 traces of 1-200 spans, cut into records and shuffled batch by batch
      for (int batch = 0; batch < 20; batch++) {
        workload.sendBatch(producer, names.input, "acme", 500);
      }

      // When the stream has closed them all
      assertThat(reader.readUntil(r -> r.traces() >= 10_000, Duration.ofMinutes(4))).isTrue();
      awaitNothingOpen(app);
      reader.readToEnd(Duration.ofSeconds(30));

      // Then each came exactly once, whole
      assertThat(workload.traceCount()).isEqualTo(10_000);
      assertEachTraceOnceAndWhole(workload, reader, app);
      assertThat(reader.byTrace().values().iterator().next().get(0).tenant()).isEqualTo("acme");
      assertThat(app.metrics().closedCount(ClosureReason.IDLE)).isEqualTo(10_000);
    }
  }

  @Test
  void instanceKilledMidRun_anotherTakesOver_nothingLostOrDuplicated(
      LocalKafka kafka, LocalSchemaRegistry registry) throws Exception {
    Names names = Names.unique(kafka);
    int adminPort = Ports.freePort();
    Map<String, String> first =
        settings(kafka, registry, names, Duration.ofSeconds(30), stateDir("killed"));
    first.put("admin.port", String.valueOf(adminPort));
    first.put("num.stream.threads", "1");
    TraceWorkload workload = new TraceWorkload(11, 200);
    Path log = Path.of("target", "local-infra", UniqueNames.unique("killed-assembly") + ".log");
    Process killed =
        ServiceProcess.start(TraceAssemblyMain.class, "spanline.assembly.", first, log);
    try (KafkaProducer<byte[], byte[]> producer = producer(kafka);
        Admin admin = kafka.admin();
        AssembledReader reader =
            new AssembledReader(
                kafka.bootstrapServers(),
                names.output,
                new RestSchemaRegistryClient(registry.uri(), Duration.ofSeconds(10)))) {
      ServiceProcess.awaitReady(adminPort, killed, log);
      // Given a first instance that has buffered (and committed) part of the traces
      workload.sendBatch(producer, names.input, "acme", 500);
      workload.sendBatch(producer, names.input, "acme", 500);
      awaitCommittedInput(admin, names, 1_000, killed);

      // When it is killed without a clean shutdown, and another instance starts
      killed.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      assertThat(killed.isAlive()).isFalse();
      Map<String, String> second =
          settings(kafka, registry, names, Duration.ofSeconds(30), stateDir("successor"));
      try (TraceAssemblyApp successor = TraceAssemblyApp.start(config(second))) {
        workload.sendBatch(producer, names.input, "acme", 500);
        workload.sendBatch(producer, names.input, "acme", 500);

        // Then every trace arrives exactly once, whole
        assertThat(
                reader.readUntil(r -> r.traces() >= workload.traceCount(), Duration.ofMinutes(4)))
            .as("all %d traces emitted", workload.traceCount())
            .isTrue();
        awaitNothingOpen(successor);
        reader.readToEnd(Duration.ofSeconds(30));
        assertEachTraceOnceAndWhole(workload, reader, successor);
        assertThat(successor.state()).isEqualTo(KafkaStreams.State.RUNNING);
      }
    } finally {
      killed.destroyForcibly();
    }
  }

  private static final String TENANT = "acme";

  /** A trace ID the shared rule sheds from level 1 on (the driver test's). */
  private static final TraceId SHED_ID = new TraceId(7, Long.MAX_VALUE - 1);

  /**
   * Shedding from half of 4 open traces, idle after 20 s (longer than a restart takes); with one
   * input partition the one task's share is the whole bound.
   */
  private static Map<String, String> sheddingSettings(
      LocalKafka kafka, LocalSchemaRegistry registry, Names names, Path stateDir) {
    Map<String, String> s = settings(kafka, registry, names, Duration.ofSeconds(20), stateDir);
    s.put("trace.max.open", "4");
    s.put("shed.enabled", "true");
    s.put("shed.open-fraction", "0.5");
    s.put("num.stream.threads", "1");
    return s;
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, String topic, List<Span> spans)
      throws Exception {
    RecordHeaders headers = new RecordHeaders();
    headers.add(SpanlineHeaders.TENANT, TENANT.getBytes(StandardCharsets.UTF_8));
    producer
        .send(
            new ProducerRecord<>(
                topic,
                null,
                spans.get(0).traceId().toHex().getBytes(StandardCharsets.US_ASCII),
                TestTraces.otlp(spans),
                headers))
        .get(30, TimeUnit.SECONDS);
  }

  /** What the shed-across-a-restart tests send, before and after the restart. */
  private static final class ShedScenario {
    final TestTraces traces = new TestTraces(31);
    final List<List<Span>> kept = new ArrayList<>();
    final List<Span> shed;

    ShedScenario() {
      assertThat(TraceShedding.keeps(SHED_ID, 1)).isFalse();
      for (int i = 0; i < 3; i++) {
        kept.add(traces.trace(2));
      }
      List<Span> s = new ArrayList<>(traces.trace(SHED_ID, 4));
      s.set(3, TestTraces.failed(s.get(3)));
      shed = s;
    }

    /** Three traces opened (fill 0.75: level 2), then the first record of a trace level 1 sheds. */
    void sendBeforeRestart(KafkaProducer<byte[], byte[]> producer, String topic) throws Exception {
      for (List<Span> k : kept) {
        send(producer, topic, k.subList(0, 1));
      }
      send(producer, topic, shed.subList(0, 2));
    }

    /**
     * The later spans, written while no instance runs: the shed trace's (one an error span, which
     * would make it exempt as a new trace), then each kept trace's second span.
     */
    void sendLate(KafkaProducer<byte[], byte[]> producer, String topic) throws Exception {
      send(producer, topic, shed.subList(2, 4));
      for (List<Span> k : kept) {
        send(producer, topic, k.subList(1, 2));
      }
    }

    /**
     * The successor assembles each kept trace once, whole, as fragment 0, and nothing of the shed
     * trace: its late record is shed and counted, its error span counted as lost.
     */
    void assertAfterRestart(TraceAssemblyApp successor, AssembledReader reader) {
      assertThat(reader.readUntil(r -> r.traces() >= kept.size(), Duration.ofMinutes(2)))
          .as("the %d kept traces emitted", kept.size())
          .isTrue();
      awaitNothingOpen(successor);
      reader.readToEnd(Duration.ofSeconds(30));
      Map<TraceId, List<AssembledTrace>> out = reader.byTrace();
      assertThat(out).doesNotContainKey(SHED_ID);
      assertThat(out).hasSize(kept.size());
      for (List<Span> k : kept) {
        List<AssembledTrace> got = out.get(k.get(0).traceId());
        assertThat(got).as("trace %s", k.get(0).traceId()).hasSize(1);
        assertThat(got.get(0).fragment()).isZero();
        assertThat(TraceWorkload.sorted(AssembledReader.spanIds(got.get(0))))
            .isEqualTo(
                TraceWorkload.sorted(k.stream().mapToLong(sp -> sp.spanId().value()).toArray()));
      }
      assertThat(successor.metrics().spansShed(TENANT)).isEqualTo(2);
      assertThat(successor.metrics().tracesShed(TENANT)).isZero();
      assertThat(successor.metrics().shedLateErrorCount(TENANT)).isEqualTo(1);
      assertThat(successor.metrics().lateFragmentCount()).isZero();
      assertThat(scrape(successor.adminPort()))
          .containsPattern(
              "(?m)^spanline_assembly_shed_late_errors_total\\{[^}]*tenant=\"acme\"[^}]*\\} 1\\.0$")
          .containsPattern(
              "(?m)^spanline_assembly_spans_shed_total\\{[^}]*tenant=\"acme\"[^}]*\\} 2\\.0$");
    }
  }

  @Test
  void restartedCleanly_aShedTracesLaterSpansAreStillShed_keptTracesAssembledWhole(
      LocalKafka kafka, LocalSchemaRegistry registry) throws Exception {
    Names names = Names.unique(kafka, 1);
    Path stateDir = stateDir("shed-restart");
    ShedScenario scenario = new ShedScenario();
    try (KafkaProducer<byte[], byte[]> producer = producer(kafka);
        AssembledReader reader =
            new AssembledReader(
                kafka.bootstrapServers(),
                names.output,
                new RestSchemaRegistryClient(registry.uri(), Duration.ofSeconds(10)))) {
      // Given an instance over half its 4 open traces that shed a new trace
      try (TraceAssemblyApp first =
          TraceAssemblyApp.start(config(sheddingSettings(kafka, registry, names, stateDir)))) {
        scenario.sendBeforeRestart(producer, names.input);
        Probe.until(
            "the first instance shedding the trace",
            Duration.ofSeconds(60),
            Duration.ofMillis(100),
            () -> first.metrics().tracesShed(TENANT) == 1 && first.metrics().openTraces() == 3);
        assertThat(first.metrics().spansShed(TENANT)).isEqualTo(2);
        // When it is closed cleanly, the later spans are written meanwhile, and it starts again
      }
      scenario.sendLate(producer, names.input);
      try (TraceAssemblyApp successor =
          TraceAssemblyApp.start(config(sheddingSettings(kafka, registry, names, stateDir)))) {
        // Then the shed trace's later spans are shed, not assembled as a trace or fragment
        scenario.assertAfterRestart(successor, reader);
      }
    }
  }

  @Test
  void killedWithoutCleanShutdown_successorOnNewStateShedsTheShedTracesLaterSpans(
      LocalKafka kafka, LocalSchemaRegistry registry) throws Exception {
    Names names = Names.unique(kafka, 1);
    int adminPort = Ports.freePort();
    Map<String, String> first = sheddingSettings(kafka, registry, names, stateDir("shed-killed"));
    first.put("admin.port", String.valueOf(adminPort));
    ShedScenario scenario = new ShedScenario();
    Path log = Path.of("target", "local-infra", UniqueNames.unique("shed-killed") + ".log");
    Process killed =
        ServiceProcess.start(TraceAssemblyMain.class, "spanline.assembly.", first, log);
    try (KafkaProducer<byte[], byte[]> producer = producer(kafka);
        Admin admin = kafka.admin();
        AssembledReader reader =
            new AssembledReader(
                kafka.bootstrapServers(),
                names.output,
                new RestSchemaRegistryClient(registry.uri(), Duration.ofSeconds(10)))) {
      ServiceProcess.awaitReady(adminPort, killed, log);
      // Given an instance that shed a new trace and committed its input (changelog flushed)
      scenario.sendBeforeRestart(producer, names.input);
      awaitCommittedInput(admin, names, 4, killed);

      // When it is killed, the later spans are written meanwhile, and another instance starts on
      // an empty state directory (its state restored from the changelog)
      killed.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      assertThat(killed.isAlive()).isFalse();
      scenario.sendLate(producer, names.input);
      try (TraceAssemblyApp successor =
          TraceAssemblyApp.start(
              config(sheddingSettings(kafka, registry, names, stateDir("shed-successor"))))) {
        // Then the shed trace's later spans are shed, not assembled as a trace or fragment
        scenario.assertAfterRestart(successor, reader);
      }
    } finally {
      killed.destroyForcibly();
    }
  }

  /** The instance's admin {@code /metrics} (Prometheus text). */
  private static String scrape(int adminPort) {
    try {
      return HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .build()
          .send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics"))
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (Exception e) {
      throw new IllegalStateException("scraping /metrics on port " + adminPort, e);
    }
  }

  /** How many traces the instance closed for each reason: what a failure message needs. */
  private static Map<ClosureReason, Long> closures(TraceAssemblyApp app) {
    Map<ClosureReason, Long> counts = new EnumMap<>(ClosureReason.class);
    for (ClosureReason reason : ClosureReason.values()) {
      counts.put(reason, (long) app.metrics().closedCount(reason));
    }
    return counts;
  }

  private static void awaitNothingOpen(TraceAssemblyApp app) {
    Probe.until(
        "every trace closed (" + app.metrics().openTraces() + " open)",
        Duration.ofMinutes(2),
        Duration.ofMillis(100),
        () -> app.metrics().openTraces() == 0);
  }

  /** Waits until the application committed at least {@code records} input offsets. */
  private static void awaitCommittedInput(Admin admin, Names names, long records, Process process) {
    Probe.until(
        "first instance committing " + records + " input records",
        Duration.ofSeconds(120),
        Duration.ofMillis(100),
        () -> {
          if (!process.isAlive()) {
            throw new Probe.GiveUp("first instance exited");
          }
          Map<TopicPartition, OffsetAndMetadata> offsets =
              admin
                  .listConsumerGroupOffsets(names.applicationId)
                  .partitionsToOffsetAndMetadata()
                  .get();
          return offsets.entrySet().stream()
                  .filter(e -> e.getKey().topic().equals(names.input) && e.getValue() != null)
                  .mapToLong(e -> e.getValue().offset())
                  .sum()
              >= records;
        });
  }
}
