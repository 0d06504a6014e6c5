package io.spanline.query;

import static io.spanline.query.testing.QueryFixture.badRequest;
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
import io.spanline.schemas.model.Span;
import io.spanline.schemas.testing.TraceBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * TraceQL search through Tempo's HTTP API over what the index sink's write path stored in a real
 * OpenSearch node, with the requests Grafana's Tempo data source sends: {@code /api/search?q=…}
 * with {@code limit}, {@code spss}, {@code start} and {@code end}; {@code /api/v2/search/tags} with
 * a scope; {@code /api/v2/search/tag/{tag}/values} with the {@code q} it sends for autocomplete;
 * {@code /api/status/buildinfo}.
 */
@ExtendWith(LocalInfraExtension.class)
class TraceQlIT {
  private static final String ISSUE_QUERY =
      "{ resource.service.name = \"checkout\" && status = error }"
          + " >> { span.db.system.name = \"postgresql\" }";

  @Test
  void findsExactlyTheMatchingTraces_withTheirMatchedSpans(LocalOpenSearch node) throws Exception {
    // Given: the one trace the issue's query must find …
    AssembledTrace failingCheckoutOnPostgres =
        TraceBuilder.trace()
            .tenant("acme")
            .root("frontend", "GET /checkout", 100)
            .child("checkout", "POST /orders", 80)
            .error()
            .child("checkout", "SELECT orders", 20)
            .attr("db.system.name", "postgresql")
            .build();
    // … and near misses: another database, no error, postgres not below the failing span
    AssembledTrace failingCheckoutOnMysql =
        TraceBuilder.trace()
            .tenant("acme")
            .root("frontend", "GET /checkout", 100)
            .child("checkout", "POST /orders", 80)
            .error()
            .child("checkout", "SELECT orders", 20)
            .attr("db.system.name", "mysql")
            .build();
    AssembledTrace healthyCheckoutOnPostgres =
        TraceBuilder.trace()
            .tenant("acme")
            .root("frontend", "GET /checkout", 100)
            .child("checkout", "POST /orders", 80)
            .child("checkout", "SELECT orders", 20)
            .attr("db.system.name", "postgresql")
            .build();
    AssembledTrace postgresBesideTheError =
        TraceBuilder.trace()
            .tenant("acme")
            .root("checkout", "consume order", 50)
            .error()
            .orphan("checkout", "SELECT orders", 10, 5)
            .attr("db.system.name", "postgresql")
            .build();
    // and the same match in another tenant
    AssembledTrace otherTenant =
        TraceBuilder.trace()
            .tenant("globex")
            .root("frontend", "GET /checkout", 100)
            .child("checkout", "POST /orders", 80)
            .error()
            .child("checkout", "SELECT orders", 20)
            .attr("db.system.name", "postgresql")
            .build();
    String prefix =
        QueryFixture.index(
            node,
            List.of(
                failingCheckoutOnPostgres,
                failingCheckoutOnMysql,
                healthyCheckoutOnPostgres,
                postgresBesideTheError,
                otherTenant));
    long start = TraceBuilder.START / 1_000_000_000L;
    // Grafana's search request: q, limit, spss, start and end in epoch seconds
    Map<String, String> grafana =
        Map.of(
            "limit",
            "20",
            "spss",
            "3",
            "start",
            String.valueOf(start - 60),
            "end",
            String.valueOf(start + 60));

    try (QueryServiceApp app = QueryFixture.start(node, prefix)) {
      Probe.until(
          "traces searchable",
          Duration.ofSeconds(30),
          Duration.ofMillis(200),
          () -> traceIds(search(app, "acme", grafana, "{ }")).size() == 4);

      // When Grafana runs the issue's query
      JsonNode found = search(app, "acme", grafana, ISSUE_QUERY);

      // Then exactly the one trace comes back, with the postgres span as its match
      assertThat(traceIds(found)).containsExactly(hex(failingCheckoutOnPostgres));
      JsonNode trace = found.at("/traces/0");
      assertThat(trace.get("rootServiceName").asText()).isEqualTo("frontend");
      assertThat(trace.get("rootTraceName").asText()).isEqualTo("GET /checkout");
      assertThat(trace.get("startTimeUnixNano").asText())
          .isEqualTo(Long.toString(failingCheckoutOnPostgres.spans().get(0).startEpochNanos()));
      assertThat(trace.get("durationMs").asLong()).isEqualTo(100);
      JsonNode spanSet = trace.at("/spanSets/0");
      assertThat(spanSet.get("matched").asInt()).isEqualTo(1);
      Span select = failingCheckoutOnPostgres.spans().get(2);
      JsonNode span = spanSet.at("/spans/0");
      assertThat(span.get("spanID").asText()).isEqualTo(select.spanId().toHex());
      assertThat(span.get("name").asText()).isEqualTo("SELECT orders");
      assertThat(span.get("durationNanos").asText())
          .isEqualTo(Long.toString(select.durationNanos()));
      assertThat(attribute(span, "db.system.name")).isEqualTo("postgresql");
      assertThat(attribute(span, "service.name")).isEqualTo("checkout");
      assertThat(trace.get("spanSet")).as("Tempo's deprecated single spanset").isEqualTo(spanSet);
      assertThat(found.get("partial").asBoolean()).isFalse();
      assertThat(found.at("/metrics/inspectedTraces").asInt()).isGreaterThanOrEqualTo(1);

      // and the other tenant sees only its own
      assertThat(traceIds(search(app, "globex", grafana, ISSUE_QUERY)))
          .containsExactly(hex(otherTenant));

      // Spanset operators and pipelines over stored traces
      assertThat(traceIds(search(app, "acme", grafana, "{ status = error }")))
          .containsExactlyInAnyOrder(
              hex(failingCheckoutOnPostgres),
              hex(failingCheckoutOnMysql),
              hex(postgresBesideTheError));
      assertThat(
              traceIds(
                  search(
                      app,
                      "acme",
                      grafana,
                      "{ span.db.system.name = \"postgresql\" } && { status = error }")))
          .containsExactlyInAnyOrder(hex(failingCheckoutOnPostgres), hex(postgresBesideTheError));
      assertThat(
              traceIds(
                  search(
                      app,
                      "acme",
                      grafana,
                      "{ resource.service.name = \"checkout\" } | count() > 1")))
          .hasSize(4);
      assertThat(
              traceIds(
                  search(
                      app,
                      "acme",
                      grafana,
                      "{ resource.service.name = \"frontend\" } | count() > 1")))
          .isEmpty();
      assertThat(traceIds(search(app, "acme", grafana, "{ trace:rootService = \"checkout\" }")))
          .containsExactly(hex(postgresBesideTheError));
      JsonNode selected =
          search(app, "acme", grafana, "{ status = error } | select(span.db.system.name)");
      assertThat(selected.get("traces")).hasSize(3);
      JsonNode limited = search(app, "acme", with(grafana, "limit", "1", "spss", "1"), "{ }");
      assertThat(limited.get("traces")).hasSize(1);
      assertThat(limited.at("/traces/0/spanSets/0/spans")).hasSize(1);
      assertThat(limited.at("/traces/0/spanSets/0/matched").asInt()).isGreaterThan(1);

      // Bad queries answer 400 with the position
      assertThat(badRequest(getAs(app, "acme", "/api/search", with(grafana, "q", "{ status = }"))))
          .contains("line 1, column 12");
      assertThat(
              badRequest(
                  getAs(app, "acme", "/api/search", with(grafana, "q", "{ } | frobnicate()"))))
          .contains("unknown pipeline stage");

      // Grafana's autocomplete: scoped tag names, then typed values (with its q filter)
      JsonNode tags =
          ok(
              getAs(
                  app,
                  "acme",
                  "/api/v2/search/tags",
                  Map.of(
                      "scope", "none", "start", grafana.get("start"), "end", grafana.get("end"))));
      assertThat(scopeTags(tags, "span")).contains("db.system.name");
      assertThat(scopeTags(tags, "resource")).contains("service.name");
      assertThat(scopeTags(tags, "intrinsic")).contains("status", "name", "duration", "kind");
      JsonNode resourceOnly =
          ok(getAs(app, "acme", "/api/v2/search/tags", Map.of("scope", "resource")));
      assertThat(resourceOnly.get("scopes")).hasSize(1);
      JsonNode values =
          ok(
              getAs(
                  app,
                  "acme",
                  "/api/v2/search/tag/span.db.system.name/values",
                  Map.of("q", "{ resource.service.name = \"checkout\" }")));
      assertThat(values.get("tagValues").findValuesAsText("value"))
          .containsExactlyInAnyOrder("mysql", "postgresql");
      assertThat(values.get("tagValues").findValuesAsText("type")).containsOnly("string");
      JsonNode services =
          ok(getAs(app, "acme", "/api/v2/search/tag/resource.service.name/values", Map.of()));
      assertThat(services.get("tagValues").findValuesAsText("value"))
          .containsExactly("checkout", "frontend");
      JsonNode statuses = ok(getAs(app, "acme", "/api/v2/search/tag/status/values", Map.of()));
      assertThat(statuses.get("tagValues").findValuesAsText("type")).containsOnly("keyword");
      assertThat(ok(getAs(app, "acme", "/api/status/buildinfo", Map.of())).get("version").asText())
          .matches("\\d+\\.\\d+\\.\\d+");
      assertThat(badRequest(getAs(app, "acme", "/api/v2/search/tags", Map.of("scope", "bogus"))))
          .contains("scope");
    }

    // With a bound of one inspected trace, a broad query says its answer may be partial
    try (QueryServiceApp bounded =
        QueryFixture.start(node, prefix, "traceql.max-traces-inspected", "1")) {
      JsonNode partial = search(bounded, "acme", grafana, "{ }");
      assertThat(partial.get("traces")).hasSize(1);
      assertThat(partial.get("partial").asBoolean()).isTrue();
      assertThat(partial.get("partialReason").asText()).contains("traceql.max-traces-inspected");
    }
  }

  private static JsonNode search(
      QueryServiceApp app, String tenant, Map<String, String> params, String q) throws Exception {
    return ok(getAs(app, tenant, "/api/search", with(params, "q", q)));
  }

  private static List<String> traceIds(JsonNode body) {
    List<String> ids = new ArrayList<>();
    body.get("traces").forEach(t -> ids.add(t.get("traceID").asText()));
    return ids;
  }

  private static String attribute(JsonNode span, String key) {
    for (JsonNode a : span.path("attributes")) {
      if (a.get("key").asText().equals(key)) {
        return a.at("/value/stringValue").asText();
      }
    }
    return null;
  }

  private static List<String> scopeTags(JsonNode body, String scope) {
    List<String> out = new ArrayList<>();
    for (JsonNode s : body.get("scopes")) {
      if (s.get("name").asText().equals(scope)) {
        s.get("tags").forEach(t -> out.add(t.asText()));
      }
    }
    return out;
  }

  private static String hex(AssembledTrace t) {
    return t.traceId().toHex();
  }
}
