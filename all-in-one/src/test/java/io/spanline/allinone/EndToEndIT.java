package io.spanline.allinone;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.spanline.allinone.demo.DemoSettings;
import io.spanline.allinone.demo.DemoWorkload;
import io.spanline.localinfra.Probe;
import io.spanline.localinfra.s3.LocalS3;
import io.spanline.schemas.model.DecisionOutcome;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.registry.RestSchemaRegistryClient;
import io.spanline.schemas.topic.SpanlineTopics;
import io.spanline.schemas.topic.TopicNames;
import io.spanline.schemas.topic.TopicSpec;
import io.spanline.storage.archive.ArchiveLayout;
import io.spanline.storage.archive.ColdTraceReader;
import io.spanline.storage.archive.S3Clients;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The whole pipeline on the all-in-one, fed by the demo workload's real SDK spans: what the
 * services exported (an in-memory copy of the very spans sent over OTLP) is compared with what the
 * sampling stream decided, what the query APIs return and what the Parquet archive holds.
 */
class EndToEndIT {
  private static final String TENANT = "e2e";
  private static final double BASELINE_SHARE = 0.25; // demo-policies.yaml: probabilistic 25 %
  private static final long SLOW_NANOS = 1_000_000_000L; // demo-policies.yaml: latency 1000 ms
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
  private static final Duration POLL = Duration.ofMillis(200);

  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void demoTracesAreSampledIndexedArchivedAndServedWhole(@TempDir Path data) throws Exception {
    Map<String, String> settings = new HashMap<>();
    settings.put("spanline.assembly.trace.idle.timeout.ms", "3000");
    settings.put("spanline.assembly.punctuation.interval.ms", "500");
    settings.put("spanline.index.index.refresh-interval", "1s");
    settings.put("spanline.archive.roll.max.age.ms", "2000");
    // every service joins a secured estate: Kafka over SASL_SSL (SCRAM-SHA-512), the registry
    // and OpenSearch over HTTPS with basic auth, trusting the local certificate
    settings.put(AllInOne.SECURITY, "secured");
    InMemorySpanExporter copy = InMemorySpanExporter.create();

    try (AllInOne all =
        AllInOne.start(AllInOneConfig.freePorts(data, settings), System.out::println)) {
      String kafka = all.infra().kafka().bootstrapServers();
      DemoSettings demo =
          new DemoSettings(20, 0.10, 0.05, Duration.ofMillis(1200), Duration.ofMillis(5), TENANT);
      Map<String, List<SpanData>> exported;
      try (DemoWorkload workload = DemoWorkload.start(demo, all.otlpHttpEndpoint(), kafka, copy)) {
        await("300 demo requests", Duration.ofSeconds(90), () -> workload.requestsSent() >= 300);
        assertThat(workload.stopLoad(Duration.ofSeconds(30)))
            .as("fulfillment caught up and every span was exported")
            .isTrue();
        // read before the workload closes: shutting the SDK down empties the in-memory exporter
        exported =
            copy.getFinishedSpanItems().stream()
                .collect(Collectors.groupingBy(SpanData::getTraceId));
      }
      Set<String> errors = new TreeSet<>();
      Set<String> slow = new TreeSet<>();
      for (Map.Entry<String, List<SpanData>> t : exported.entrySet()) {
        if (t.getValue().stream()
            .anyMatch(s -> s.getStatus().getStatusCode() == StatusCode.ERROR)) {
          errors.add(t.getKey());
        }
        long start = t.getValue().stream().mapToLong(SpanData::getStartEpochNanos).min().orElse(0);
        long end = t.getValue().stream().mapToLong(SpanData::getEndEpochNanos).max().orElse(0);
        if (end - start >= SLOW_NANOS) {
          slow.add(t.getKey());
        }
      }
      assertThat(exported.size()).isGreaterThanOrEqualTo(300);
      assertThat(errors).as("the demo produced failed payments").isNotEmpty();
      // every demo trace spans the five services, the asynchronous hop included
      assertThat(exported.values())
          .allSatisfy(
              spans ->
                  assertThat(
                          spans.stream()
                              .map(s -> s.getResource().getAttribute(SERVICE_NAME))
                              .collect(Collectors.toSet()))
                      .containsAll(
                          errors.contains(spans.get(0).getTraceId())
                              ? List.of("frontend", "checkout", "payment")
                              : DemoWorkload.SERVICES));

      // 1. The sampling stream decided every trace: errors and slow traces kept, a quarter of the
      //    rest (a binomial share: within four standard deviations).
      Map<String, SamplingDecision> decisions =
          decisions(kafka, all.infra().registry().uri(), exported.keySet());
      for (String id : errors) {
        assertThat(decisions.get(id).outcome())
            .as("error trace %s", id)
            .isEqualTo(DecisionOutcome.KEEP);
      }
      for (String id : slow) {
        assertThat(decisions.get(id).outcome())
            .as("slow trace %s", id)
            .isEqualTo(DecisionOutcome.KEEP);
      }
      List<String> others =
          exported.keySet().stream()
              .filter(id -> !errors.contains(id) && !slow.contains(id))
              .toList();
      long keptOthers =
          others.stream().filter(id -> decisions.get(id).outcome() == DecisionOutcome.KEEP).count();
      double n = others.size();
      double sigma = Math.sqrt(n * BASELINE_SHARE * (1 - BASELINE_SHARE));
      assertThat((double) keptOthers)
          .as("kept %d of %d ordinary traces", keptOthers, others.size())
          .isBetween(n * BASELINE_SHARE - 4 * sigma, n * BASELINE_SHARE + 4 * sigma);
      System.out.printf(
          "E2E %d traces (%d spans): %d with errors, %d slow, %d of %d others kept%n",
          exported.size(),
          exported.values().stream().mapToInt(List::size).sum(),
          errors.size(),
          slow.size(),
          keptOthers,
          others.size());
      Set<String> kept =
          decisions.entrySet().stream()
              .filter(e -> e.getValue().outcome() == DecisionOutcome.KEEP)
              .map(Map.Entry::getKey)
              .collect(Collectors.toCollection(TreeSet::new));

      URI query = all.queryUri();
      // 2. Every trace with an error is searchable as one.
      await(
          "every error trace searchable",
          Duration.ofSeconds(60),
          () -> searchIds(query, "status=error&limit=1000").containsAll(errors));
      assertThat(searchIds(query, "status=error&limit=1000"))
          .containsExactlyInAnyOrderElementsOf(errors);

      // 3. Each kept trace comes back whole: exactly the spans the SDKs exported for it.
      for (String id : kept) {
        Set<String> expected = spanIds(exported.get(id));
        await(
            "trace " + id + " whole in the query service",
            Duration.ofSeconds(60),
            () -> expected.equals(fetchedSpanIds(query, id).orElse(Set.of())));
      }
      // ... and every exemplar of the RED histograms names a kept trace the query service has.
      HttpResponse<String> scrape =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + all.samplingAdminPort() + "/metrics"))
                  .header("Accept", "application/openmetrics-text; version=1.0.0")
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      Matcher exemplar =
          Pattern.compile("_bucket\\{[^}]*\\} \\d+ # \\{[^}]*trace_id=\"([0-9a-f]{32})\"")
              .matcher(scrape.body());
      Set<String> exemplars = new TreeSet<>();
      while (exemplar.find()) {
        exemplars.add(exemplar.group(1));
      }
      assertThat(exemplars).isNotEmpty();
      for (String id : exemplars) {
        assertThat(get(query.resolve("v1/traces/" + id)).statusCode())
            .as("exemplar trace " + id)
            .isEqualTo(200);
      }
      // ... and a dropped one is not there.
      String dropped =
          decisions.entrySet().stream()
              .filter(e -> e.getValue().outcome() == DecisionOutcome.DROP)
              .map(Map.Entry::getKey)
              .findFirst()
              .orElseThrow();
      assertThat(get(query.resolve("v1/traces/" + dropped)).statusCode()).isEqualTo(404);

