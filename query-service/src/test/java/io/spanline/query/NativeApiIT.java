package io.spanline.query;

import static io.spanline.query.testing.QueryFixture.badRequest;
import static io.spanline.query.testing.QueryFixture.get;
import static io.spanline.query.testing.QueryFixture.getAs;
import static io.spanline.query.testing.QueryFixture.ok;
import static io.spanline.query.testing.QueryFixture.with;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.spanline.localinfra.Probe;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.opensearch.LocalOpenSearch;
import io.spanline.query.testing.QueryFixture;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.SpanId;
import io.spanline.schemas.testing.TraceBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The native API over what the real index sink wrote: whole-trace duration and status search,
 * operation, attribute and link target conditions, dependencies, attribute keys and values, tenant
 * isolation on every endpoint, trace by ID, API keys, bad input, metrics.
 */
@ExtendWith(LocalInfraExtension.class)
class NativeApiIT {
  @Test
  void searchesWholeTraces_andServesTracesServicesDependenciesAttributesAndItsOpenApi(
      LocalOpenSearch node) throws Exception {
    // Given traces indexed by the index sink
    AssembledTrace checkout =
        TraceBuilder.trace()
            .tenant("acme")
            .root("frontend", "GET /checkout", 120)
            .child("checkout", "POST /orders", 80)
            .attr("http.response.status_code", 200)
            .child("payment", "charge", 30)
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
        TraceBuilder.trace()
            .tenant("globex")
            .root("frontend", "GET /checkout", 120)
            .attr("globex.secret", "s3cr3t")
            .child("ledger", "post", 10)
            .build();
    String prefix =
        QueryFixture.index(node, List.of(checkout, failedSearch, longBatch, otherTenant));

    try (QueryServiceApp app = QueryFixture.start(node, prefix)) {
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

      // the dependency graph counts calls between services, per tenant
      assertThat(edges(app, window, "acme"))
          .containsExactlyInAnyOrder(
              "frontend>checkout:1~1", "checkout>payment:1~1", "frontend>search:1~1");
      assertThat(edges(app, window, "globex")).containsExactly("frontend>ledger:1~1");

      // attribute keys and values, per tenant
      assertThat(texts(ok(getAs(app, "acme", "/v1/attributes", Map.of())).get("attributes")))
          .contains("http.response.status_code", "service.name")
          .doesNotContain("globex.secret");
      assertThat(texts(ok(getAs(app, "globex", "/v1/attributes", Map.of())).get("attributes")))
          .contains("globex.secret")
          .doesNotContain("http.response.status_code");
      assertThat(
              texts(
                  ok(getAs(app, "acme", "/v1/attributes/service.name/values", Map.of()))
                      .get("values")))
          .containsExactly("checkout", "frontend", "payment", "search", "worker");
      assertThat(
              texts(
                  ok(getAs(app, "acme", "/v1/attributes/globex.secret/values", Map.of()))
                      .get("values")))
          .isEmpty();
      // a key full of regular-expression syntax is taken literally
      assertThat(
              texts(ok(getAs(app, "globex", "/v1/attributes/.*/values", Map.of())).get("values")))
          .isEmpty();

      // services, operations and traces are apart by tenant
      assertThat(ids(app, window, "globex")).containsExactly(otherTenant.traceId().toHex());
      assertThat(ok(getAs(app, "globex", "/v1/services", Map.of())).get("services").toString())
          .isEqualTo("[\"frontend\",\"ledger\"]");
      assertThat(
              ok(getAs(app, "globex", "/v1/services/payment/operations", Map.of()))
                  .get("operations"))
          .isEmpty();
      // Jaeger's operations are (name, kind) pairs
      assertThat(
              ok(getAs(app, "acme", "/api/v3/operations", Map.of("service", "checkout")))
                  .get("operations")
                  .toString())
          .isEqualTo("[{\"name\":\"POST /orders\",\"spanKind\":\"client\"}]");
      assertThat(
              ok(getAs(
                      app,
                      "acme",
                      "/api/v3/operations",
                      Map.of("service", "checkout", "spanKind", "server")))
                  .get("operations"))
          .isEmpty();
      HttpResponse<byte[]> trace =
          getAs(app, "acme", "/v1/traces/" + checkout.traceId().toHex(), Map.of());
      assertThat(ok(trace).get("spanCount").asInt()).isEqualTo(3);
      assertThat(ok(trace).get("source").asText()).isEqualTo("opensearch");
      assertThat(ok(trace).get("truncated").asBoolean()).isFalse();
      assertThat(
              getAs(app, "globex", "/v1/traces/" + checkout.traceId().toHex(), Map.of())
                  .statusCode())
          .isEqualTo(404);
      assertThat(ok(getAs(app, "acme", "/openapi.json", Map.of())).get("openapi").asText())
          .startsWith("3.");

      // and bad input is a 400 naming the parameter
      assertThat(badRequest(getAs(app, "acme", "/v1/traces/search", with(window, "limit", "0"))))
          .contains("limit");
      assertThat(
              badRequest(
                  getAs(app, "acme", "/v1/traces/search", with(window, "minDurationMs", "-1"))))
          .contains("minDurationMs");
      assertThat(
              badRequest(getAs(app, "acme", "/v1/traces/search", with(window, "status", "weird"))))
          .contains("status");
      assertThat(badRequest(getAs(app, "acme", "/v1/traces/not-hex", Map.of()))).contains("hex");
      assertThat(
              badRequest(getAs(app, "acme", "/v1/dependencies", with(window, "from", "yesterday"))))
          .contains("from");
      assertThat(badRequest(getAs(app, "bad tenant!", "/v1/services", Map.of())))
          .contains("X-Scope-OrgID");

      // found by QueryHttpFuzzTest, answered 503 before: a range without any index (OpenSearch
      // then leaves the aggregations out of its answer), and attribute keys over more than a year
      Map<String, String> noData =
          Map.of("from", "2001-01-01T00:00:00Z", "to", "2001-01-01T01:00:00Z");
      assertThat(ok(getAs(app, "acme", "/v1/dependencies", noData)).get("dependencies")).isEmpty();
      assertThat(ok(getAs(app, "acme", "/v1/traces/search", noData)).get("traces")).isEmpty();
      assertThat(
              texts(
                  ok(getAs(
                          app,
                          "acme",
                          "/v1/attributes",
                          with(window, "from", "2025-01-01T00:00:00Z")))
                      .get("attributes")))
          .contains("http.response.status_code");

      // and each endpoint's latency and OpenSearch's are measured
      String metrics =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .build()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + app.adminPort() + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(metrics)
          .contains("spanline_query_http_total_duration_seconds_count{")
          .contains("method=\"dependencies\"")
          .contains("spanline_query_opensearch_seconds_count{operation=\"dependencies\"");
    }
  }

