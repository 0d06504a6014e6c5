package io.spanline.allinone;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.allinone.testing.OtlpHttp;
import io.spanline.allinone.testing.SearchableWatch;
import io.spanline.assembly.TraceAssemblyApp;
import io.spanline.assembly.config.AssemblyConfigLoader;
import io.spanline.gateway.Gateway;
import io.spanline.gateway.config.GatewayConfigLoader;
import io.spanline.index.IndexSinkApp;
import io.spanline.index.config.IndexSinkConfigLoader;
import io.spanline.localinfra.Probe;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.junit.UniqueNames;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.opensearch.LocalOpenSearch;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.sampling.SamplingApp;
import io.spanline.sampling.config.SamplingConfigLoader;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.DecisionOutcome;
import io.spanline.schemas.model.InstrumentationScope;
import io.spanline.schemas.model.Resource;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanId;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.registry.RestSchemaRegistryClient;
import io.spanline.schemas.topic.SpanlineTopics;
import io.spanline.schemas.topic.TopicNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Noisy-neighbour isolation through the gateway, the assembly stream and the sampling stream on a
 * real Kafka broker, with one tenant-limits file: a tenant sending 20 times its ingest rate gets
 * its excess refused with 429 and counted per tenant, and its open traces bounded in the assembly,
 * while a steady tenant's traces, each sent span by span in separate requests, are all accepted,
 * assembled whole, kept by the sampling policy and searchable in OpenSearch (through the index
 * sink) within its normal bound: the assembly's idle timeout plus 5 s after its last span was sent.
 */
@ExtendWith(LocalInfraExtension.class)
class NoisyNeighbourIT {
  private static final int NOISY_LIMIT = 100; // spans per second
  private static final int QUIET_TRACES = 15;
  private static final int QUIET_SPANS = 4;
  private static final Duration STEP = Duration.ofMillis(100);
  private static final int STEPS = QUIET_TRACES * QUIET_SPANS; // 6 s
  private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(2);

  /** A quiet trace's bound from its last span sent to searchable: the idle timeout plus 5 s. */
  private static final Duration SEARCHABLE_BOUND = IDLE_TIMEOUT.plusSeconds(5);

  @TempDir Path dir;

  private final Random random = new Random(25);