      // 4. The same traces are in the Parquet archive.
      try (S3Client s3 =
          S3Clients.create(
              Optional.of(all.infra().s3().endpoint()),
              LocalS3.REGION,
              true,
              LocalS3.ACCESS_KEY,
              LocalS3.SECRET_KEY)) {
        ColdTraceReader archive =
            new ColdTraceReader(s3, "spanline-archive", new ArchiveLayout("spans"), 10_000);
        long now = System.currentTimeMillis() * 1_000_000L;
        long from = now - Duration.ofHours(2).toNanos();
        for (String id : kept) {
          Set<String> expected = spanIds(exported.get(id));
          await(
              "trace " + id + " in the archive",
              Duration.ofSeconds(60),
              () -> {
                var cold = archive.find(TENANT, TraceId.fromHex(id), from, now);
                return expected.equals(
                    cold.spans().stream().map(s -> s.spanId().toHex()).collect(Collectors.toSet()));
              });
        }
      }

      // 5. The dependency graph has the shop's edges, the asynchronous hop included.
      JsonNode deps = JSON.readTree(get(query.resolve("v1/dependencies")).body());
      Set<String> edges = new TreeSet<>();
      deps.path("dependencies")
          .forEach(d -> edges.add(d.path("parent").asText() + "->" + d.path("child").asText()));
      assertThat(edges)
          .containsExactlyInAnyOrder(
              "frontend->checkout",
              "checkout->payment",
              "checkout->inventory",
              "checkout->fulfillment");

