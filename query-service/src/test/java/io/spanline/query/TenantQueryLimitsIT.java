package io.spanline.query;

import static io.spanline.query.testing.QueryFixture.getAs;
import static io.spanline.query.testing.QueryFixture.ok;
import static io.spanline.query.testing.QueryFixture.with;
import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.localinfra.Probe;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.opensearch.LocalOpenSearch;
import io.spanline.query.testing.QueryFixture;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.testing.TraceBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tenant-limits file's {@code query-max-results} at the query service, over a real OpenSearch:
 * a tenant's searches return at most its limit in the native, Jaeger and Tempo APIs, others are not
 * affected, and a reloaded file applies to the next request.
 */
@ExtendWith(LocalInfraExtension.class)
class TenantQueryLimitsIT {
  @Test
  void aTenantsSearchesReturnAtMostItsResultLimit_andAReloadAppliesToTheNextRequest(
      LocalOpenSearch node, @TempDir Path dir) throws Exception {
    // Given 5 traces of acme and 5 of globex, and a file limiting acme to 2 results
    List<AssembledTrace> traces = new ArrayList<>();
    for (String tenant : List.of("acme", "globex")) {
      for (int i = 0; i < 5; i++) {
        traces.add(
            TraceBuilder.trace()
                .tenant(tenant)
                .root("frontend", "GET /" + i, 10)
                .child("db", "q", 5)
                .build());
      }
    }
    String prefix = QueryFixture.index(node, traces);
    Path file = dir.resolve("tenant-limits.yaml");
    Files.writeString(file, "overrides:\n  acme:\n    query-max-results: 2\n");
    try (QueryServiceApp app =
        QueryFixture.start(
            node,
            prefix,
            "tenant-limits.file",
            file.toString(),
            "tenant-limits.reload.interval.ms",
            "100")) {
      Map<String, String> window = new LinkedHashMap<>();
      long startSeconds = TraceBuilder.START / 1_000_000_000L;
      window.put("from", Instant.ofEpochSecond(startSeconds - 60).toString());
      window.put("to", Instant.ofEpochSecond(startSeconds + 60).toString());
      window.put("service", "frontend");
      window.put("limit", "20");
      Probe.until(
          "globex's traces searchable",
          Duration.ofSeconds(30),
          Duration.ofMillis(200),
          () -> nativeSearch(app, window, "globex") == 5);

      // Then acme gets 2 traces from each API, globex all 5
      assertThat(nativeSearch(app, window, "acme")).isEqualTo(2);
      Map<String, String> jaeger = new LinkedHashMap<>();
      jaeger.put("service", "frontend");
      jaeger.put("start", String.valueOf((startSeconds - 60) * 1_000_000L));
      jaeger.put("end", String.valueOf((startSeconds + 60) * 1_000_000L));
      jaeger.put("limit", "20");
      assertThat(ok(getAs(app, "acme", "/jaeger/api/traces", jaeger)).get("data").size())
          .isEqualTo(2);
      assertThat(ok(getAs(app, "globex", "/jaeger/api/traces", jaeger)).get("data").size())
          .isEqualTo(5);
      Map<String, String> tempo = new LinkedHashMap<>();
      tempo.put("tags", "service.name=frontend");
      tempo.put("start", String.valueOf(startSeconds - 60));
      tempo.put("end", String.valueOf(startSeconds + 60));
      assertThat(ok(getAs(app, "acme", "/api/search", tempo)).get("traces").size()).isEqualTo(2);

      String metrics = new String(adminMetrics(app), StandardCharsets.UTF_8);
      assertThat(metrics).contains("spanline_query_results_capped_total{tenant=\"acme\"} 3.0");

      // When the file raises acme's limit, the next request follows it
      Files.writeString(file, "overrides:\n  acme:\n    query-max-results: 4\n");
      Probe.until(
          "acme's new limit",
          Duration.ofSeconds(30),
          Duration.ofMillis(100),
          () -> nativeSearch(app, window, "acme") == 4);
      assertThat(nativeSearch(app, with(window, "limit", "3"), "acme")).isEqualTo(3);
    }
  }

  private static byte[] adminMetrics(QueryServiceApp app) throws Exception {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .build()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.adminPort() + "/metrics"))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray())
        .body();
  }

  private static int nativeSearch(QueryServiceApp app, Map<String, String> params, String tenant)
      throws Exception {
    return ok(getAs(app, tenant, "/v1/traces/search", params)).get("traces").size();
  }
}
