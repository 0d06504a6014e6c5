package io.spanline.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.UnknownFieldSet;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.spanline.localinfra.Probe;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.opensearch.LocalOpenSearch;
import io.spanline.query.testing.QueryFixture;
import io.spanline.schemas.codec.otlp.OtlpProtoCodec;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.testing.TraceBuilder;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Tempo's HTTP API asked exactly as Grafana's Tempo data source asks it, over what the real index
 * sink wrote; every step names the Grafana source it was read from (grafana/grafana, {@code
 * public/app/plugins/datasource/tempo/} and {@code pkg/tsdb/tempo/}), and each answer is checked
 * field by field as that code reads it.
 *
 * <ul>
 *   <li>The browser side ({@code datasource.ts}, {@code language_provider.ts}) goes through
 *       Grafana's data source proxy with {@code Accept: application/json, text/plain, *}{@code /*};
 *       its parameters are written by {@code urlUtil.serializeParams} (@grafana/data {@code
 *       url.ts}): in the object's order, each key and value through {@code encodeURIComponent}
 *       (space as {@code %20}). Times are epoch seconds ({@code range.from.unix()}).
 *   <li>The Go backend ({@code pkg/tsdb/tempo/trace.go}, {@code traceql_query.go}) sends its own
 *       requests: trace by ID with {@code Accept: application/protobuf}, TraceQL metrics with
 *       {@code Accept: application/json}; Go's {@code url.Values.Encode} sorts the keys and writes
 *       a space as {@code +}.
 * </ul>
 *
 * <p>Neither sends a tenant of its own: the data source's custom header ({@code httpHeaderName1:
 * X-Scope-OrgID} in docs/grafana/provisioning/datasources/tempo.yaml) adds it to both, as here.
 */
@ExtendWith(LocalInfraExtension.class)
class GrafanaTempoRequestsIT {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final String BROWSER_ACCEPT = "application/json, text/plain, */*";
  private static final long START_S = TraceBuilder.START / 1_000_000_000L;

  /** A trace ID a user types in 16 hex characters (its high half zero). */
  private static final TraceId SHORT_ID = new TraceId(0, 0x5a0e1L);

  private static AssembledTrace checkout;
  private static AssembledTrace slow;
  private static AssembledTrace globex;
  private static String prefix;

  /** The traces, indexed once for the class's tests. */
  private static synchronized String indexed(LocalOpenSearch node) throws Exception {
    if (prefix != null) {
      return prefix;
    }
    checkout =
        TraceBuilder.trace()
            .tenant("acme")
            .root("frontend", "GET /checkout", 120)
            .attr("http.route", "/checkout")
            .child("checkout", "POST /orders", 80)
            .attr("http.response.status_code", 500L)
            .error()
            .child("payment", "charge", 30)
            .attr("card.type", "visa")
            .attr("app.kubernetes.io/name", "payment-api")
            .resourceAttr("host.name", "pay-1")
            .build();
    slow =
        TraceBuilder.trace()
            .tenant("acme")
            .traceId(SHORT_ID)
            .root("frontend", "GET /report", 10)
            .orphan("reports", "render", 5, 1500)
            .build();
    globex =
        TraceBuilder.trace()
            .tenant("globex")
            .root("frontend", "GET /cart", 40)
            .attr("globex.only", "yes")
            .build();
    prefix = QueryFixture.index(node, List.of(checkout, slow, globex));
    return prefix;
  }

