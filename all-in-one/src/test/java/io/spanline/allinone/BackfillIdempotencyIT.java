package io.spanline.allinone;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.assembly.TraceAssemblyApp;
import io.spanline.assembly.config.AssemblyConfigLoader;
import io.spanline.gateway.GatewayBackfill;
import io.spanline.localinfra.Probe;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.junit.UniqueNames;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.schemas.codec.otlp.OtlpJsonCodec;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.InstrumentationScope;
import io.spanline.schemas.model.Resource;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanId;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.registry.RestSchemaRegistryClient;
import io.spanline.schemas.topic.SpanlineTopics;
import io.spanline.schemas.topic.TopicNames;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backfilling the same file twice changes nothing downstream: the gateway's core writes the spans
 * to {@code otlp_spans} again, and the assembly stream, which remembers the span IDs it emitted for
 * each closed trace for {@code trace.closed.ttl.ms}, counts them as duplicates and emits nothing.
 */
@ExtendWith(LocalInfraExtension.class)
class BackfillIdempotencyIT {
  private static final int TRACES = 20;
  private static final int SPANS_PER_TRACE = 3;

  @TempDir Path dir;

  @Test
  void backfillingTheSameFileTwice_leavesTheAssembledTracesAsTheyWere(
      LocalKafka kafka, LocalSchemaRegistry registry) throws Exception {
    // Given the assembly stream on its own topics, and a JSON file of 20 traces from yesterday
    String input = UniqueNames.unique("otlp-spans");
    String assembled = UniqueNames.unique("assembled");
    String deadLetter = UniqueNames.unique("assembly-dlq");
    kafka.createTopics(3, List.of(input, assembled));
    kafka.createTopics(1, List.of(deadLetter));
    Map<String, String> props = new HashMap<>();
    Map<String, String> s = new HashMap<>();
    s.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    s.put("schema-registry.url", registry.uri().toString());
    s.put("application.id", UniqueNames.unique("assembly"));
    s.put("topic.otlp-spans", input);
    s.put("topic.assembled-traces", assembled);
    s.put("topic.dead-letter", deadLetter);
    s.put("trace.idle.timeout.ms", "2000");
    s.put("punctuation.interval.ms", "500");
    s.put("state.dir", dir.resolve("state").toString());
    s.put("admin.bind.address", "127.0.0.1");
    s.put("admin.port", "0");
    s.forEach((k, v) -> props.put("spanline.assembly." + k, v));
    Path file = dir.resolve("traces.json");
    Files.writeString(file, jsonLines(), StandardCharsets.UTF_8);
    SpanlineTopics topics =
        new SpanlineTopics(
            new TopicNames(
                input, assembled, "unused-sampled", "unused-decisions", "unused-metrics"),
            new RestSchemaRegistryClient(registry.uri(), Duration.ofSeconds(10)));

    try (TraceAssemblyApp app =
        TraceAssemblyApp.start(AssemblyConfigLoader.load(Map.of(), props))) {
      // When the file is backfilled and every trace has closed
      assertThat(backfill(kafka, input, file)).isZero();
      Probe.until(
          "20 traces assembled",
          Duration.ofMinutes(2),
          Duration.ofMillis(200),
          () -> readAll(kafka, assembled, topics).size() >= TRACES);
      awaitNothingOpen(app);
      Map<String, List<String>> first = summary(readAll(kafka, assembled, topics));

      // And the same file is backfilled again
      assertThat(backfill(kafka, input, file)).isZero();
      Probe.until(
          "the second backfill's spans counted as duplicates ("
              + app.metrics().duplicateCount()
              + ")",
          Duration.ofMinutes(2),
          Duration.ofMillis(200),
          () -> app.metrics().duplicateCount() == TRACES * SPANS_PER_TRACE);
      awaitNothingOpen(app);

      // Then the assembled topic holds the same traces, each once, as fragment 0, whole
      List<AssembledTrace> after = readAll(kafka, assembled, topics);
      assertThat(after).hasSize(TRACES);
      assertThat(summary(after)).isEqualTo(first);
      assertThat(after).allMatch(t -> t.fragment() == 0 && t.spans().size() == SPANS_PER_TRACE);
    }
  }

  private static int backfill(LocalKafka kafka, String topic, Path file) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit =
        GatewayBackfill.run(
            "spanline backfill",
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            file.toString(),
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--topic",
            topic,
            "--tenant",
            "acme",
            "--progress",
            "none");
    System.out.print(out.toString(StandardCharsets.UTF_8));
    return exit;
  }

  /** One request a line, two traces a request, spans that started a day ago. */
  private static String jsonLines() {
    Resource resource = new Resource(List.of(Attribute.of("service.name", "shop")), 0, "");
    InstrumentationScope scope = new InstrumentationScope("backfill-test", "1", List.of(), 0, "");
    long start = Instant.now().minus(Duration.ofDays(1)).toEpochMilli() * 1_000_000L;
    StringBuilder lines = new StringBuilder();
    List<Span> request = new ArrayList<>();
    for (int t = 0; t < TRACES; t++) {
      TraceId trace = new TraceId(0x5eed_0000L + t, 0x1234_5678L + t);
      SpanId root = new SpanId(0x1000L + t * 10L);
      for (int i = 0; i < SPANS_PER_TRACE; i++) {
        Span.Builder b =
            Span.builder(trace, i == 0 ? root : new SpanId(0x1000L + t * 10L + i))
                .name(i == 0 ? "GET /cart" : "call " + i)
                .time(start + t * 1_000_000_000L + i, start + t * 1_000_000_000L + 5_000_000L)
                .resource(resource)
                .scope(scope);
        if (i > 0) {
          b.parentSpanId(root);
        }
        request.add(b.build());
      }
      if (t % 2 == 1) {
        lines.append(new String(OtlpJsonCodec.encode(request), StandardCharsets.UTF_8));
        lines.append('\n');
        request.clear();
      }
    }
    return lines.toString();
  }

  /** Trace ID to its fragments' sorted span IDs, per record. */
  private static Map<String, List<String>> summary(List<AssembledTrace> traces) {
    Map<String, List<String>> m = new TreeMap<>();
    for (AssembledTrace t : traces) {
      m.put(
          t.tenant() + "/" + t.traceId() + "/" + t.fragment(),
          t.spans().stream().map(x -> x.spanId().toHex()).sorted().collect(Collectors.toList()));
    }
    return m;
  }

  private static void awaitNothingOpen(TraceAssemblyApp app) {
    Probe.until(
        "every trace closed (" + app.metrics().openTraces() + " open)",
        Duration.ofMinutes(2),
        Duration.ofMillis(100),
        () -> app.metrics().openTraces() == 0);
  }

  private static List<AssembledTrace> readAll(
      LocalKafka kafka, String topic, SpanlineTopics topics) {
    Deserializer<AssembledTrace> values = topics.assembledTraces().valueSerde().deserializer();
    List<AssembledTrace> out = new ArrayList<>();
    LocalKafka.readToEnd(
        kafka.bootstrapServers(), topic, r -> out.add(values.deserialize(topic, r.value())));
    return out;
  }
}