  @Test
  void aTenantAt20TimesItsRate_isRefusedAndCounted_whileASteadyTenantsTracesAreAllKeptWhole(
      LocalKafka kafka, LocalSchemaRegistry registry, LocalOpenSearch openSearch) throws Exception {
    // Given the three stages on topics of their own and one tenant-limits file
    String otlp = UniqueNames.unique("otlp-spans");
    String assembled = UniqueNames.unique("assembled");
    String sampled = UniqueNames.unique("sampled");
    String decisions = UniqueNames.unique("decisions");
    String metricsTopic = UniqueNames.unique("metrics");
    String assemblyDlq = UniqueNames.unique("assembly-dlq");
    String samplingDlq = UniqueNames.unique("sampling-dlq");
    String indexDlq = UniqueNames.unique("index-dlq");
    String indexPrefix = UniqueNames.unique("noisy");
    kafka.createTopics(3, List.of(otlp, assembled, sampled, decisions));
    kafka.createTopics(1, List.of(metricsTopic, assemblyDlq, samplingDlq, indexDlq));
    Path limits = dir.resolve("tenant-limits.yaml");
    Files.writeString(
        limits,
        "defaults:\n"
            + "  ingest-spans-per-second: 5000\n"
            + "overrides:\n"
            + "  noisy:\n"
            + "    ingest-spans-per-second: "
            + NOISY_LIMIT
            + "\n"
            + "    max-open-traces: 5\n");
    Path policies = dir.resolve("policies.yaml");
    Files.writeString(policies, "policies:\n  - name: all\n    type: always_sample\n");

    Map<String, String> props = new HashMap<>();
    Map<String, String> g = new HashMap<>();
    g.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    g.put("topic.otlp-spans", otlp);
    g.put("bind.address", "127.0.0.1");
    g.put("admin.bind.address", "127.0.0.1");
    g.put("otlp.grpc.port", "0");
    g.put("otlp.http.port", "0");
    g.put("admin.port", "0");
    g.put("tenant-limits.file", limits.toString());
    g.put("tenant-limits.members.group", UniqueNames.unique("gateway-members"));
    g.forEach((k, v) -> props.put("spanline.gateway." + k, v));
    Map<String, String> a = new HashMap<>();
    a.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    a.put("schema-registry.url", registry.uri().toString());
    a.put("application.id", UniqueNames.unique("assembly"));
    a.put("topic.otlp-spans", otlp);
    a.put("topic.assembled-traces", assembled);
    a.put("topic.dead-letter", assemblyDlq);
    a.put("trace.idle.timeout.ms", Long.toString(IDLE_TIMEOUT.toMillis()));
    a.put("punctuation.interval.ms", "500");
    a.put("state.dir", dir.resolve("assembly").toString());
    a.put("admin.bind.address", "127.0.0.1");
    a.put("admin.port", "0");
    a.put("tenant-limits.file", limits.toString());
    a.forEach((k, v) -> props.put("spanline.assembly." + k, v));
    Map<String, String> s = new HashMap<>();
    s.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    s.put("schema-registry.url", registry.uri().toString());
    s.put("application.id", UniqueNames.unique("sampling"));
    s.put("topic.assembled-traces", assembled);
    s.put("topic.sampled-traces", sampled);
    s.put("topic.decisions", decisions);
    s.put("topic.metrics", metricsTopic);
    s.put("topic.dead-letter", samplingDlq);
    s.put("policy.file", policies.toString());
    s.put("state.dir", dir.resolve("sampling").toString());
    s.put("admin.bind.address", "127.0.0.1");
    s.put("admin.port", "0");
    s.forEach((k, v) -> props.put("spanline.sampling." + k, v));
    Map<String, String> i = new HashMap<>();
    i.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    i.put("schema-registry.url", registry.uri().toString());
    i.put("topic.sampled-traces", sampled);
    i.put("topic.dead-letter", indexDlq);
    i.put("group.id", UniqueNames.unique("index-sink"));
    i.put("opensearch.hosts", openSearch.uri().toString());
    i.put("index.prefix", indexPrefix);
    i.put("index.replicas", "0");
    i.put("index.refresh-interval", "1s");
    i.put("admin.bind.address", "127.0.0.1");
    i.put("admin.port", "0");
    i.forEach((k, v) -> props.put("spanline.index." + k, v));
    SpanlineTopics topics =
        new SpanlineTopics(
            new TopicNames(otlp, assembled, sampled, decisions, metricsTopic),
            new RestSchemaRegistryClient(registry.uri(), Duration.ofSeconds(10)));

    try (TraceAssemblyApp assembly =
            TraceAssemblyApp.start(AssemblyConfigLoader.load(Map.of(), props));
        SamplingApp sampling = SamplingApp.start(SamplingConfigLoader.load(Map.of(), props));
        IndexSinkApp index = IndexSinkApp.start(IndexSinkConfigLoader.load(Map.of(), props));
        Gateway gateway = Gateway.start(GatewayConfigLoader.load(Map.of(), props));
        SearchableWatch watch =
            SearchableWatch.start(openSearch.uri() + "/" + indexPrefix + "-traces-*", "quiet")) {
      String endpoint = "http://127.0.0.1:" + gateway.httpPort() + "/v1/traces";
      // a first quiet trace creates the day's indices (seconds, once a day in production): the
      // bound below is the steady state's
      List<Span> warmUp = trace(QUIET_SPANS);
      assertThat(OtlpHttp.post(endpoint, "quiet", warmUp)).isEqualTo(200);
      Probe.until(
          "the warm-up trace searchable",
          Duration.ofMinutes(2),
          Duration.ofMillis(200),
          () -> watch.seen().containsKey(warmUp.get(0).traceId().toHex()));

      // When, for 6 s, noisy sends 2 000 spans/s (20 x its limit) in requests of 10 traces of 10
      // spans, while quiet sends 15 traces span by span, one request every 100 ms
      List<List<Span>> quiet = new ArrayList<>();
      for (int t = 0; t < QUIET_TRACES; t++) {
        quiet.add(trace(QUIET_SPANS));
      }
      List<Integer> quietAnswers = new ArrayList<>();
      Map<Integer, Integer> noisyAnswers = new HashMap<>();
      Map<String, Long> lastSpanSent = new HashMap<>();
      int noisySpansAccepted = 0;
      long started = System.nanoTime();
      for (int step = 0; step < STEPS; step++) {
        long stepEnd = started + STEP.toNanos() * (step + 1);
        List<Span> quietSpan = List.of(quiet.get(step / QUIET_SPANS).get(step % QUIET_SPANS));
        quietAnswers.add(OtlpHttp.post(endpoint, "quiet", quietSpan));
        if (step % QUIET_SPANS == QUIET_SPANS - 1) {
          lastSpanSent.put(quietSpan.get(0).traceId().toHex(), System.nanoTime());
        }
        for (int r = 0; r < 2; r++) {
          List<Span> batch = new ArrayList<>();
          for (int t = 0; t < 10; t++) {
            batch.addAll(trace(10));
          }
          int status = OtlpHttp.post(endpoint, "noisy", batch);
          noisyAnswers.merge(status, 1, Integer::sum);
          if (status == 200) {
            noisySpansAccepted += batch.size();
          }
        }
        long wait = stepEnd - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000)); // pacing the load, not a wait
        }
      }
      double seconds = (System.nanoTime() - started) / 1e9;

      // Then every quiet request was accepted; noisy's excess was refused with 429
      assertThat(quietAnswers).containsOnly(200);
      assertThat(noisyAnswers.keySet()).containsExactlyInAnyOrder(200, 429);
      assertThat(noisySpansAccepted)
          .as("noisy's accepted spans over %.1f s", seconds)
          .isLessThanOrEqualTo((int) (NOISY_LIMIT * (seconds + 1)) + 100);
      String gatewayMetrics = OtlpHttp.get("http://127.0.0.1:" + gateway.adminPort() + "/metrics");
      assertThat(gatewayMetrics)
          .contains(
              "spanline_gateway_spans_refused_total{reason=\"rate_limited\",tenant=\"noisy\"}")
          .doesNotContain(
              "spanline_gateway_spans_refused_total{reason=\"rate_limited\",tenant=\"quiet\"}")
          .contains(
              "spanline_gateway_spans_accepted_total{tenant=\"quiet\"} "
                  + (double) ((QUIET_TRACES + 1) * QUIET_SPANS));

      // and every quiet trace was assembled whole, once, and kept by the policy
      Probe.until(
          "the quiet traces sampled",
          Duration.ofMinutes(2),
          Duration.ofMillis(500),
          () -> quietTraces(kafka, sampled, topics).size() >= QUIET_TRACES + 1);
      List<SampledTrace> kept = quietTraces(kafka, sampled, topics);
      assertThat(kept.removeIf(t -> t.trace().traceId().equals(warmUp.get(0).traceId()))).isTrue();
      assertThat(kept).hasSize(QUIET_TRACES);
      assertThat(kept).allSatisfy(t -> assertThat(t.trace().fragment()).isZero());
      assertThat(kept)
          .allSatisfy(t -> assertThat(t.trace().spans()).hasSize(QUIET_SPANS))
          .allSatisfy(t -> assertThat(t.decision().outcome()).isEqualTo(DecisionOutcome.KEEP));
      assertThat(kept.stream().map(t -> t.trace().traceId()).collect(Collectors.toSet()))
          .isEqualTo(quiet.stream().map(t -> t.get(0).traceId()).collect(Collectors.toSet()));
      // noisy's open traces were bounded in the assembly, quiet's never closed early
      String assemblyMetrics =
          OtlpHttp.get("http://127.0.0.1:" + assembly.adminPort() + "/metrics");
      assertThat(assemblyMetrics).doesNotContain("tenant_limit_closes_total{tenant=\"quiet\"}");
      // and every quiet trace was searchable within its normal bound of its last span
      Probe.until(
          "the quiet traces searchable",
          Duration.ofMinutes(2),
          Duration.ofMillis(200),
          () -> watch.seen().keySet().containsAll(lastSpanSent.keySet()));
      List<Long> latenciesMs = new ArrayList<>();
      lastSpanSent.forEach(
          (trace, sent) -> latenciesMs.add((watch.seen().get(trace) - sent) / 1_000_000));
      latenciesMs.sort(null);
      assertThat(latenciesMs).hasSize(QUIET_TRACES);
      assertThat(latenciesMs.get(latenciesMs.size() - 1))
          .as("quiet's slowest trace, ms from last span sent to searchable (all: %s)", latenciesMs)
          .isLessThanOrEqualTo(SEARCHABLE_BOUND.toMillis());
      System.out.printf(
          "noisy-neighbour: %.1f s; noisy answers %s, %d spans accepted (%.0f/s, limit %d/s);"
              + " quiet %d requests all 200, %d traces kept whole, searchable after %s ms%n",
          seconds,
          noisyAnswers,
          noisySpansAccepted,
          noisySpansAccepted / seconds,
          NOISY_LIMIT,
          quietAnswers.size(),
          kept.size(),
          latenciesMs);
    }
  }

  private List<Span> trace(int spans) {
    TraceId trace = new TraceId(random.nextLong() | 1, random.nextLong() | 1);
    SpanId root = new SpanId(random.nextLong() | 1);
    Resource resource = new Resource(List.of(Attribute.of("service.name", "shop")), 0, "");
    InstrumentationScope scope = new InstrumentationScope("noisy-neighbour", "1", List.of(), 0, "");
    long start = System.currentTimeMillis() * 1_000_000L;
    List<Span> out = new ArrayList<>();
    for (int i = 0; i < spans; i++) {
      Span.Builder b =
          Span.builder(trace, i == 0 ? root : new SpanId(random.nextLong() | 1))
              .name(i == 0 ? "GET /cart" : "call " + i)
              .time(start + i, start + 5_000_000L)
              .resource(resource)
              .scope(scope);
      if (i > 0) {
        b.parentSpanId(root);
      }
      out.add(b.build());
    }
    return out;
  }

  private static List<SampledTrace> quietTraces(
      LocalKafka kafka, String topic, SpanlineTopics topics) {
    Deserializer<SampledTrace> values = topics.sampledTraces().valueSerde().deserializer();
    List<SampledTrace> out = new ArrayList<>();
    LocalKafka.readToEnd(
        kafka.bootstrapServers(),
        topic,
        r -> {
          SampledTrace t = values.deserialize(topic, r.value());
          if (t.trace().tenant().equals("quiet")) {
            out.add(t);
          }
        });
    return out;
  }
}