      // 6. "What is different" finds the demo's slow-payment cause: the slow checkouts (the
      //    sampling policy's latency threshold) against the others rank the slow provider first.
      assertThat(slow).as("the demo produced slow payments").isNotEmpty();
      JsonNode compared =
          JSON.readTree(
              get(query.resolve(
                      "v1/insights/compare?service=checkout&select.minDurationMs="
                          + SLOW_NANOS / 1_000_000))
                  .body());
      assertThat(compared.at("/selection/traces").asLong()).isPositive();
      JsonNode first = compared.path("differences").path(0);
      assertThat(first.path("key").asText() + "=" + first.path("value").asText())
          .as(compared.toString())
          .isEqualTo(DemoWorkload.PAYMENT_PROVIDER + "=" + DemoWorkload.SLOW_PROVIDER);
      assertThat(first.path("baselineTraces").asLong()).isZero();

      // 7. TraceQL through Tempo's API (Grafana's search): a failing checkout with a PostgreSQL
      //    call below it finds exactly those demo traces, each with the database spans as its
      //    match; the oracle reads the SDKs' own spans.
      Map<String, Set<String>> expectedMatches = new TreeMap<>();
      for (String id : kept) {
        Set<String> matched = failingCheckoutAbovePostgres(exported.get(id));
        if (!matched.isEmpty()) {
          expectedMatches.put(id, matched);
        }
      }
      assertThat(expectedMatches).as("the demo produced failed reservations").isNotEmpty();
      JsonNode traceQl =
          JSON.readTree(
              get(query.resolve(
                      "api/search?limit=1000&spss=10&q="
                          + URLEncoder.encode(
                              "{ resource.service.name = \"checkout\" && status = error }"
                                  + " >> { span.db.system.name = \"postgresql\" }",
                              StandardCharsets.UTF_8)))
                  .body());
      Map<String, Set<String>> foundMatches = new TreeMap<>();
      for (JsonNode t : traceQl.path("traces")) {
        Set<String> spans = new TreeSet<>();
        t.at("/spanSets/0/spans").forEach(sp -> spans.add(sp.path("spanID").asText()));
        foundMatches.put(t.path("traceID").asText(), spans);
      }
      assertThat(foundMatches).isEqualTo(expectedMatches);
    }
  }

  /**
   * The PostgreSQL spans of the trace that have a failed checkout span among their ancestors: what
   * the TraceQL query of step 7 must match, computed from the SDK's spans.
   */
  private static Set<String> failingCheckoutAbovePostgres(List<SpanData> spans) {
    Map<String, SpanData> byId =
        spans.stream().collect(Collectors.toMap(SpanData::getSpanId, s -> s, (a, b) -> a));
    Set<String> out = new TreeSet<>();
    for (SpanData s : spans) {
      if (!"postgresql".equals(s.getAttributes().get(AttributeKey.stringKey("db.system.name")))) {
        continue;
      }
      for (SpanData p = byId.get(s.getParentSpanId());
          p != null;
          p = byId.get(p.getParentSpanId())) {
        if ("checkout".equals(p.getResource().getAttribute(SERVICE_NAME))
            && p.getStatus().getStatusCode() == StatusCode.ERROR) {
          out.add(s.getSpanId());
          break;
        }
      }
    }
    return out;
  }

  /** Reads spanline.decisions until every one of the traces has its decision. */
  private static Map<String, SamplingDecision> decisions(
      String kafka, URI registry, Set<String> traces) throws Exception {
    TopicSpec<TraceId, SamplingDecision> spec =
        new SpanlineTopics(
                TopicNames.DEFAULTS, new RestSchemaRegistryClient(registry, Duration.ofSeconds(10)))
            .decisions();
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "e2e-decisions");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    Map<String, SamplingDecision> out = new HashMap<>();
    try (KafkaConsumer<TraceId, SamplingDecision> consumer =
        new KafkaConsumer<>(
            props, spec.keySerde().deserializer(), spec.valueSerde().deserializer())) {
      consumer.subscribe(List.of(spec.name()));
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (!out.keySet().containsAll(traces) && System.nanoTime() < deadline) {
        for (ConsumerRecord<TraceId, SamplingDecision> r : consumer.poll(Duration.ofMillis(500))) {
          if (r.value() != null && r.value().tenant().equals(TENANT)) {
            out.putIfAbsent(r.key().toHex(), r.value());
          }
        }
      }
    }
    Set<String> missing = new TreeSet<>(traces);
    missing.removeAll(out.keySet());
    assertThat(missing).as("traces without a sampling decision").isEmpty();
    return out;
  }

  private Set<String> searchIds(URI query, String params) throws Exception {
    HttpResponse<String> r = get(query.resolve("v1/traces/search?" + params));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    Set<String> ids = new HashSet<>();
    JSON.readTree(r.body()).path("traces").forEach(t -> ids.add(t.path("traceId").asText()));
    return ids;
  }

  private Optional<Set<String>> fetchedSpanIds(URI query, String traceId) throws Exception {
    HttpResponse<String> r = get(query.resolve("v1/traces/" + traceId));
    if (r.statusCode() == 404) {
      return Optional.empty();
    }
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    Set<String> ids = new HashSet<>();
    for (JsonNode rs : JSON.readTree(r.body()).path("trace").path("resourceSpans")) {
      for (JsonNode ss : rs.path("scopeSpans")) {
        for (JsonNode span : ss.path("spans")) {
          ids.add(span.path("spanId").asText());
        }
      }
    }
    return Optional.of(ids);
  }

  private HttpResponse<String> get(URI uri) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri).header("X-Scope-OrgID", TENANT).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static Set<String> spanIds(List<SpanData> spans) {
    return spans.stream().map(SpanData::getSpanId).collect(Collectors.toSet());
  }

  /** Polls the condition (it may throw while the pipeline catches up) until it holds. */
  private static void await(String what, Duration timeout, Callable<Boolean> check) {
    Probe.until(what, timeout, POLL, check);
  }
}