  @Test
  void answersTheDataSourcesBrowserRequests(LocalOpenSearch node) throws Exception {
    try (QueryServiceApp app = QueryFixture.start(node, indexed(node))) {
      awaitSearchable(app);

      // datasource.ts testDatasource (Save & test): GET {url}/api/echo, no parameters; any 2xx
      // is "working" (and when streaming is on in the data source, a streaming search, which
      // Spanline does not serve: the provisioning file turns it off). Tempo answers text "echo".
      HttpResponse<byte[]> echo = browser(app, "/api/echo");
      assertThat(echo.statusCode()).isEqualTo(200);
      assertThat(new String(echo.body(), StandardCharsets.UTF_8)).isEqualTo("echo");

      // datasource.ts init: GET {url}/api/status/buildinfo, no parameters; `version` is compared
      // by semver with featuresToTempoVersion: searchStreaming from 2.2.0, metricsStreaming from
      // 2.7.0. Spanline serves neither stream (gRPC), so the level it answers stays below 2.7.0
      // and the provisioning file turns streaming off.
      JsonNode buildInfo = ok(browser(app, "/api/status/buildinfo"));
      String version = buildInfo.get("version").asText();
      assertThat(version).matches("\\d+\\.\\d+\\.\\d+");
      assertThat(semver(version)).isBetween(semver("2.2.0"), semver("2.6.99"));

      // language_provider.ts fetchTags: GET {url}/api/v2/search/tags with no parameters (an
      // empty params array); the newest version adds limit (5000, the tag limit setting) and,
      // with a "time range for tags" setting, start and end. It reads scopes[].name and
      // scopes[].tags: getIntrinsicTags (scope "intrinsic") for the query builder's fields that
      // take no scope, getTagsByScope / getUnscopedTags (span and resource) for the others.
      for (String path :
          List.of(
              "/api/v2/search/tags",
              "/api/v2/search/tags?limit=5000",
              // getTimeRangeForTags: the last timeRangeForTags seconds (here an hour) of the range
              "/api/v2/search/tags?limit=5000&start="
                  + (START_S + 1800 - 3600)
                  + "&end="
                  + (START_S + 1800))) {
        JsonNode tags = ok(browser(app, path));
        assertThat(scopeNames(tags)).as(path).contains("span", "resource", "intrinsic");
        assertThat(scopeTags(tags, "intrinsic"))
            .as(path)
            .contains("name", "status", "duration", "kind", "traceDuration", "rootServiceName")
            .doesNotContain("service.name");
        assertThat(scopeTags(tags, "resource")).as(path).contains("service.name", "host.name");
        assertThat(scopeTags(tags, "span"))
            .as(path)
            .contains("http.route", "http.response.status_code", "card.type")
            .doesNotContain("globex.only", "host.name");
      }

      // language_provider.ts fetchTags, the v1 fallback when v2 fails: GET {url}/api/search/tags;
      // it reads tagNames
      assertThat(texts(ok(browser(app, "/api/search/tags")).get("tagNames")))
          .contains("service.name", "http.route", "card.type")
          .doesNotContain("globex.only");

      // language_provider.ts getOptionsV2 (the query builder's value drop-downs, TraceQL editor
      // value completion, ad hoc filters): GET {url}/api/v2/search/tag/{encodeTag(tag)}/values,
      // the tag scoped as filterScopedTag writes it (resource.service.name; an intrinsic bare),
      // encodeTag = encodeURIComponent twice; q = the query of the other filters
      // (generateQueryFromFilters: `{` filters joined by ` && ` `}`, `{}` when none), and in the
      // newest version limit. It reads tagValues[].type and .value and skips empty values.
      JsonNode services =
          ok(
              browser(
                  app,
                  "/api/v2/search/tag/"
                      + encodeTag("resource.service.name")
                      + "/values?"
                      + params("q", "{}")));
      assertThat(valuesOf(services)).containsExactly("checkout", "frontend", "payment", "reports");
      assertThat(typesOf(services)).containsOnly("string");
      JsonNode names =
          ok(
              browser(
                  app,
                  "/api/v2/search/tag/"
                      + encodeTag("name")
                      + "/values?"
                      + params("q", "{resource.service.name=\"checkout\"}", "limit", "5000")));
      assertThat(valuesOf(names)).contains("POST /orders", "GET /checkout", "charge");
      assertThat(typesOf(names)).containsOnly("string");
      // status is an enum intrinsic (traceql.ts enumIntrinsics): keyword values, written unquoted
      JsonNode statuses = ok(browser(app, "/api/v2/search/tag/" + encodeTag("status") + "/values"));
      assertThat(valuesOf(statuses)).containsExactlyInAnyOrder("error", "ok", "unset");
      assertThat(typesOf(statuses)).containsOnly("keyword");
      JsonNode kinds = ok(browser(app, "/api/v2/search/tag/" + encodeTag("kind") + "/values"));
      assertThat(valuesOf(kinds)).contains("server", "client", "internal");
      assertThat(typesOf(kinds)).containsOnly("keyword");
      // a span attribute keeps its type: an int is offered as int (valueHelper leaves it unquoted)
      JsonNode codes =
          ok(
              browser(
                  app,
                  "/api/v2/search/tag/"
                      + encodeTag("span.http.response.status_code")
                      + "/values?"
                      + params("q", "{}")));
      assertThat(codes.get("tagValues")).hasSize(1);
      assertThat(codes.at("/tagValues/0/type").asText()).isEqualTo("int");
      assertThat(codes.at("/tagValues/0/value").asText()).isEqualTo("500");
      // the TraceQL editor's unscoped attribute (`.card.type`)
      JsonNode cards =
          ok(browser(app, "/api/v2/search/tag/" + encodeTag(".card.type") + "/values"));
      assertThat(valuesOf(cards)).containsExactly("visa");
      // encodeTag escapes twice because Grafana's data source proxy decodes the path once: a tag
      // with a slash arrives escaped once or, depending on the proxy, still twice; both are read
      String k8sName = "span.app.kubernetes.io/name";
      for (String path :
          List.of(
              "/api/v2/search/tag/" + encodeTag(k8sName) + "/values",
              "/api/v2/search/tag/" + encodeUriComponent(k8sName) + "/values")) {
        assertThat(valuesOf(ok(browser(app, path)))).as(path).containsExactly("payment-api");
      }

      // language_provider.ts getOptionsV1, the v1 fallback: GET
      // {url}/api/search/tag/{encodeTag(tag)}/values, no parameters; it reads tagValues as strings
      assertThat(
              texts(
                  ok(browser(app, "/api/search/tag/" + encodeTag("service.name") + "/values"))
                      .get("tagValues")))
          .containsExactly("checkout", "frontend", "payment", "reports");
      assertThat(
              texts(
                  ok(browser(
                          app,
                          "/api/search/tag/" + encodeTag("app.kubernetes.io/name") + "/values"))
                      .get("tagValues")))
          .containsExactly("payment-api");

      // datasource.ts handleTraceQlQuery (the TraceQL editor): GET {url}/api/search with q,
      // limit (the query's, default DEFAULT_LIMIT 20), spss (default DEFAULT_SPSS 3), start and
      // end (range.from.unix(), range.to.unix()), in that order. resultTransformer.ts
      // createTableFrameFromTraceQlQuery / traceSubFrame / transformSpanToTraceData read the
      // answer as checked below.
      String window = "&start=" + (START_S - 1800) + "&end=" + (START_S + 1800);
      JsonNode found =
          ok(
              browser(
                  app,
                  "/api/search?"
                      + params(
                          "q",
                          "{ resource.service.name = \"checkout\" && status = error }",
                          "limit",
                          "20",
                          "spss",
                          "3")
                      + window));
      assertThat(found.get("traces")).hasSize(1);
      JsonNode trace = found.at("/traces/0");
      // traceID (the link to the trace), rootServiceName, rootTraceName
      assertThat(trace.get("traceID").asText()).isEqualTo(checkout.traceId().toHex());
      assertThat(trace.get("rootServiceName").asText()).isEqualTo("frontend");
      assertThat(trace.get("rootTraceName").asText()).isEqualTo("GET /checkout");
      // startTimeUnixNano: parseInt(…, 10) / 1e6 gives the start in ms, so a decimal string
      assertThat(trace.get("startTimeUnixNano").isTextual()).isTrue();
      assertThat(Long.parseLong(trace.get("startTimeUnixNano").asText()))
          .isEqualTo(TraceBuilder.START);
      // durationMs: a number of milliseconds ("<1ms" when absent or 0)
      assertThat(trace.get("durationMs").isNumber()).isTrue();
      assertThat(trace.get("durationMs").asLong()).isEqualTo(120);
      // spanSets (preferred) or the deprecated spanSet: spans[].spanID, .name, .startTimeUnixNano
      // (parseInt / 1e6), .durationNanos (parseInt), .attributes[].key and .value's stringValue /
      // intValue / doubleValue / boolValue; the spanset's attributes likewise
      JsonNode spanSet = trace.at("/spanSets/0");
      Span orders = checkout.spans().get(1);
      JsonNode span = spanSet.at("/spans/0");
      assertThat(span.get("spanID").asText()).isEqualTo(orders.spanId().toHex());
      assertThat(span.get("name").asText()).isEqualTo("POST /orders");
      assertThat(Long.parseLong(span.get("startTimeUnixNano").asText()))
          .isEqualTo(orders.startEpochNanos());
      assertThat(Long.parseLong(span.get("durationNanos").asText()))
          .isEqualTo(orders.durationNanos());
      assertThat(attribute(span, "service.name").get("stringValue").asText()).isEqualTo("checkout");
      assertThat(spanSet.get("matched").asInt()).isEqualTo(1);
      assertThat(trace.get("spanSet")).isEqualTo(spanSet);
      // a span attribute of the query shows its own type (intValue, OTLP/JSON's decimal string)
      JsonNode selected =
          ok(
              browser(
                  app,
                  "/api/search?"
                      + params(
                          "q",
                          "{ status = error } | select(span.http.response.status_code)",
                          "limit",
                          "20",
                          "spss",
                          "3")
                      + window));
      assertThat(
              attribute(selected.at("/traces/0/spanSets/0/spans/0"), "http.response.status_code")
                  .get("intValue")
                  .asText())
          .isEqualTo("500");

      // datasource.ts, the query builder (queryType traceqlSearch): the same request, q from
      // language_provider.ts generateQueryFromFilters / SearchTraceQLEditor/utils.ts
      // filterToQuerySection: no spaces around operators, intrinsics without scope, strings
      // quoted, enums and numbers bare, several values of `=` as `(a || b)`, of `=~` as "a|b",
      // DurationInput's duration (or traceDuration, for the trace's) with its unit; `{}` when empty
      assertThat(
              builderSearch(
                  app,
                  "{resource.service.name=\"checkout\" && name=\"POST /orders\" && status=error}",
                  window))
          .containsExactly(checkout.traceId().toHex());
      assertThat(
              builderSearch(
                  app,
                  "{(resource.service.name=\"payment\" || resource.service.name=\"reports\")}",
                  window))
          .containsExactlyInAnyOrder(checkout.traceId().toHex(), slow.traceId().toHex());
      assertThat(builderSearch(app, "{resource.service.name=~\"pay.*|rep.*\"}", window))
          .containsExactlyInAnyOrder(checkout.traceId().toHex(), slow.traceId().toHex());
      assertThat(builderSearch(app, "{span.http.response.status_code=500}", window))
          .containsExactly(checkout.traceId().toHex());
      assertThat(builderSearch(app, "{duration>1s}", window))
          .containsExactly(slow.traceId().toHex());
      assertThat(builderSearch(app, "{traceDuration>100ms}", window))
          .containsExactlyInAnyOrder(checkout.traceId().toHex(), slow.traceId().toHex());
      assertThat(builderSearch(app, "{}", window))
          .containsExactlyInAnyOrder(checkout.traceId().toHex(), slow.traceId().toHex());
      // a query that does not parse: Grafana shows err.data.message
      HttpResponse<byte[]> bad =
          browser(
              app, "/api/search?" + params("q", "{status=}", "limit", "20", "spss", "3") + window);
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(QueryFixture.JSON.readTree(bad.body()).at("/error/message").asText())
          .contains("line 1, column");

      // Grafana 9's nativeSearch (datasource.ts buildSearchQuery; newer versions migrate it to
      // TraceQL): GET {url}/api/search with tags (logfmt; service and span name appended as
      // ` service.name="…"`, so a leading space), minDuration, maxDuration (Go durations, spaces
      // removed), limit (default 20), start, end; createTableFrameFromSearch reads traceID,
      // rootServiceName, rootTraceName, startTimeUnixNano, durationMs
      JsonNode nativeSearch =
          ok(
              browser(
                  app,
                  "/api/search?"
                      + params(
                          "tags",
                          " service.name=\"reports\" name=\"render\"",
                          "minDuration",
                          "1s",
                          "limit",
                          "20")
                      + window));
      assertThat(nativeSearch.get("traces")).hasSize(1);
      JsonNode nativeTrace = nativeSearch.at("/traces/0");
      assertThat(nativeTrace.get("traceID").asText()).isEqualTo(slow.traceId().toHex());
      assertThat(nativeTrace.get("rootServiceName").asText()).isEqualTo("frontend");
      assertThat(nativeTrace.get("rootTraceName").asText()).isEqualTo("GET /report");
      assertThat(Long.parseLong(nativeTrace.get("startTimeUnixNano").asText()))
          .isEqualTo(TraceBuilder.START);
      assertThat(nativeTrace.get("durationMs").asLong()).isEqualTo(1505);

      // the other tenant, through its own data source header, sees only its own
      assertThat(
              texts(
                  ok(get(
                          app,
                          "/api/search/tag/" + encodeTag("service.name") + "/values",
                          BROWSER_ACCEPT,
                          "globex"))
                      .get("tagValues")))
          .containsExactly("frontend");
    }
  }

