package io.spanline.allinone;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.spanline.allinone.demo.DemoSettings;
import io.spanline.allinone.demo.DemoWorkload;
import io.spanline.localinfra.Probe;
import io.spanline.schemas.topic.SpanlineHeaders;
import io.spanline.schemas.topic.TopicNames;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What operators scrape: every service's admin {@code /metrics} has the JVM, process and Kafka
 * client meters and consumer lag in seconds; the sampling stream has the RED and service-graph
 * metrics under Tempo's names and labels; and every metric the shipped Grafana dashboard and
 * Prometheus rules use is exposed by a running service ({@link OperatorDashboards}).
 */
class OperatorMetricsIT {
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)\\})? ", Pattern.MULTILINE);
  private static final Set<String> JVM_AND_PROCESS =
      Set.of(
          "jvm_memory_used_bytes",
          "jvm_gc_memory_allocated_bytes_total",
          "jvm_threads_live_threads",
          "jvm_classes_loaded_classes",
          "process_cpu_usage",
          "system_cpu_count",
          "process_uptime_seconds",
          "process_start_time_seconds",
          "process_files_open_files");

  /** One valid span and one without a span ID: the gateway accepts one and rejects the other. */
  private static final String BAD_SPAN_JSON =
      "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\","
          + "\"value\":{\"stringValue\":\"ops\"}}]},\"scopeSpans\":[{\"spans\":["
          + "{\"traceId\":\"5b8efff798038103d269b633813fc60c\",\"spanId\":\"eee19b7ec3c1b174\","
          + "\"name\":\"ok\",\"kind\":2,\"startTimeUnixNano\":\"1700000000000000000\","
          + "\"endTimeUnixNano\":\"1700000000100000000\"},"
          + "{\"traceId\":\"5b8efff798038103d269b633813fc60c\",\"spanId\":\"\","
          + "\"name\":\"bad\",\"kind\":2,\"startTimeUnixNano\":\"1700000000000000000\","
          + "\"endTimeUnixNano\":\"1700000000100000000\"}]}]}]}";

  /**
   * Dashboard metrics that exist only once their event happened (per-tenant counters created at the
   * first refusal or shed), with the test that finds each on a gateway's or the assembly's
   * /metrics.
   */
  private static final Map<String, String> ONLY_AFTER_AN_EVENT =
      Map.of(
          "spanline_gateway_spans_refused_total", "TenantLimitsFileIT, NoisyNeighbourIT",
          "spanline_gateway_spans_shed_total", "OverloadSheddingIT",
          "spanline_assembly_traces_shed_total", "AssemblySheddingIT",
          "spanline_assembly_spans_shed_total", "AssemblySheddingIT",
          "spanline_assembly_shed_late_errors_total",
              "TraceAssemblyIT (restartedCleanly_aShedTracesLaterSpansAreStillShed_...)");

  /**
   * HTTP/1.1: the JDK client's cleartext HTTP/2 upgrade now and then misreads a large /metrics
   * answer ("EOF reached while reading"), as in the query service's tests.
   */
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void everyAdminPortServesOperatorMetrics_andTheDashboardsUseOnlyExposedNames(@TempDir Path data)
      throws Exception {
    Map<String, String> settings = new HashMap<>();
    settings.put("spanline.assembly.trace.idle.timeout.ms", "1000");
    settings.put("spanline.assembly.punctuation.interval.ms", "250");
    settings.put("spanline.archive.roll.max.age.ms", "1000");
    try (AllInOne all =
        AllInOne.start(AllInOneConfig.freePorts(data, settings), System.out::println)) {
      String kafka = all.infra().kafka().bootstrapServers();
      DemoSettings demo =
          new DemoSettings(20, 0.2, 0.05, Duration.ofMillis(300), Duration.ofMillis(5), "ops");
      try (DemoWorkload workload =
          DemoWorkload.start(demo, all.otlpHttpEndpoint(), kafka, InMemorySpanExporter.create())) {
        await("60 demo requests", () -> workload.requestsSent() >= 60);
        // counters exist once the sampling stream decided traces and the sinks wrote them
        await(
            "sampled, indexed and archived traces counted",
            () ->
                scrape(all.adminPorts().get("sampling"))
                        .contains("traces_service_graph_request_total{")
                    && scrape(all.adminPorts().get("index")).contains("spanline_index_documents")
                    && scrape(all.adminPorts().get("archive")).contains("spanline_archive_files"));
        workload.stopLoad(Duration.ofSeconds(10));
      }
      // failures, so their counters exist: a malformed OTLP request, a span without a span ID,
      // and an undecodable record on each stage's input topic (dead-lettered by all four)
      HttpResponse<String> malformed =
          http.send(
              HttpRequest.newBuilder(all.otlpHttpEndpoint())
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{not json"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(malformed.statusCode()).isEqualTo(400);
      http.send(
          HttpRequest.newBuilder(all.otlpHttpEndpoint())
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(BAD_SPAN_JSON))
              .build(),
          HttpResponse.BodyHandlers.ofString());
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(
              Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka),
              new ByteArraySerializer(),
              new ByteArraySerializer())) {
        for (String topic :
            List.of(
                TopicNames.DEFAULTS.otlpSpans(),
                TopicNames.DEFAULTS.assembledTraces(),
                TopicNames.DEFAULTS.sampledTraces())) {
          ProducerRecord<byte[], byte[]> garbage =
              new ProducerRecord<>(
                  topic,
                  "0af7651916cd43dd8448eb211c80319c".getBytes(StandardCharsets.US_ASCII),
                  new byte[] {7, 1, 2, 3});
          garbage.headers().add(SpanlineHeaders.TENANT, "ops".getBytes(StandardCharsets.UTF_8));
          producer.send(garbage).get();
        }
      }
      await(
          "every stage's dead letters counted",
          () ->
              scrape(all.adminPorts().get("assembly")).contains("dead_lettered_total")
                  && scrape(all.adminPorts().get("sampling")).contains("dead_lettered_total")
                  && scrape(all.adminPorts().get("index")).contains("dead_letters_total")
                  && scrape(all.adminPorts().get("archive")).contains("dead_letters_total"));
      // the query service: one search, so its HTTP meters exist
      http.send(
          HttpRequest.newBuilder(all.queryUri().resolve("v1/traces/search?service=checkout"))
              .build(),
          HttpResponse.BodyHandlers.ofString());

      Map<String, Map<String, List<Map<String, String>>>> byService = new TreeMap<>();
      for (Map.Entry<String, Integer> admin : all.adminPorts().entrySet()) {
        byService.put(admin.getKey(), samples(scrape(admin.getValue())));
      }
      Path listing = Path.of("target", "operator-metrics.txt");
      Files.createDirectories(listing.getParent());
      Files.writeString(
          listing,
          byService.entrySet().stream()
              .flatMap(e -> e.getValue().keySet().stream().map(n -> e.getKey() + " " + n))
              .collect(Collectors.joining("\n")));

      // 1. JVM, GC, threads, process on every admin port; Kafka clients where there are any
      byService.forEach(
          (service, samples) ->
              assertThat(samples.keySet()).as(service).containsAll(JVM_AND_PROCESS));
      for (String service : List.of("gateway", "assembly", "sampling", "index", "archive")) {
        assertThat(byService.get(service).keySet())
            .as(service)
            .anyMatch(n -> n.startsWith("kafka_producer_"));
      }
      for (String service : List.of("assembly", "sampling", "index", "archive")) {
        assertThat(byService.get(service).keySet())
            .as(service)
            .anyMatch(n -> n.startsWith("kafka_consumer_"));
        // 2. consumer lag in seconds, per group, topic and partition
        List<Map<String, String>> lag = byService.get(service).get("spanline_consumer_lag_seconds");
        assertThat(lag).as(service + " lag").isNotEmpty();
        assertThat(lag).allSatisfy(l -> assertThat(l).containsKeys("group", "topic", "partition"));
      }

      // 3. Tempo's service-graph and span-metrics names and labels
      Map<String, List<Map<String, String>>> sampling = byService.get("sampling");
      for (String graph :
          List.of(
              "traces_service_graph_request_total",
              "traces_service_graph_request_failed_total",
              "traces_service_graph_request_server_seconds_bucket",
              "traces_service_graph_request_server_seconds_sum",
              "traces_service_graph_request_server_seconds_count")) {
        assertThat(sampling.get(graph))
            .as(graph)
            .isNotEmpty()
            .allSatisfy(l -> assertThat(l).containsKeys("client", "server"));
      }
      assertThat(sampling.get("traces_service_graph_request_total"))
          .anySatisfy(
              l ->
                  assertThat(l)
                      .containsEntry("client", "frontend")
                      .containsEntry("server", "checkout"));
      for (String span :
          List.of(
              "traces_spanmetrics_calls_total",
              "traces_spanmetrics_latency_bucket",
              "traces_spanmetrics_latency_sum",
              "traces_spanmetrics_latency_count")) {
        assertThat(sampling.get(span))
            .as(span)
            .isNotEmpty()
            .allSatisfy(
                l ->
                    assertThat(l).containsKeys("service", "span_name", "span_kind", "status_code"));
      }
      assertThat(sampling.get("traces_spanmetrics_calls_total"))
          .anySatisfy(
              l ->
                  assertThat(l)
                      .containsEntry("span_kind", "SPAN_KIND_SERVER")
                      .containsEntry("status_code", "STATUS_CODE_ERROR"));

      // 4. every metric of the dashboard and the alert rules exists (but those only an overload
      // or a rate limit creates, which other tests find on /metrics)
      Set<String> exposed = new TreeSet<>();
      byService.values().forEach(s -> exposed.addAll(s.keySet()));
      exposed.addAll(ONLY_AFTER_AN_EVENT.keySet());
      Set<String> used = OperatorDashboards.metricNames();
      assertThat(used).isNotEmpty();
      assertThat(used).containsAll(ONLY_AFTER_AN_EVENT.keySet());
      assertThat(used).as("metrics the dashboard and the rules use").isSubsetOf(exposed);
    }
  }

  private String scrape(int port) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** Sample name → the label sets of its samples. */
  private static Map<String, List<Map<String, String>>> samples(String exposition) {
    Map<String, List<Map<String, String>>> out = new TreeMap<>();
    Matcher m = SAMPLE.matcher(exposition);
    Pattern label = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    while (m.find()) {
      Map<String, String> labels = new TreeMap<>();
      if (m.group(3) != null) {
        Matcher l = label.matcher(m.group(3));
        while (l.find()) {
          labels.put(l.group(1), l.group(2));
        }
      }
      out.computeIfAbsent(m.group(1), k -> new java.util.ArrayList<>()).add(labels);
    }
    return out;
  }

  /** Polls the condition (it may throw while the pipeline catches up) for up to a minute. */
  private static void await(String what, Callable<Boolean> condition) {
    Probe.until(what, Duration.ofSeconds(60), Duration.ofMillis(250), condition);
  }
}
