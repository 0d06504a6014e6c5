package io.spanline.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.opensearch.LocalOpenSearch;
import io.spanline.query.config.QueryConfig;
import io.spanline.query.config.QueryConfigLoader;
import io.spanline.schemas.codec.otlp.OtlpJsonCodec;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.testing.ConformanceFixtures;
import io.spanline.storage.opensearch.testing.OpenSearchStoreFixture;
import io.spanline.storage.testing.JaegerFixtures;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Jaeger's storage conformance cases ({@code ../shared/conformance/jaeger-storage-fixtures})
 * through {@code GET /api/v3/traces}, prepared as Jaeger prepares them: fixture times moved to the
 * last two days, every fixture written first so traces not expected by a case act as
 * counterexamples, and each result compared with the expected traces span by span. The same traces
 * are also written for a second tenant, which must never show up.
 */
@ExtendWith(LocalInfraExtension.class)
class JaegerConformanceIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final LocalDate TODAY = LocalDate.now(ZoneOffset.UTC);

  private static OpenSearchStoreFixture store;
  private static final JaegerFixtures JAEGER = new JaegerFixtures();
  private static QueryServiceApp app;
  private static final Map<String, List<Span>> FIXTURES = new HashMap<>();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void writeFixturesAndStart(LocalOpenSearch node) throws Exception {
    // written as the index sink writes them, with the default attribute allowlist and the keys the
    // cases search by
    JaegerFixtures jaeger = new JaegerFixtures();
    store = OpenSearchStoreFixture.start(node, jaeger.attributeKeys());
    FIXTURES.putAll(jaeger.traces());
    List<SampledTrace> kept = new ArrayList<>(jaeger.keptTraces("default"));
    kept.addAll(jaeger.keptTraces("other-tenant"));
    store.write(kept);
    String prefix = store.layout().prefix();
    QueryConfig config =
        QueryConfigLoader.load(
            Map.of(),
            Map.of(
                "spanline.query.opensearch.hosts", node.uri().toString(),
                "spanline.query.index.prefix", prefix,
                "spanline.query.archive.enabled", "false",
                "spanline.query.http.bind.address", "127.0.0.1",
                "spanline.query.http.port", "0",
                "spanline.query.admin.bind.address", "127.0.0.1",
                "spanline.query.admin.port", "0"));
    app = QueryServiceApp.start(config, Clock.systemUTC());
  }

  @AfterAll
  static void stop() throws Exception {
    if (app != null) {
      app.close();
    }
    if (store != null) {
      store.close();
    }
  }

  @Test
  void allJaegerSearchCasesReturnExactlyTheExpectedTraces() throws Exception {
    JsonNode cases =
        JSON.readTree(
            ConformanceFixtures.root().resolve("jaeger-storage-fixtures/queries.json").toFile());
    List<String> failures = new ArrayList<>();
    int passed = 0;
    for (JsonNode c : cases) {
      String caption = c.get("Caption").asText();
      JsonNode q = c.get("Query");
      Map<String, String> params = new LinkedHashMap<>();
      params.put("query.serviceName", q.get("ServiceName").asText());
      if (!q.get("OperationName").asText().isEmpty()) {
        params.put("query.operationName", q.get("OperationName").asText());
      }
      params.put("query.startTimeMin", JAEGER.movedDate(q.get("StartTimeMin").asText()));
      params.put("query.startTimeMax", JAEGER.movedDate(q.get("StartTimeMax").asText()));
      if (q.get("DurationMin").asLong() > 0) {
        params.put("query.durationMin", q.get("DurationMin").asLong() + "ns");
      }
      if (q.get("DurationMax").asLong() > 0) {
        params.put("query.durationMax", q.get("DurationMax").asLong() + "ns");
      }
      if (q.hasNonNull("Tags")) {
        ObjectNode attributes = JSON.createObjectNode();
        q.get("Tags")
            .fields()
            .forEachRemaining(e -> attributes.put(e.getKey(), e.getValue().asText()));
        params.put("query.attributes", attributes.toString());
      }
      params.put("query.searchDepth", q.get("NumTraces").asText());
      HttpResponse<byte[]> response = get("/api/v3/traces", params, "default");
      Map<TraceId, Set<Span>> found = traces(response);
      Map<TraceId, Set<Span>> expected = new HashMap<>();
      for (JsonNode f : c.get("ExpectedFixtures")) {
        FIXTURES
            .get(f.asText())
            .forEach(s -> expected.computeIfAbsent(s.traceId(), k -> new HashSet<>()).add(s));
      }
      if (response.statusCode() == 200 && found.equals(expected)) {
        passed++;
      } else {
        failures.add(
            caption
                + ": HTTP "
                + response.statusCode()
                + ", found "
                + found.keySet()
                + " expected "
                + expected.keySet());
      }
    }
    System.out.printf("Jaeger conformance: %d of %d cases pass%n", passed, cases.size());
    assertThat(failures).as("%d of %d cases pass", passed, cases.size()).isEmpty();
    assertThat(passed).isEqualTo(25);
  }

  @Test
  void anotherTenantNeverSeesTheseTraces_norTheirServices() throws Exception {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("query.serviceName", "query22-service");
    params.put("query.startTimeMin", TODAY.minusDays(3) + "T00:00:00Z");
    params.put("query.startTimeMax", TODAY.plusDays(1) + "T00:00:00Z");

    Map<TraceId, Set<Span>> mine = traces(get("/api/v3/traces", params, "default"));
    Map<TraceId, Set<Span>> theirs = traces(get("/api/v3/traces", params, "nobody"));

    assertThat(mine).hasSize(3);
    assertThat(theirs).isEmpty();
    assertThat(
            new String(get("/api/v3/services", Map.of(), "nobody").body(), StandardCharsets.UTF_8))
        .isEqualTo("{\"services\":[]}");
    assertThat(
            new String(get("/api/v3/services", Map.of(), "default").body(), StandardCharsets.UTF_8))
        .contains("query22-service");
  }

  @Test
  void traceById_andBadInputGetsA400NamingTheParameter() throws Exception {
    Span any = FIXTURES.get("default").get(0);
    HttpResponse<byte[]> trace =
        get("/api/v3/traces/" + any.traceId().toHex(), Map.of(), "default");
    assertThat(trace.statusCode()).isEqualTo(200);
    assertThat(traces(trace).get(any.traceId())).contains(any);
    assertThat(get("/api/v3/traces/" + any.traceId().toHex(), Map.of(), "nobody").statusCode())
        .isEqualTo(404);

    assertThat(error(get("/api/v3/traces/xyz", Map.of(), "default"))).contains("trace_id");
    assertThat(error(get("/api/v3/traces/" + "0".repeat(32), Map.of(), "default")))
        .contains("zeros");
    Map<String, String> bad = new LinkedHashMap<>();
    bad.put("query.serviceName", "query01-service");
    bad.put("query.startTimeMin", "yesterday");
    bad.put("query.startTimeMax", TODAY + "T00:00:00Z");
    assertThat(error(get("/api/v3/traces", bad, "default"))).contains("query.startTimeMin");
    bad.put("query.startTimeMin", TODAY.minusDays(1) + "T00:00:00Z");
    bad.put("query.durationMin", "-5s");
    assertThat(error(get("/api/v3/traces", bad, "default"))).contains("query.durationMin");
    bad.put("query.durationMin", "5 parsecs");
    assertThat(error(get("/api/v3/traces", bad, "default"))).contains("query.durationMin");
    bad.remove("query.durationMin");
    bad.put("query.searchDepth", "100000000");
    assertThat(error(get("/api/v3/traces", bad, "default"))).contains("query.searchDepth");
    bad.remove("query.searchDepth");
    bad.put("query.attributes", "{\"a\": \"x\\\" OR tenant:*\"}");
    HttpResponse<byte[]> injected = get("/api/v3/traces", bad, "default");
    assertThat(injected.statusCode()).isEqualTo(200);
    assertThat(traces(injected)).isEmpty();
    bad.put("query.attributes", "not json");
    assertThat(error(get("/api/v3/traces", bad, "default"))).contains("query.attributes");
  }

  private static String error(HttpResponse<byte[]> response) throws Exception {
    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.at("/error/httpCode").asInt()).isEqualTo(400);
    String message = body.at("/error/message").asText();
    assertThat(message).doesNotContainIgnoringCase("opensearch");
    return message;
  }

  private static Map<TraceId, Set<Span>> traces(HttpResponse<byte[]> response) throws Exception {
    if (response.statusCode() != 200) {
      return Map.of();
    }
    JsonNode result = JSON.readTree(response.body()).get("result");
    return OtlpJsonCodec.decode(JSON.writeValueAsBytes(result)).stream()
        .collect(Collectors.groupingBy(Span::traceId, Collectors.toSet()));
  }

  private static HttpResponse<byte[]> get(String path, Map<String, String> params, String tenant)
      throws Exception {
    String query =
        params.entrySet().stream()
            .map(
                e ->
                    URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                        + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&"));
    URI uri =
        URI.create("http://127.0.0.1:" + app.port() + path + (query.isEmpty() ? "" : "?" + query));
    return HTTP.send(
        HttpRequest.newBuilder(uri).header("X-Scope-OrgID", tenant).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }
}