  @Test
  void answersTheBackendsTraceByIdRequests(LocalOpenSearch node) throws Exception {
    try (QueryServiceApp app = QueryFixture.start(node, indexed(node))) {
      awaitSearchable(app);

      // pkg/tsdb/tempo/trace.go getTrace / createRequest: GET {url}/api/v2/traces/{query} with
      // Accept: application/protobuf; the trace ID as typed (datasource.ts isTraceIdQuery: hex
      // only, trimmed); no start/end when the data source's time shift is off (the range is
      // then epoch 0), else start and end in epoch seconds. The body is
      // tempopb.TraceByIDResponse: trace (1) → ResourceSpans (1), status (3: PARTIAL = 1),
      // message (4), read by TraceToFrame and frame.Meta.Custom["partial"].
      HttpResponse<byte[]> v2 = backend(app, "/api/v2/traces/" + checkout.traceId().toHex());
      assertThat(v2.statusCode()).isEqualTo(200);
      assertThat(v2.headers().firstValue("content-type")).contains("application/protobuf");
      UnknownFieldSet response = UnknownFieldSet.parseFrom(v2.body());
      assertThat(decodeTrace(response)).containsExactlyInAnyOrderElementsOf(checkout.spans());
      assertThat(response.hasField(3)).as("status COMPLETE is the default, 0").isFalse();

      // with the time shift on: ?start=…&end=… (range ± spanStartTimeShift/spanEndTimeShift)
      HttpResponse<byte[]> shifted =
          backend(
              app,
              "/api/v2/traces/"
                  + checkout.traceId().toHex()
                  + "?start="
                  + (START_S - 1800)
                  + "&end="
                  + (START_S + 1800));
      assertThat(shifted.statusCode()).isEqualTo(200);
      assertThat(decodeTrace(UnknownFieldSet.parseFrom(shifted.body())))
          .containsExactlyInAnyOrderElementsOf(checkout.spans());

      // a trace ID typed in 16 hex characters, and in capitals
      HttpResponse<byte[]> shortId = backend(app, "/api/v2/traces/" + "000000000005a0e1");
      assertThat(decodeTrace(UnknownFieldSet.parseFrom(shortId.body())))
          .containsExactlyInAnyOrderElementsOf(slow.spans());
      HttpResponse<byte[]> upper =
          backend(app, "/api/v2/traces/" + checkout.traceId().toHex().toUpperCase());
      assertThat(upper.statusCode()).isEqualTo(200);

      // a 404 on v2 makes trace.go retry v1 (an older Tempo): GET {url}/api/traces/{query}, same
      // Accept, the body tempopb.Trace (ResourceSpans as field 1, read as OTLP TracesData here)
      HttpResponse<byte[]> v1 = backend(app, "/api/traces/" + checkout.traceId().toHex());
      assertThat(v1.statusCode()).isEqualTo(200);
      assertThat(OtlpProtoCodec.decode(TracesData.parseFrom(v1.body()).toByteArray()))
          .containsExactlyInAnyOrderElementsOf(checkout.spans());

      // an unknown trace: 404 on both, so Grafana shows "failed to get trace with id: … Status:
      // 404 Not Found Body: …" with Spanline's message
      String unknown = new TraceId(0x0123L, 0x4567L).toHex();
      for (String path : List.of("/api/v2/traces/" + unknown, "/api/traces/" + unknown)) {
        HttpResponse<byte[]> missing = backend(app, path);
        assertThat(missing.statusCode()).as(path).isEqualTo(404);
        assertThat(new String(missing.body(), StandardCharsets.UTF_8)).contains("not found");
      }
      // another tenant's trace is not found either
      assertThat(
              get(app, "/api/v2/traces/" + globex.traceId().toHex(), "application/protobuf", "acme")
                  .statusCode())
          .isEqualTo(404);
    }

    // a trace cut at trace.max-spans: status PARTIAL (1) and a message, which Grafana shows
    try (QueryServiceApp capped = QueryFixture.start(node, indexed(node), "trace.max-spans", "1")) {
      HttpResponse<byte[]> v2 = backend(capped, "/api/v2/traces/" + checkout.traceId().toHex());
      assertThat(v2.statusCode()).isEqualTo(200);
      UnknownFieldSet response = UnknownFieldSet.parseFrom(v2.body());
      assertThat(decodeTrace(response)).hasSize(1);
      assertThat(response.getField(3).getVarintList()).containsExactly(1L);
      assertThat(response.getField(4).getLengthDelimitedList().get(0).toStringUtf8())
          .contains("trace.max-spans");
    }
  }

