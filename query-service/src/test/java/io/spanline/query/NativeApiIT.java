package io.spanline.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spanline.index.IndexSinkApp;
import io.spanline.index.config.IndexSinkConfig;
import io.spanline.index.config.IndexSinkConfigLoader;
import io.spanline.localinfra.Probe;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.junit.UniqueNames;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.opensearch.LocalOpenSearch;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.query.config.QueryConfigLoader;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.DecisionOutcome;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.schemas.registry.RestSchemaRegistryClient;
import io.spanline.schemas.testing.TraceBuilder;
import io.spanline.schemas.topic.SpanlineTopics;
import io.spanline.schemas.topic.TopicNames;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The native API over what the real index sink wrote: whole-trace duration and status search,
 * operation and attribute conditions, tenant isolation, trace by ID, bad input.
 */
@ExtendWith(LocalInfraExtension.class)
class NativeApiIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void searchesWholeTraces_andServesTracesServicesAndItsOpenApi(
      LocalKafka kafka, LocalSchemaRegistry registry, LocalOpenSearch node) throws Exception {
    // Given traces indexed by the index sink
    AssembledTrace checkout =
        TraceBuilder.trace()
            .tenant("acme")
            .root("frontend", "GET /checkout", 120)
            .child("checkout", "POST /orders", 80)
            .attr("http.response.status_code", 200)
            .build();
    AssembledTrace failedSearch =
        TraceBuilder.trace()
            .tenant("acme")
            .root("frontend", "GET /search", 30)
            .child("search", "query", 20)
            .error()
            .build();
    // every span short, the trace 1.5 s long
    AssembledTrace longBatch =
        TraceBuilder.trace()
            .tenant("acme")
            .root("frontend", "GET /batch", 10)
            .orphan("worker", "step", 1500, 10)
            .build();
    AssembledTrace otherTenant =
        TraceBuilder.trace().tenant("globex").root("frontend", "GET /checkout", 120).build();
    String prefix = UniqueNames.unique("native");
    String topic = UniqueNames.unique("sampled");
    String deadLetter = UniqueNames.unique("dlq");
    kafka.createTopics(1, List.of(topic, deadLetter));
    Map<String, String> s = new HashMap<>();
    s.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    s.put("schema-registry.url", registry.uri().toString());
    s.put("topic.sampled-traces", topic);
    s.put("topic.dead-letter", deadLetter);
    s.put("group.id", UniqueNames.unique("index"));
    s.put("opensearch.hosts", node.uri().toString());
    s.put("index.prefix", prefix);
    s.put("index.replicas", "0");
    s.put("index.refresh-interval", "1s");
    s.put("retention.days", "3650");
    s.put("admin.bind.address", "127.0.0.1");
    s.put("admin.port", "0");
    Map<String, String> props = new HashMap<>();
    s.forEach((k, v) -> props.put("spanline.index." + k, v));
    IndexSinkConfig indexConfig = IndexSinkConfigLoader.load(Map.of(), props);
    RestSchemaRegistryClient schemas =
        new RestSchemaRegistryClient(registry.uri(), Duration.ofSeconds(10));
    SpanlineTopics topics =
        new SpanlineTopics(
            new TopicNames("otlp_spans", "assembled", topic, "decisions", "metrics"), schemas);
    List<AssembledTrace> all = List.of(checkout, failedSearch, longBatch, otherTenant);
    try (IndexSinkApp sink = IndexSinkApp.start(indexConfig, schemas, Clock.systemUTC());
        KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
      for (AssembledTrace t : all) {
        SampledTrace kept =
            new SampledTrace(
                t,
                new SamplingDecision(
                    t.tenant(), t.traceId(), DecisionOutcome.KEEP, List.of("all"), 1.0, 0L));
        producer
            .send(
                new ProducerRecord<>(
                    topic,
                    t.traceId().toHex().getBytes(StandardCharsets.US_ASCII),
                    topics.sampledTraces().valueSerde().serializer().serialize(topic, kept)))
            .get();
      }
      Probe.until(
          "4 summaries indexed",
          Duration.ofSeconds(60),
          Duration.ofMillis(200),
          () ->
              sink.metrics()
                      .registry()
                      .get("spanline.index.documents")
                      .tag("type", "trace")
                      .counter()
                      .count()
                  >= 4);
    }
    Map<String, String> q =
        Map.of(
            "spanline.query.opensearch.hosts", node.uri().toString(),
            "spanline.query.index.prefix", prefix,
            "spanline.query.archive.enabled", "false",
            "spanline.query.http.bind.address", "127.0.0.1",
            "spanline.query.http.port", "0",
            "spanline.query.admin.port", "0");
    try (QueryServiceApp app = QueryServiceApp.start(QueryConfigLoader.load(Map.of(), q))) {
      Map<String, String> window = new LinkedHashMap<>();
      window.put(
          "from", Instant.ofEpochSecond(TraceBuilder.START / 1_000_000_000L - 60).toString());
      window.put("to", Instant.ofEpochSecond(TraceBuilder.START / 1_000_000_000L + 60).toString());
      Probe.until(
          "summaries searchable",
          Duration.ofSeconds(30),
          Duration.ofMillis(200),
          () -> ids(app, with(window, "service", "frontend"), "acme").size() == 3);

      // Then duration and status apply to whole traces
      assertThat(ids(app, with(window, "minDurationMs", "1000"), "acme"))
          .containsExactly(longBatch.traceId().toHex());
      assertThat(ids(app, with(window, "status", "error"), "acme"))
          .containsExactly(failedSearch.traceId().toHex());
      assertThat(ids(app, with(window, "maxDurationMs", "100", "status", "ok"), "acme")).isEmpty();
      // operation and attribute conditions hold on spans
      assertThat(ids(app, with(window, "operation", "POST /orders"), "acme"))
          .containsExactly(checkout.traceId().toHex());
      assertThat(ids(app, with(window, "attr.http.response.status_code", "200"), "acme"))
          .containsExactly(checkout.traceId().toHex());
      // summaries carry the trace-level facts
      JsonNode batch =
          search(app, with(window, "minDurationMs", "1000"), "acme").get("traces").get(0);
      assertThat(batch.get("rootService").asText()).isEqualTo("frontend");
      assertThat(batch.get("rootOperation").asText()).isEqualTo("GET /batch");
      assertThat(batch.get("durationNanos").asLong()).isEqualTo(1_510_000_000L);
      assertThat(batch.get("spanCount").asInt()).isEqualTo(2);
      // tenants are apart
      assertThat(ids(app, window, "globex")).containsExactly(otherTenant.traceId().toHex());
      assertThat(body(get(app, "/v1/services", Map.of(), "globex")).get("services").toString())
          .isEqualTo("[\"frontend\"]");

      // and a trace comes back by ID, for its tenant only
      HttpResponse<byte[]> trace =
          get(app, "/v1/traces/" + checkout.traceId().toHex(), Map.of(), "acme");
      assertThat(trace.statusCode()).isEqualTo(200);
      assertThat(body(trace).get("spanCount").asInt()).isEqualTo(2);
      assertThat(body(trace).get("source").asText()).isEqualTo("opensearch");
      assertThat(
              get(app, "/v1/traces/" + checkout.traceId().toHex(), Map.of(), "globex").statusCode())
          .isEqualTo(404);
      assertThat(body(get(app, "/openapi.json", Map.of(), "acme")).get("openapi").asText())
          .startsWith("3.");

      // and bad input is a 400 naming the parameter
      assertThat(message(get(app, "/v1/traces/search", with(window, "limit", "0"), "acme")))
          .contains("limit");
      assertThat(
              message(get(app, "/v1/traces/search", with(window, "minDurationMs", "-1"), "acme")))
          .contains("minDurationMs");
      assertThat(message(get(app, "/v1/traces/search", with(window, "status", "weird"), "acme")))
          .contains("status");
      assertThat(message(get(app, "/v1/traces/not-hex", Map.of(), "acme"))).contains("hex");
    }
  }

  private static Map<String, String> with(Map<String, String> base, String... kv) {
    Map<String, String> m = new LinkedHashMap<>(base);
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  private static List<String> ids(QueryServiceApp app, Map<String, String> params, String tenant)
      throws Exception {
    List<String> ids = new ArrayList<>();
    search(app, params, tenant).get("traces").forEach(t -> ids.add(t.get("traceId").asText()));
    return ids;
  }

  private static JsonNode search(QueryServiceApp app, Map<String, String> params, String tenant)
      throws Exception {
    HttpResponse<byte[]> r = get(app, "/v1/traces/search", params, tenant);
    assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    return body(r);
  }

  private static String message(HttpResponse<byte[]> r) throws Exception {
    assertThat(r.statusCode()).isEqualTo(400);
    return body(r).at("/error/message").asText();
  }

  private static JsonNode body(HttpResponse<byte[]> r) throws Exception {
    return JSON.readTree(r.body());
  }

  private static HttpResponse<byte[]> get(
      QueryServiceApp app, String path, Map<String, String> params, String tenant)
      throws Exception {
    String query =
        params.entrySet().stream()
            .map(
                e ->
                    URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                        + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&"));
    return HTTP.send(
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:" + app.port() + path + (query.isEmpty() ? "" : "?" + query)))
            .header("X-Scope-OrgID", tenant)
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private static KafkaProducer<byte[], byte[]> producer(LocalKafka kafka) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return new KafkaProducer<>(p);
  }
}
