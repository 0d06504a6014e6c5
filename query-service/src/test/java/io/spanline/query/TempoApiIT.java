package io.spanline.query;

import static io.spanline.query.testing.QueryFixture.badRequest;
import static io.spanline.query.testing.QueryFixture.get;
import static io.spanline.query.testing.QueryFixture.getAs;
import static io.spanline.query.testing.QueryFixture.ok;
import static io.spanline.query.testing.QueryFixture.with;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.spanline.localinfra.Probe;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.opensearch.LocalOpenSearch;
import io.spanline.query.testing.QueryFixture;
import io.spanline.schemas.codec.otlp.OtlpProtoCodec;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.testing.TraceBuilder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Tempo's HTTP API subset over what the real index sink wrote, as Grafana's Tempo data source calls
 * it: echo, trace by ID (JSON and protobuf, v1 and v2), tag search, tag names and values, tenants
 * apart, bad input.
 */
@ExtendWith(LocalInfraExtension.class)
class TempoApiIT {
  @Test
  void servesGrafanasTempoDataSource(LocalOpenSearch node) throws Exception {
    // Given traces indexed by the index sink
    AssembledTrace cart =
        TraceBuilder.trace()
            .tenant("acme")
            .root("frontend", "GET /cart", 40)
            .child("cart service", "load cart", 30)
            .attr("http.response.status_code", 500)
            .error()
            .build();
    AssembledTrace slow =
        TraceBuilder.trace()
            .tenant("acme")
            .root("frontend", "GET /report", 10)
            .orphan("reports", "render", 2000, 10)
            .build();
    AssembledTrace globex =
        TraceBuilder.trace()
            .tenant("globex")
            .root("frontend", "GET /cart", 40)
            .attr("globex.only", "yes")
            .build();
    String prefix = QueryFixture.index(node, List.of(cart, slow, globex));
    long start = TraceBuilder.START / 1_000_000_000L;
    Map<String, String> window =
        Map.of("start", String.valueOf(start - 60), "end", String.valueOf(start + 60));

    try (QueryServiceApp app = QueryFixture.start(node, prefix)) {
      assertThat(new String(get(app, "/api/echo", Map.of()).body(), StandardCharsets.UTF_8))
          .isEqualTo("echo");
      Probe.until(
          "traces searchable",
          Duration.ofSeconds(30),
          Duration.ofMillis(200),
          () -> ids(app, "acme", window).size() == 2);

      // Then the logfmt tags must hold on one span: quoted values, intrinsic keys, attributes
      assertThat(ids(app, "acme", with(window, "tags", "service.name=\"cart service\"")))
          .containsExactly(hex(cart));
      assertThat(
              ids(app, "acme", with(window, "tags", "http.response.status_code=500 status=error")))
          .containsExactly(hex(cart));
      assertThat(ids(app, "acme", with(window, "tags", "service.name=frontend name=\"load cart\"")))
          .isEmpty();
      // durations are the whole trace's
      assertThat(ids(app, "acme", with(window, "minDuration", "1.5s"))).containsExactly(hex(slow));
      assertThat(ids(app, "acme", with(window, "maxDuration", "100ms"))).containsExactly(hex(cart));
      JsonNode found =
          ok(getAs(app, "acme", "/api/search", with(window, "minDuration", "1.5s")))
              .get("traces")
              .get(0);
      assertThat(found.get("rootServiceName").asText()).isEqualTo("frontend");
      assertThat(found.get("rootTraceName").asText()).isEqualTo("GET /report");
      assertThat(found.get("durationMs").asLong()).isEqualTo(2010);
      assertThat(found.get("startTimeUnixNano").asText())
          .isEqualTo(String.valueOf(TraceBuilder.START));

      // trace by ID: v1 JSON batches, v2 JSON with status, and protobuf when asked
      JsonNode v1 = ok(getAs(app, "acme", "/api/traces/" + hex(cart), Map.of()));
      assertThat(spanIds(v1.get("batches"))).hasSize(2);
      JsonNode v2 = ok(getAs(app, "acme", "/api/v2/traces/" + hex(cart), Map.of()));
      assertThat(v2.get("status").asText()).isEqualTo("COMPLETE");
      assertThat(spanIds(v2.at("/trace/resourceSpans")))
          .containsExactlyInAnyOrderElementsOf(spanIds(v1.get("batches")));
      HttpResponse<byte[]> proto =
          get(
              app,
              "/api/traces/" + hex(cart),
              Map.of(),
              "X-Scope-OrgID",
              "acme",
              "Accept",
              "application/protobuf");
      assertThat(proto.headers().firstValue("content-type")).contains("application/protobuf");
      List<Span> decoded = OtlpProtoCodec.decode(TracesData.parseFrom(proto.body()).toByteArray());
      assertThat(decoded).containsExactlyInAnyOrderElementsOf(cart.spans());
      assertThat(getAs(app, "globex", "/api/traces/" + hex(cart), Map.of()).statusCode())
          .isEqualTo(404);

      // tag names and values, per tenant
      assertThat(texts(ok(getAs(app, "acme", "/api/search/tags", Map.of())).get("tagNames")))
          .contains("service.name", "name", "status", "http.response.status_code")
          .doesNotContain("globex.only");
      assertThat(
              texts(
                  ok(getAs(app, "acme", "/api/search/tag/service.name/values", Map.of()))
                      .get("tagValues")))
          .containsExactly("cart service", "frontend", "reports");
      assertThat(
              texts(
                  ok(getAs(
                          app,
                          "acme",
                          "/api/search/tag/http.response.status_code/values",
                          Map.of()))
                      .get("tagValues")))
          .containsExactly("500");
      // found by QueryHttpFuzzTest, both answered 503 before: a key no span has (OpenSearch's
      // default terms execution failed when the include pattern matched no term), and a search
      // over a year (its daily indices made a request line beyond OpenSearch's 4 KB)
      assertThat(
              texts(
                  ok(getAs(app, "acme", "/api/search/tag/no.such.key/values", Map.of()))
                      .get("tagValues")))
          .isEmpty();
      long end = TraceBuilder.START / 1_000_000_000L + 60;
      assertThat(
              ok(getAs(
                      app,
                      "acme",
                      "/api/search",
                      Map.of(
                          "start",
                          String.valueOf(end - 376 * 86_400L),
                          "end",
                          String.valueOf(end))))
                  .get("traces"))
          .isNotEmpty();
      assertThat(
              texts(
                  ok(getAs(app, "globex", "/api/search/tag/name/values", Map.of()))
                      .get("tagValues")))
          .containsExactly("GET /cart");
      assertThat(ids(app, "globex", window)).containsExactly(hex(globex));

      // bad input: 400 naming the parameter
      assertThat(badRequest(getAs(app, "acme", "/api/search", with(window, "tags", "a=\"open"))))
          .contains("not closed");
      assertThat(badRequest(getAs(app, "acme", "/api/search", with(window, "minDuration", "5"))))
          .contains("minDuration");
      assertThat(badRequest(getAs(app, "acme", "/api/search", with(window, "start", "soon"))))
          .contains("start");
      assertThat(badRequest(getAs(app, "acme", "/api/search", with(window, "limit", "100000"))))
          .contains("limit");
      assertThat(badRequest(getAs(app, "acme", "/api/search", with(window, "q", "{ name = }"))))
          .contains("TraceQL error at line 1, column 10");
      assertThat(badRequest(getAs(app, "acme", "/api/traces/xyz", Map.of()))).contains("hex");
    }

    // and a trace over trace.max-spans comes back cut, flagged in every API
    try (QueryServiceApp capped = QueryFixture.start(node, prefix, "trace.max-spans", "1")) {
      JsonNode v2 = ok(getAs(capped, "acme", "/api/v2/traces/" + hex(cart), Map.of()));
      assertThat(v2.get("status").asText()).isEqualTo("PARTIAL");
      assertThat(spanIds(v2.at("/trace/resourceSpans"))).hasSize(1);
      JsonNode nativeTrace = ok(getAs(capped, "acme", "/v1/traces/" + hex(cart), Map.of()));
      assertThat(nativeTrace.get("truncated").asBoolean()).isTrue();
      assertThat(nativeTrace.get("spanCount").asInt()).isEqualTo(1);
      HttpResponse<byte[]> jaeger = getAs(capped, "acme", "/api/v3/traces/" + hex(cart), Map.of());
      assertThat(jaeger.headers().firstValue("spanline-trace-truncated")).contains("true");
      assertThat(spanIds(QueryFixture.JSON.readTree(jaeger.body()).at("/result/resourceSpans")))
          .hasSize(1);
    }
  }

  private static String hex(AssembledTrace t) {
    return t.traceId().toHex();
  }

  private static List<String> ids(QueryServiceApp app, String tenant, Map<String, String> params)
      throws Exception {
    List<String> out = new ArrayList<>();
    ok(getAs(app, tenant, "/api/search", params))
        .get("traces")
        .forEach(t -> out.add(t.get("traceID").asText()));
    return out;
  }

  private static List<String> spanIds(JsonNode resourceSpans) {
    List<String> out = new ArrayList<>();
    for (JsonNode rs : resourceSpans) {
      for (JsonNode ss : rs.get("scopeSpans")) {
        ss.get("spans").forEach(s -> out.add(s.get("spanId").asText()));
      }
    }
    return out;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