  @Test
  void answersFeaturesSpanlineDoesNotOffer_withAClearError(LocalOpenSearch node) throws Exception {
    try (QueryServiceApp app = QueryFixture.start(node, indexed(node))) {
      // pkg/tsdb/tempo/traceql_query.go createMetricsQuery, for a query with a metrics function
      // (datasource.ts isTraceQlMetricsQuery): GET {url}/api/metrics/query_range (instant:
      // /api/metrics/query) with q, start, end (epoch seconds), step and exemplars when set, keys
      // sorted (Go url.Values), Accept: application/json. A non-200 answer is shown as "failed to
      // execute TraceQL query: … Status: … Body: …": Spanline answers 404 saying why.
      String metricsQuery = "{ resource.service.name = \"checkout\" } | rate()";
      for (String path :
          List.of(
              "/api/metrics/query_range?end="
                  + (START_S + 1800)
                  + "&exemplars=100&q="
                  + URLEncoder.encode(metricsQuery, StandardCharsets.UTF_8)
                  + "&start="
                  + (START_S - 1800)
                  + "&step=60s",
              "/api/metrics/query?end="
                  + (START_S + 1800)
                  + "&q="
                  + URLEncoder.encode(metricsQuery, StandardCharsets.UTF_8)
                  + "&start="
                  + (START_S - 1800),
              // Grafana 10's metrics summary (aggregate by; deprecated since): q, groupBy, start,
              // end
              "/api/metrics/summary?"
                  + params("q", "{}", "groupBy", "resource.service.name")
                  + "&start="
                  + (START_S - 1800)
                  + "&end="
                  + (START_S + 1800))) {
        HttpResponse<byte[]> answer = get(app, path, "application/json", "acme");
        assertThat(answer.statusCode()).as(path).isEqualTo(404);
        assertThat(QueryFixture.JSON.readTree(answer.body()).at("/error/message").asText())
            .as(path)
            .contains("TraceQL metrics")
            .contains("not supported");
      }

      // the same metrics query sent as a search (the frontend without its metrics check): 400
      // saying metrics are not supported, never a 200 with traces
      HttpResponse<byte[]> asSearch =
          browser(
              app,
              "/api/search?"
                  + params("q", metricsQuery, "limit", "20", "spss", "3")
                  + "&start="
                  + (START_S - 1800)
                  + "&end="
                  + (START_S + 1800));
      assertThat(asSearch.statusCode()).isEqualTo(400);
      assertThat(QueryFixture.JSON.readTree(asSearch.body()).at("/error/message").asText())
          .contains("TraceQL metrics")
          .contains("not supported");
    }
  }