  @Test
  void searchByLinkTarget_findsTheTracesLinkingToATraceOrSpan_withinTheTenant(LocalOpenSearch node)
      throws Exception {
    // Given a producer's trace, a consumer trace whose process span links to its publish span, a
    // trace linking elsewhere, and another tenant's trace linking to the same producer
    AssembledTrace producer =
        TraceBuilder.trace()
            .tenant("acme")
            .root("checkout", "POST /orders", 40)
            .child("checkout", "demo.orders publish", 5)
            .build();
    String publish = producer.spans().get(1).spanId().toHex();
    AssembledTrace consumer =
        TraceBuilder.trace()
            .tenant("acme")
            .root("fulfillment", "demo.orders process", 30)
            .link(
                producer.traceId(),
                producer.spans().get(1).spanId(),
                Attribute.of("messaging.kafka.offset", 7L))
            .child("fulfillment", "pack order", 10)
            .build();
    AssembledTrace elsewhere =
        TraceBuilder.trace()
            .tenant("acme")
            .root("fulfillment", "demo.orders process", 30)
            .link(TraceBuilder.randomTraceId(), new SpanId(0x51L))
            .build();
    AssembledTrace globex =
        TraceBuilder.trace()
            .tenant("globex")
            .root("fulfillment", "demo.orders process", 30)
            .link(producer.traceId(), producer.spans().get(1).spanId())
            .build();
    String prefix = QueryFixture.index(node, List.of(producer, consumer, elsewhere, globex));

    try (QueryServiceApp app = QueryFixture.start(node, prefix)) {
      Map<String, String> window = new LinkedHashMap<>();
      window.put(
          "from", Instant.ofEpochSecond(TraceBuilder.START / 1_000_000_000L - 60).toString());
      window.put("to", Instant.ofEpochSecond(TraceBuilder.START / 1_000_000_000L + 60).toString());
      Probe.until(
          "summaries searchable",
          Duration.ofSeconds(30),
          Duration.ofMillis(200),
          () -> ids(app, window, "acme").size() == 3);
      String producerId = producer.traceId().toHex();

      // When searching by the producer's trace, or its publish span: the consumer only
      assertThat(ids(app, with(window, "linkedTraceId", producerId), "acme"))
          .containsExactly(consumer.traceId().toHex());
      assertThat(
              ids(app, with(window, "linkedTraceId", producerId, "linkedSpanId", publish), "acme"))
          .containsExactly(consumer.traceId().toHex());
      // IDs in upper case read as well
      assertThat(
              ids(
                  app,
                  with(
                      window,
                      "linkedTraceId",
                      producerId.toUpperCase(java.util.Locale.ROOT),
                      "linkedSpanId",
                      publish.toUpperCase(java.util.Locale.ROOT)),
                  "acme"))
          .containsExactly(consumer.traceId().toHex());
      // another span of the producer, or a condition on another span: nothing
      assertThat(
              ids(
                  app,
                  with(
                      window,
                      "linkedTraceId",
                      producerId,
                      "linkedSpanId",
                      producer.spans().get(0).spanId().toHex()),
                  "acme"))
          .isEmpty();
      assertThat(
              ids(
                  app,
                  with(window, "linkedTraceId", producerId, "operation", "pack order"),
                  "acme"))
          .isEmpty();
      // the link condition combines with trace-level ones
      assertThat(ids(app, with(window, "linkedTraceId", producerId, "status", "error"), "acme"))
          .isEmpty();
      // each tenant sees its own linking traces
      assertThat(ids(app, with(window, "linkedTraceId", producerId), "globex"))
          .containsExactly(globex.traceId().toHex());
      assertThat(ids(app, with(window, "linkedTraceId", producerId), "initech")).isEmpty();

      // and bad link parameters are a 400 naming the parameter
      assertThat(
              badRequest(
                  getAs(app, "acme", "/v1/traces/search", with(window, "linkedTraceId", "xyz"))))
          .contains("linkedTraceId");
      assertThat(
              badRequest(
                  getAs(
                      app,
                      "acme",
                      "/v1/traces/search",
                      with(window, "linkedTraceId", producerId, "linkedSpanId", "abc"))))
          .contains("linkedSpanId");
      assertThat(
              badRequest(
                  getAs(app, "acme", "/v1/traces/search", with(window, "linkedSpanId", publish))))
          .contains("linkedSpanId")
          .contains("linkedTraceId");
    }
  }

