package io.spanline.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.spanline.localinfra.Probe;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.opensearch.LocalOpenSearch;
import io.spanline.query.testing.QueryFixture;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanEvent;
import io.spanline.schemas.model.SpanLink;
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
 * Jaeger's HTTP API under {@code /jaeger/api} over what the real index sink wrote, asked exactly as
 * its two clients ask it:
 *
 * <ul>
 *   <li>the Jaeger UI (jaegertracing/jaeger-ui {@code packages/jaeger-ui/src/api/jaeger.ts}: {@code
 *       fetchServices}, {@code fetchServiceOperations}, {@code fetchServiceServerOps}, {@code
 *       fetchTrace}, {@code searchTraces}, {@code fetchDependencies}; the search's parameters as
 *       {@code components/SearchTracePage/SearchForm.jsx} {@code submitForm} builds them and {@code
 *       query-string} writes them: keys sorted, null values as bare keys; {@code
 *       actions/jaeger-api.ts} {@code fetchMultipleTraces} for trace IDs), with the browser's
 *       {@code Accept: *}{@code /*};
 *   <li>Grafana's Jaeger data source (grafana/grafana {@code
 *       public/app/plugins/datasource/jaeger/datasource.ts}: {@code testDatasource}, the search,
 *       trace by ID with {@code traceIdTimeParams}, the dependency graph; {@code
 *       components/SearchForm.tsx} for services and operations; the backend client {@code
 *       pkg/tsdb/jaeger/client.go}, whose Go {@code url.Values} sorts keys and writes spaces as
 *       {@code +}), with Grafana's {@code Accept: application/json, text/plain, *}{@code /*}.
 * </ul>
 *
 * <p>Neither client sends a tenant: the proxy in front (or Grafana's data source header setting)
 * adds {@code X-Scope-OrgID}, which these requests carry as it would.
 */
@ExtendWith(LocalInfraExtension.class)
class JaegerHttpApiIT {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final String UI_ACCEPT = "*/*";
  private static final String GRAFANA_ACCEPT = "application/json, text/plain, */*";
  private static final long START_US = TraceBuilder.START / 1000;
  private static final long START_MS = TraceBuilder.START / 1_000_000;
  private static final long HOUR_US = 3_600_000_000L;

  /** A trace ID whose high half is zero: Jaeger writes it in 16 hex characters. */
  private static final TraceId SHORT_ID = new TraceId(0, 0x5a0e1L);

  private static final TraceId UNKNOWN_ID = new TraceId(0x0123L, 0x4567L);

  private static AssembledTrace checkout;
  private static AssembledTrace slow;
  private static AssembledTrace skewed;
  private static AssembledTrace globex;
  private static String prefix;

  /** The traces, indexed once for the class's tests. */
  private static synchronized String indexed(LocalOpenSearch node) throws Exception {
    if (prefix != null) {
      return prefix;
    }
    slow =
        TraceBuilder.trace()
            .tenant("acme")
            .traceId(SHORT_ID)
            .root("frontend", "GET /report", 10)
            .orphan("reports", "render", 2000, 1500)
            .build();
    AssembledTrace built =
        TraceBuilder.trace()
            .tenant("acme")
            .root("frontend", "GET /checkout", 120)
            .attr("http.route", "/checkout")
            .child("checkout", "POST /orders", 80)
            .attr("http.response.status_code", 500L)
            .error()
            .child("payment", "charge", 30)
            .attr("card.type", "visa")
            .resourceAttr("host.name", "pay-1")
            .build();
    List<Span> spans = new ArrayList<>(built.spans());
    Span payment = spans.get(2);
    spans.set(
        2,
        payment.toBuilder()
            .addEvent(
                new SpanEvent(
                    payment.startEpochNanos() + 1_000_000,
                    "retry",
                    List.of(Attribute.of("attempt", 2L)),
                    0))
            .addLink(new SpanLink(SHORT_ID, slow.spans().get(0).spanId(), "", List.of(), 0, 0))
            .build());
    checkout = AssembledTrace.of("acme", built.traceId(), 0, spans);
    // a child on another host whose clock is 90 ms behind: it seems to start before its parent
    AssembledTrace skewedBuilt =
        TraceBuilder.trace()
            .tenant("acme")
            .root("gateway", "GET /stock", 100)
            .resourceAttr("host.name", "gw-1")
            .child("inventory", "count", 20)
            .resourceAttr("host.name", "inv-1")
            .build();
    Span inventory = skewedBuilt.spans().get(1);
    skewed =
        AssembledTrace.of(
            "acme",
            skewedBuilt.traceId(),
            0,
            List.of(
                skewedBuilt.spans().get(0),
                inventory.toBuilder()
                    .time(TraceBuilder.START - 50_000_000, TraceBuilder.START - 30_000_000)
                    .build()));
    AssembledTrace cart =
        TraceBuilder.trace().tenant("acme").root("cart service", "load cart", 5).build();
    globex =
        TraceBuilder.trace()
            .tenant("globex")
            .root("frontend", "GET /cart", 40)
            .attr("globex.only", "yes")
            .child("globex-db", "SELECT", 5)
            .build();
    prefix = QueryFixture.index(node, List.of(checkout, slow, skewed, cart, globex));
    return prefix;
  }

  @Test
  void answersTheJaegerUisRequests(LocalOpenSearch node) throws Exception {
    try (QueryServiceApp app = QueryFixture.start(node, indexed(node))) {
      awaitSearchable(app);

      // fetchServices: GET {apiRoot}services
      JsonNode services = ok(ui(app, "acme", "/jaeger/api/services"));
      assertThat(texts(services.get("data")))
          .containsExactly(
              "cart service", "checkout", "frontend", "gateway", "inventory", "payment", "reports");
      assertEnvelope(services, 7);

      // fetchServiceOperations: GET {apiRoot}services/{encodeURIComponent(service)}/operations
      JsonNode operations = ok(ui(app, "acme", "/jaeger/api/services/frontend/operations"));
      assertThat(texts(operations.get("data"))).containsExactly("GET /checkout", "GET /report");
      assertEnvelope(operations, 2);

      // fetchServiceServerOps: GET {apiRoot}operations?service=…&spanKind=server
      JsonNode serverOps =
          ok(ui(app, "acme", "/jaeger/api/operations?service=checkout&spanKind=server"));
      assertThat(serverOps.get("data")).isEmpty();
      JsonNode frontendOps =
          ok(ui(app, "acme", "/jaeger/api/operations?service=frontend&spanKind=server"));
      assertThat(frontendOps.get("data")).hasSize(2);
      assertThat(frontendOps.at("/data/0/name").asText()).isEqualTo("GET /checkout");
      assertThat(frontendOps.at("/data/0/spanKind").asText()).isEqualTo("server");
      assertEnvelope(frontendOps, 2);

      // searchTraces as SearchForm submitForm sends it with a custom range: keys sorted, the
      // empty durations as bare keys, tags as a JSON object
      JsonNode found =
          ok(
              ui(
                  app,
                  "acme",
                  "/jaeger/api/traces?"
                      + query(
                          "end",
                          String.valueOf(START_US + HOUR_US),
                          "limit",
                          "20",
                          "lookback",
                          "custom",
                          "maxDuration",
                          null,
                          "minDuration",
                          null,
                          "service",
                          "checkout",
                          "start",
                          String.valueOf(START_US - HOUR_US),
                          "tags",
                          "{\"http.response.status_code\":\"500\"}")));
      assertEnvelope(found, 0);
      assertThat(found.get("data")).hasSize(1);
      assertCheckoutTrace(found.at("/data/0"));

      // per-span durations, as Jaeger searches: the 1.5 s span is found, not its 10 ms root
      String window =
          "&start=" + (START_US - HOUR_US) + "&end=" + (START_US + HOUR_US) + "&limit=20";
      JsonNode slowFound =
          ok(ui(app, "acme", "/jaeger/api/traces?minDuration=1s&service=reports" + window));
      assertThat(slowFound.at("/data/0/traceID").asText()).isEqualTo("000000000005a0e1");
      assertThat(
              ok(ui(app, "acme", "/jaeger/api/traces?minDuration=1s&service=frontend" + window))
                  .get("data"))
          .isEmpty();

      // fetchTrace: GET {apiRoot}traces/{id}, no parameters; the 16-character form too
      JsonNode byId = ok(ui(app, "acme", "/jaeger/api/traces/" + checkout.traceId().toHex()));
      assertEnvelope(byId, 0);
      assertThat(byId.get("data")).hasSize(1);
      assertCheckoutTrace(byId.at("/data/0"));
      JsonNode shortId = ok(ui(app, "acme", "/jaeger/api/traces/000000000005a0e1"));
      assertThat(shortId.at("/data/0/traceID").asText()).isEqualTo("000000000005a0e1");
      assertThat(shortId.at("/data/0/spans")).hasSize(2);

      // clock skew adjusted as jaeger-query does, unless raw=true
      JsonNode adjusted =
          span(
              ok(ui(app, "acme", "/jaeger/api/traces/" + skewed.traceId().toHex())).at("/data/0"),
              "count");
      assertThat(adjusted.get("startTime").asLong()).isEqualTo(START_US + 40_000);
      assertThat(adjusted.get("duration").asLong()).isEqualTo(20_000);
      assertThat(adjusted.at("/warnings/0").asText()).contains("adjusted");
      JsonNode raw =
          span(
              ok(ui(app, "acme", "/jaeger/api/traces/" + skewed.traceId().toHex() + "?raw=true"))
                  .at("/data/0"),
              "count");
      assertThat(raw.get("startTime").asLong()).isEqualTo(START_US - 50_000);
      assertThat(raw.get("warnings").isNull()).isTrue();

      // fetchMultipleTraces: searchTraces({traceID: ids}), the unknown one in errors
      HttpResponse<byte[]> several =
          ui(
              app,
              "acme",
              "/jaeger/api/traces?traceID="
                  + checkout.traceId().toHex()
                  + "&traceID="
                  + UNKNOWN_ID.toHex());
      JsonNode both = ok(several);
      assertThat(both.get("data")).hasSize(1);
      assertThat(both.at("/data/0/traceID").asText()).isEqualTo(checkout.traceId().toHex());
      assertThat(both.get("errors")).hasSize(1);
      assertThat(both.at("/errors/0/msg").asText()).isEqualTo("trace not found");
      assertThat(both.at("/errors/0/traceID").asText()).isEqualTo(UNKNOWN_ID.toHex());

      // fetchDependencies: endTs (ms) and the UI's default lookback of one week (ms)
      JsonNode dependencies =
          ok(
              ui(
                  app,
                  "acme",
                  "/jaeger/api/dependencies?endTs="
                      + (START_MS + 3_600_000)
                      + "&lookback=604800000"));
      assertEnvelope(dependencies, 0);
      assertThat(edges(dependencies.get("data")))
          .containsExactlyInAnyOrder(
              "frontend->checkout:1", "checkout->payment:1", "gateway->inventory:1");
    }
  }

  @Test
  void answersGrafanasJaegerDataSource(LocalOpenSearch node) throws Exception {
    try (QueryServiceApp app = QueryFixture.start(node, indexed(node))) {
      awaitSearchable(app);

      // testDatasource: GET {url}/api/services, success when data is not empty
      assertThat(ok(grafana(app, "/jaeger/api/services")).get("data")).isNotEmpty();

      // SearchForm: operations of a service, its name URI-encoded
      JsonNode cartOps = ok(grafana(app, "/jaeger/api/services/cart%20service/operations"));
      assertThat(texts(cartOps.get("data"))).containsExactly("load cart");

      // the search: serializeParams in the query's order, lookback=custom, times in µs; every
      // condition on one span (checkout's POST /orders with status 500, 80 ms)
      String start = String.valueOf(START_US - HOUR_US);
      String end = String.valueOf(START_US + HOUR_US);
      JsonNode found =
          ok(
              grafana(
                  app,
                  "/jaeger/api/traces?"
                      + query(
                          "service", "checkout",
                          "operation", "POST /orders",
                          "tags", "{\"http.response.status_code\":\"500\"}",
                          "minDuration", "50ms",
                          "maxDuration", "1s",
                          "limit", "20",
                          "start", start,
                          "end", end,
                          "lookback", "custom")));
      assertThat(found.get("data")).hasSize(1);
      // createTableFrame → transformTraceData: traceID, the root span (no CHILD_OF) and its
      // process's service name, start and duration in µs
      JsonNode trace = found.at("/data/0");
      assertThat(trace.get("traceID").asText()).isEqualTo(checkout.traceId().toHex());
      List<JsonNode> roots = new ArrayList<>();
      for (JsonNode s : trace.get("spans")) {
        if (s.get("references").isEmpty()) {
          roots.add(s);
        }
      }
      assertThat(roots).hasSize(1);
      JsonNode root = roots.get(0);
      assertThat(root.get("operationName").asText()).isEqualTo("GET /checkout");
      assertThat(trace.at("/processes/" + root.get("processID").asText() + "/serviceName").asText())
          .isEqualTo("frontend");
      assertThat(root.get("startTime").asLong()).isEqualTo(START_US);
      assertThat(root.get("duration").asLong()).isEqualTo(120_000);
      // a condition on another span of the trace does not match (Jaeger's per-span semantics)
      assertThat(
              ok(grafana(
                      app,
                      "/jaeger/api/traces?"
                          + query(
                              "service", "frontend",
                              "tags", "{\"http.response.status_code\":\"500\"}",
                              "start", start,
                              "end", end,
                              "lookback", "custom")))
                  .get("data"))
          .isEmpty();

      // the backend client (pkg/tsdb/jaeger/client.go): Go's url.Values, sorted, '+' for spaces
      JsonNode fromBackend =
          ok(
              grafana(
                  app,
                  "/jaeger/api/traces?end="
                      + end
                      + "&limit=20&maxDuration=1s&minDuration=50ms&operation=POST+%2Forders"
                      + "&service=checkout&start="
                      + start
                      + "&tags=%7B%22http.response.status_code%22%3A%22500%22%7D"));
      assertThat(fromBackend.at("/data/0/traceID").asText()).isEqualTo(checkout.traceId().toHex());

      // trace by ID with traceIdTimeParams: ?start=…&end=… in µs; toSpanRow's fields
      JsonNode byId =
          ok(
              grafana(
                  app,
                  "/jaeger/api/traces/"
                      + checkout.traceId().toHex()
                      + "?start="
                      + start
                      + "&end="
                      + end));
      assertCheckoutTrace(byId.at("/data/0"));

      // the dependency graph: endTs and lookback in ms
      JsonNode dependencies =
          ok(
              grafana(
                  app,
                  "/jaeger/api/dependencies?endTs="
                      + (START_MS + 3_600_000)
                      + "&lookback="
                      + 7_200_000));
      assertThat(edges(dependencies.get("data")))
          .containsExactlyInAnyOrder(
              "frontend->checkout:1", "checkout->payment:1", "gateway->inventory:1");
      for (JsonNode d : dependencies.get("data")) {
        assertThat(d.get("callCount").isIntegralNumber()).isTrue();
      }
    }
  }

  @Test
  void refusesBadInputInJaegersErrorEnvelope_andKeepsTenantsApart(LocalOpenSearch node)
      throws Exception {
    try (QueryServiceApp app = QueryFixture.start(node, indexed(node))) {
      awaitSearchable(app);
      String window = "&start=" + (START_US - HOUR_US) + "&end=" + (START_US + HOUR_US);

      // bad input: 400 naming the parameter, in Jaeger's envelope
      assertThat(error(ui(app, "acme", "/jaeger/api/traces/xyz"), 400)).contains("traceID");
      assertThat(
              error(
                  ui(
                      app,
                      "acme",
                      "/jaeger/api/traces?service=checkout&tags=" + enc("{\"a\":") + window),
                  400))
          .contains("'tags'");
      assertThat(error(ui(app, "acme", "/jaeger/api/traces?limit=20" + window), 400))
          .contains("service");
      assertThat(
              error(ui(app, "acme", "/jaeger/api/traces?service=checkout&start=soon&end=1"), 400))
          .contains("'start'");
      assertThat(error(ui(app, "acme", "/jaeger/api/dependencies?endTs=today"), 400))
          .contains("'endTs'");
      assertThat(error(ui(app, "acme", "/jaeger/api/operations?spanKind=server"), 400))
          .contains("service");
      // an unknown trace: 404
      assertThat(error(ui(app, "acme", "/jaeger/api/traces/" + UNKNOWN_ID.toHex()), 404))
          .contains("not found");

      // tenants apart: nothing of acme for globex or for the default tenant, and back
      String acmeTrace = "/jaeger/api/traces/" + checkout.traceId().toHex();
      assertThat(error(ui(app, "globex", acmeTrace), 404)).contains("not found");
      assertThat(texts(ok(ui(app, "globex", "/jaeger/api/services")).get("data")))
          .containsExactly("frontend", "globex-db");
      assertThat(ok(get(app, "/jaeger/api/services", "Accept", UI_ACCEPT)).get("data")).isEmpty();
      assertThat(ok(ui(app, "globex", "/jaeger/api/traces?service=checkout" + window)).get("data"))
          .isEmpty();
      JsonNode globexFrontend =
          ok(ui(app, "globex", "/jaeger/api/traces?service=frontend" + window));
      assertThat(globexFrontend.get("data")).hasSize(1);
      assertThat(globexFrontend.at("/data/0/traceID").asText()).isEqualTo(globex.traceId().toHex());
      JsonNode byIds =
          ok(ui(app, "globex", "/jaeger/api/traces?traceID=" + checkout.traceId().toHex()));
      assertThat(byIds.get("data")).isEmpty();
      assertThat(byIds.at("/errors/0/msg").asText()).isEqualTo("trace not found");
      assertThat(
              texts(ok(ui(app, "globex", "/jaeger/api/services/frontend/operations")).get("data")))
          .containsExactly("GET /cart");
      assertThat(
              edges(
                  ok(ui(
                          app,
                          "globex",
                          "/jaeger/api/dependencies?endTs="
                              + (START_MS + 3_600_000)
                              + "&lookback=604800000"))
                      .get("data")))
          .containsExactly("frontend->globex-db:1");
      assertThat(
              ok(ui(
                      app,
                      "acme",
                      "/jaeger/api/traces?service=frontend&tags="
                          + enc("{\"globex.only\":\"yes\"}")
                          + window))
                  .get("data"))
          .isEmpty();
    }

    // a trace cut at trace.max-spans says so in its warnings
    try (QueryServiceApp capped = QueryFixture.start(node, indexed(node), "trace.max-spans", "1")) {
      JsonNode cut =
          ok(ui(capped, "acme", "/jaeger/api/traces/" + checkout.traceId().toHex())).at("/data/0");
      assertThat(cut.get("spans")).hasSize(1);
      assertThat(cut.at("/warnings/0").asText()).contains("truncated");
    }
  }

  /** The checkout trace, field by field as the UI's transformTraceData and Grafana read it. */
  private static void assertCheckoutTrace(JsonNode trace) {
    String traceId = checkout.traceId().toHex();
    assertThat(trace.get("traceID").asText()).isEqualTo(traceId);
    assertThat(trace.get("warnings").isNull()).isTrue();
    assertThat(trace.get("spans")).hasSize(3);
    for (JsonNode s : trace.get("spans")) {
      assertThat(s.get("traceID").asText()).isEqualTo(traceId);
      assertThat(s.get("spanID").asText()).hasSize(16);
      assertThat(s.get("startTime").isIntegralNumber()).isTrue();
      assertThat(s.get("duration").isIntegralNumber()).isTrue();
      assertThat(s.get("references").isArray()).isTrue();
      assertThat(s.get("tags").isArray()).isTrue();
      assertThat(s.get("logs").isArray()).isTrue();
      assertThat(s.has("warnings")).isTrue();
      JsonNode process = trace.at("/processes/" + s.get("processID").asText());
      assertThat(process.get("serviceName").isTextual()).isTrue();
      assertThat(process.get("tags").isArray()).isTrue();
    }
    Span frontend = checkout.spans().get(0);
    Span orders = checkout.spans().get(1);
    Span payment = checkout.spans().get(2);

    JsonNode root = span(trace, "GET /checkout");
    assertThat(root.get("spanID").asText()).isEqualTo(frontend.spanId().toHex());
    assertThat(root.get("references")).isEmpty();
    assertThat(root.get("startTime").asLong()).isEqualTo(START_US);
    assertThat(root.get("duration").asLong()).isEqualTo(120_000);
    assertThat(tag(root, "span.kind").get("value").asText()).isEqualTo("server");
    assertThat(tag(root, "http.route").get("value").asText()).isEqualTo("/checkout");
    assertThat(tag(root, "otel.scope.name").get("value").asText()).isEqualTo("io.spanline.test");
    assertThat(tag(root, "otel.scope.version").get("value").asText()).isEqualTo("1.0");
    assertThat(service(trace, root)).isEqualTo("frontend");

    JsonNode failed = span(trace, "POST /orders");
    assertThat(failed.at("/references/0/refType").asText()).isEqualTo("CHILD_OF");
    assertThat(failed.at("/references/0/traceID").asText()).isEqualTo(traceId);
    assertThat(failed.at("/references/0/spanID").asText()).isEqualTo(frontend.spanId().toHex());
    assertThat(tag(failed, "http.response.status_code").get("type").asText()).isEqualTo("int64");
    assertThat(tag(failed, "http.response.status_code").get("value").asLong()).isEqualTo(500);
    assertThat(tag(failed, "span.kind").get("value").asText()).isEqualTo("client");
    assertThat(tag(failed, "otel.status_code").get("value").asText()).isEqualTo("ERROR");
    assertThat(tag(failed, "error").get("type").asText()).isEqualTo("bool");
    assertThat(tag(failed, "error").get("value").asBoolean()).isTrue();
    assertThat(tag(failed, "otel.status_description").get("value").asText()).isEqualTo("failed");
    assertThat(service(trace, failed)).isEqualTo("checkout");

    JsonNode charge = span(trace, "charge");
    assertThat(charge.get("references")).hasSize(2);
    assertThat(charge.at("/references/0/refType").asText()).isEqualTo("CHILD_OF");
    assertThat(charge.at("/references/0/spanID").asText()).isEqualTo(orders.spanId().toHex());
    assertThat(charge.at("/references/1/refType").asText()).isEqualTo("FOLLOWS_FROM");
    assertThat(charge.at("/references/1/traceID").asText()).isEqualTo("000000000005a0e1");
    assertThat(charge.at("/logs/0/timestamp").asLong())
        .isEqualTo(payment.startEpochNanos() / 1000 + 1000);
    assertThat(charge.at("/logs/0/fields/0/key").asText()).isEqualTo("event");
    assertThat(charge.at("/logs/0/fields/0/value").asText()).isEqualTo("retry");
    assertThat(charge.at("/logs/0/fields/1/key").asText()).isEqualTo("attempt");
    assertThat(charge.at("/logs/0/fields/1/type").asText()).isEqualTo("int64");
    assertThat(charge.at("/logs/0/fields/1/value").asLong()).isEqualTo(2);
    JsonNode paymentProcess = trace.at("/processes/" + charge.get("processID").asText());
    assertThat(paymentProcess.get("serviceName").asText()).isEqualTo("payment");
    assertThat(paymentProcess.at("/tags/0/key").asText()).isEqualTo("host.name");
    assertThat(paymentProcess.at("/tags/0/value").asText()).isEqualTo("pay-1");
    // one process per service here
    assertThat(trace.get("processes").size()).isEqualTo(3);
  }

  private static String service(JsonNode trace, JsonNode span) {
    return trace.at("/processes/" + span.get("processID").asText() + "/serviceName").asText();
  }

  private static JsonNode span(JsonNode trace, String operationName) {
    for (JsonNode s : trace.get("spans")) {
      if (s.get("operationName").asText().equals(operationName)) {
        return s;
      }
    }
    throw new AssertionError("no span " + operationName + " in " + trace);
  }

  private static JsonNode tag(JsonNode span, String key) {
    for (JsonNode t : span.get("tags")) {
      if (t.get("key").asText().equals(key)) {
        return t;
      }
    }
    throw new AssertionError("no tag " + key + " in " + span);
  }

  private static void assertEnvelope(JsonNode body, int total) {
    assertThat(body.get("total").asInt()).isEqualTo(total);
    assertThat(body.get("limit").asInt()).isZero();
    assertThat(body.get("offset").asInt()).isZero();
    assertThat(body.get("errors").isNull()).isTrue();
  }

  private static void awaitSearchable(QueryServiceApp app) {
    Probe.until(
        "traces searchable",
        Duration.ofSeconds(30),
        Duration.ofMillis(200),
        () ->
            ok(ui(app, "acme", "/jaeger/api/services")).get("data").size() == 7
                && ok(ui(app, "globex", "/jaeger/api/services")).get("data").size() == 2);
  }

  /** The Jaeger UI's request: the browser's Accept, the tenant header added by the proxy. */
  private static HttpResponse<byte[]> ui(QueryServiceApp app, String tenant, String pathAndQuery)
      throws Exception {
    return get(app, pathAndQuery, "Accept", UI_ACCEPT, "X-Scope-OrgID", tenant);
  }

  /** Grafana's request: its Accept, the tenant from the data source's custom header setting. */
  private static HttpResponse<byte[]> grafana(QueryServiceApp app, String pathAndQuery)
      throws Exception {
    return get(app, pathAndQuery, "Accept", GRAFANA_ACCEPT, "X-Scope-OrgID", "acme");
  }

  private static HttpResponse<byte[]> get(
      QueryServiceApp app, String pathAndQuery, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + pathAndQuery));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** Keys and values as encodeURIComponent writes them; a null value is a bare key. */
  private static String query(String... kv) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < kv.length; i += 2) {
      out.append(i == 0 ? "" : "&").append(enc(kv[i]));
      if (kv[i + 1] != null) {
        out.append('=').append(enc(kv[i + 1]));
      }
    }
    return out.toString();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static JsonNode ok(HttpResponse<byte[]> r) {
    try {
      return QueryFixture.ok(r);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** The message of an error answer with that status, after checking Jaeger's envelope. */
  private static String error(HttpResponse<byte[]> r, int status) throws Exception {
    String text = new String(r.body(), StandardCharsets.UTF_8);
    assertThat(r.statusCode()).as(text).isEqualTo(status);
    JsonNode body = QueryFixture.JSON.readTree(r.body());
    assertThat(body.get("data").isNull()).isTrue();
    assertThat(body.get("total").asInt()).isZero();
    assertThat(body.get("limit").asInt()).isZero();
    assertThat(body.get("offset").asInt()).isZero();
    assertThat(body.get("errors")).hasSize(1);
    assertThat(body.at("/errors/0/code").asInt()).isEqualTo(status);
    return body.at("/errors/0/msg").asText();
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static List<String> edges(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(
        d ->
            out.add(
                d.get("parent").asText()
                    + "->"
                    + d.get("child").asText()
                    + ":"
                    + d.get("callCount").asLong()));
    return out;
  }
}