  private static void awaitSearchable(QueryServiceApp app) throws Exception {
    Probe.until(
        "traces searchable",
        Duration.ofSeconds(30),
        Duration.ofMillis(200),
        () ->
            builderSearch(app, "{}", "&start=" + (START_S - 1800) + "&end=" + (START_S + 1800))
                    .size()
                == 2);
  }

  /** The query builder's search: q, limit, spss, start, end as datasource.ts sends them. */
  private static List<String> builderSearch(QueryServiceApp app, String q, String window)
      throws Exception {
    JsonNode body =
        ok(browser(app, "/api/search?" + params("q", q, "limit", "20", "spss", "3") + window));
    List<String> ids = new ArrayList<>();
    body.get("traces").forEach(t -> ids.add(t.get("traceID").asText()));
    return ids;
  }

  /** A request of Grafana's browser-side data source, as the data source proxy passes it on. */
  private static HttpResponse<byte[]> browser(QueryServiceApp app, String pathAndQuery)
      throws Exception {
    return get(app, pathAndQuery, BROWSER_ACCEPT, "acme");
  }

  /** A request of Grafana's Go backend for trace by ID. */
  private static HttpResponse<byte[]> backend(QueryServiceApp app, String pathAndQuery)
      throws Exception {
    return get(app, pathAndQuery, "application/protobuf", "acme");
  }