  @Test
  void withAuthOn_theApiKeyNamesTheTenant_andRequestsWithoutOneAre401(LocalOpenSearch node)
      throws Exception {
    AssembledTrace acme = TraceBuilder.trace().tenant("acme").root("frontend", "GET /", 10).build();
    AssembledTrace globex =
        TraceBuilder.trace().tenant("globex").root("billing", "POST /invoice", 10).build();
    String prefix = QueryFixture.index(node, List.of(acme, globex));

    try (QueryServiceApp app =
        QueryFixture.start(
            node,
            prefix,
            Map.of("SPANLINE_QUERY_API_KEYS", "key-of-acme=acme,key-of-globex=globex"),
            "auth.enabled",
            "true")) {
      // no key, an unknown key, or only a tenant header: 401
      assertThat(get(app, "/v1/services", Map.of()).statusCode()).isEqualTo(401);
      assertThat(get(app, "/v1/services", Map.of(), "x-api-key", "nope").statusCode())
          .isEqualTo(401);
      assertThat(get(app, "/v1/services", Map.of(), "X-Scope-OrgID", "acme").statusCode())
          .isEqualTo(401);
      // a key reads its own tenant's data only, whatever X-Scope-OrgID says
      Probe.until(
          "services searchable",
          Duration.ofSeconds(30),
          Duration.ofMillis(200),
          () ->
              ok(get(app, "/v1/services", Map.of(), "Authorization", "Bearer key-of-globex"))
                      .get("services")
                      .size()
                  == 1);
      assertThat(
              ok(get(
                      app,
                      "/v1/services",
                      Map.of(),
                      "Authorization",
                      "Bearer key-of-globex",
                      "X-Scope-OrgID",
                      "acme"))
                  .get("services")
                  .toString())
          .isEqualTo("[\"billing\"]");
      assertThat(
              ok(get(app, "/api/v3/services", Map.of(), "x-api-key", "key-of-acme"))
                  .get("services")
                  .toString())
          .isEqualTo("[\"frontend\"]");
      // the web UI itself needs no key: it sends the one the user enters
      assertThat(get(app, "/", Map.of()).statusCode()).isEqualTo(200);
    }
  }

  private static List<String> edges(QueryServiceApp app, Map<String, String> window, String tenant)
      throws Exception {
    List<String> out = new ArrayList<>();
    for (JsonNode d : ok(getAs(app, tenant, "/v1/dependencies", window)).get("dependencies")) {
      out.add(
          d.get("parent").asText()
              + ">"
              + d.get("child").asText()
              + ":"
              + d.get("callCount")
              + "~"
              + d.get("estimatedCallCount").asLong());
    }
    return out;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static List<String> ids(QueryServiceApp app, Map<String, String> params, String tenant)
      throws Exception {
    List<String> ids = new ArrayList<>();
    search(app, params, tenant).get("traces").forEach(t -> ids.add(t.get("traceId").asText()));
    return ids;
  }

  private static JsonNode search(QueryServiceApp app, Map<String, String> params, String tenant)
      throws Exception {
    return ok(getAs(app, tenant, "/v1/traces/search", params));
  }
}