  private static HttpResponse<byte[]> get(
      QueryServiceApp app, String pathAndQuery, String accept, String tenant) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + pathAndQuery))
            .header("Accept", accept)
            .header("X-Scope-OrgID", tenant)
            .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
  }

  private static JsonNode ok(HttpResponse<byte[]> r) throws Exception {
    return QueryFixture.ok(r);
  }

  /** {@code urlUtil.serializeParams}: key=value pairs in order, through encodeURIComponent. */
  private static String params(String... kv) {
    List<String> pairs = new ArrayList<>();
    for (int i = 0; i < kv.length; i += 2) {
      pairs.add(encodeUriComponent(kv[i]) + "=" + encodeUriComponent(kv[i + 1]));
    }
    return String.join("&", pairs);
  }

  /** language_provider.ts encodeTag: encodeURIComponent applied twice. */
  private static String encodeTag(String tag) {
    return encodeUriComponent(encodeUriComponent(tag));
  }

  /** JavaScript's encodeURIComponent: all but {@code A-Z a-z 0-9 - _ . ! ~ * ' ( )} escaped. */
  private static String encodeUriComponent(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8)
        .replace("+", "%20")
        .replace("%21", "!")
        .replace("%7E", "~")
        .replace("%27", "'")
        .replace("%28", "(")
        .replace("%29", ")");
  }

  /** tempopb.TraceByIDResponse's trace (field 1), a tempopb.Trace = OTLP TracesData bytes. */
  private static List<Span> decodeTrace(UnknownFieldSet response) throws Exception {
    assertThat(response.hasField(1)).as("trace field").isTrue();
    byte[] trace = response.getField(1).getLengthDelimitedList().get(0).toByteArray();
    return OtlpProtoCodec.decode(TracesData.parseFrom(trace).toByteArray());
  }

  private static int semver(String version) {
    String[] parts = version.split("\\.");
    return Integer.parseInt(parts[0]) * 1_000_000
        + Integer.parseInt(parts[1]) * 1_000
        + Integer.parseInt(parts[2]);
  }

  private static List<String> scopeNames(JsonNode tags) {
    List<String> out = new ArrayList<>();
    tags.get("scopes").forEach(s -> out.add(s.get("name").asText()));
    return out;
  }

  private static List<String> scopeTags(JsonNode tags, String scope) {
    List<String> out = new ArrayList<>();
    for (JsonNode s : tags.get("scopes")) {
      if (s.get("name").asText().equals(scope)) {
        s.get("tags").forEach(t -> out.add(t.asText()));
      }
    }
    return out;
  }

  private static List<String> valuesOf(JsonNode tagValues) {
    List<String> out = new ArrayList<>();
    tagValues.get("tagValues").forEach(v -> out.add(v.get("value").asText()));
    return out;
  }

  private static List<String> typesOf(JsonNode tagValues) {
    List<String> out = new ArrayList<>();
    tagValues.get("tagValues").forEach(v -> out.add(v.get("type").asText()));
    return out;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  /** The OTLP/JSON value of a span's attribute in a search answer. */
  private static JsonNode attribute(JsonNode span, String key) {
    for (JsonNode a : span.path("attributes")) {
      if (a.get("key").asText().equals(key)) {
        return a.get("value");
      }
    }
    throw new AssertionError("no attribute " + key + " in " + span);
  }
}
