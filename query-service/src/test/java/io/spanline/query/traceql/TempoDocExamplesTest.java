package io.spanline.query.traceql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.InstrumentationScope;
import io.spanline.schemas.model.Resource;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanEvent;
import io.spanline.schemas.model.SpanId;
import io.spanline.schemas.model.SpanKind;
import io.spanline.schemas.model.SpanLink;
import io.spanline.schemas.model.Status;
import io.spanline.schemas.model.StatusCode;
import io.spanline.schemas.model.TraceId;
import io.spanline.storage.SpanCondition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every search example of Tempo's "Construct a TraceQL query" page
 * (grafana/tempo/docs/sources/tempo/traceql/construct-traceql-queries.md), written as there, with
 * traces it must find — and the spans it must select in them — and near misses it must not find.
 * For each trace it finds, every condition {@link Pushdown} sends to the store holds on one of its
 * spans (with every attribute key indexed), so the store never drops a match.
 *
 * <p>Most traces are variations of one shop checkout:
 *
 * <pre>
 * 1 frontend   POST /api/orders  SERVER   0–120 ms
 * └─ 2 checkout  PlaceOrder      SERVER  10–110 ms
 *    ├─ 3 payment   Charge        SERVER  20–60 ms
 *    └─ 4 inventory ReserveStock  SERVER  60–100 ms
 *       └─ 5 inventory SELECT stock CLIENT 65–95 ms, db.system=postgresql
 * </pre>
 *
 * <p>Left out: the metrics examples ({@code count_over_time() by(…) | topk(10)}, {@code rate()
 * by(instrumentation:name)}), which Spanline does not serve ({@link #metricsExamplesAreRefused}). A
 * query that appears in several sections of the page is one case, named by its first section.
 */
class TempoDocExamplesTest {
  private static final TraceId TRACE = TraceId.fromHex("7c1a2f0e9b3d4c5a8e6f1d2c3b4a5968");
  private static final long T0 = 1_760_000_000_000_000_000L;
  private static final long MS = 1_000_000L;

  private static final String[] SERVICES = {
    "frontend", "checkout", "payment", "inventory", "inventory"
  };
  private static final long[] STARTS = {0, 10, 20, 60, 65};
  private static final TraceContext EMPTY = new TraceContext(List.of());

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void findsWhatTheDocumentationSays(Example example) {
    Ast.Query query = Parser.parse(example.query);
    Set<String> allKeys = example.attributeKeys();
    for (Find find : example.finds) {
      // Given a trace the example is meant to find, When it is evaluated, Then these spans
      assertThat(matched(query, find.trace)).as("selected spans").isEqualTo(find.spanIds);
      for (SpanCondition c : Pushdown.conjuncts(query, allKeys)) {
        assertThat(find.trace.spans.stream().anyMatch(s -> ReferenceConditions.holds(c, s)))
            .as("pushed-down %s holds on a span of the found trace", c)
            .isTrue();
      }
    }
    for (int i = 0; i < example.misses.size(); i++) {
      assertThat(matched(query, example.misses.get(i))).as("near miss #%d", i + 1).isEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{ span:duration < 5ms } | count_over_time() by(resource.service.name) | topk(10)",
        "{ resource.service.name = \"foo\" } | rate() by (instrumentation:name)"
      })
  void metricsExamplesAreRefused(String query) {
    assertThatThrownBy(() -> Parser.parse(query))
        .isInstanceOf(TraceQlException.class)
        .hasMessageContaining("column");
  }

  static Stream<Example> examples() {
    return Stream.of(
        // --- Construct a TraceQL query
        ex("Construct a TraceQL query", "{ }")
            .finds(shop(), 1, 2, 3, 4, 5)
            .misses(EMPTY), // every trace with a span matches; only an empty one does not
        ex(
                "Construct a TraceQL query",
                "{ span.http.status_code >= 200 && span.http.status_code < 300 } | count() > 2")
            .finds(shop(code(1, 200), code(2, 201), code(3, 204), code(4, 500)), 1, 2, 3)
            .misses(shop(code(1, 200), code(2, 201), code(3, 302), code(4, 500))),

        // --- Examples
        ex(
                "Find traces of a specific operation",
                "{resource.service.name = \"frontend\" && name = \"POST /api/orders\"}")
            .finds(shop(), 1)
            .misses(
                shop(at(1, b -> b.name("GET /api/orders"))),
                shop(at(1, b -> b.name("POST /")), at(2, b -> b.name("POST /api/orders")))),
        ex(
                "Find traces of a specific operation",
                """
                {
                  resource.service.namespace = "ecommerce" &&
                  resource.service.name = "frontend" &&
                  resource.deployment.environment = "production" &&
                  name = "POST /api/orders"
                }""")
            .finds(
                shop(
                    resourceAt(
                        1,
                        a("service.namespace", "ecommerce"),
                        a("deployment.environment", "production"))),
                1)
            .misses(
                shop(
                    resourceAt(
                        1,
                        a("service.namespace", "ecommerce"),
                        a("deployment.environment", "staging"))),
                shop(
                    resourceAt(
                        1,
                        a("service.namespace", "marketing"),
                        a("deployment.environment", "production")))),
        ex(
                "Find traces having a particular outcome",
                """
                {
                  resource.service.name="frontend" &&
                  name = "POST /api/orders" &&
                  status = error
                }""")
            .finds(
                shop(at(1, TempoDocExamplesTest::failed), at(3, TempoDocExamplesTest::failed)), 1)
            .misses(shop(at(3, TempoDocExamplesTest::failed))),
        ex(
                "Find traces having a particular outcome",
                """
                {
                  resource.service.name="frontend" &&
                  name = "POST /api/orders" &&
                  span.http.status_code >= 500
                }""")
            .finds(shop(code(1, 502)), 1)
            .misses(shop(code(1, 499)), shop(code(1, 200), code(3, 500))),
        // span.service.name is a span attribute: the resource's service.name does not answer it
        ex(
                "Find traces that have a particular behavior",
                "{span.service.name=\"frontend\" && name = \"GET /api/products/{id}\"}"
                    + " && {span.db.system=\"postgresql\"}")
            .finds(products(at(1, b -> b.addAttribute(a("service.name", "frontend")))), 1, 3)
            .misses(
                products(at(1, b -> b.addAttribute(a("service.name", "frontend"))), without(3)),
                products()),
        ex(
                "Find traces going through production and staging instances",
                "{ resource.deployment.environment = \"production\" }"
                    + " && { resource.deployment.environment = \"staging\" }")
            .finds(shop(env(1, "production"), env(2, "staging")), 1, 2)
            .misses(shop(env(1, "production"), env(2, "production"))),
        ex("Find traces with arrays", "{ span.foo = \"bar\" }")
            .finds(shop(attr(3, strings("foo", "baz", "bar"))), 3)
            .misses(shop(attr(3, strings("foo", "baz", "qux"))), shop(attr(3, a("foo", "barn")))),
        ex("Find traces with arrays", "{ span.foo != \"bar\" }")
            .finds(shop(attr(3, strings("foo", "baz", "qux"))), 3)
            .misses(shop(attr(3, strings("foo", "baz", "bar")))),
        ex("Find traces with arrays", "{ span.http.request.header.Accept =~ \"application.*\" }")
            .finds(shop(attr(1, accept("text/html", "application/json"))), 1)
            .misses(shop(attr(1, accept("text/html", "image/webp")))),
        ex("Find traces with arrays", "{ span.http.request.header.Accept !~ \"application.*\" }")
            .finds(shop(attr(1, accept("text/html", "image/webp"))), 1)
            .misses(shop(attr(1, accept("text/html", "application/json")))),
        ex(
                "Use structural operators",
                "{ resource.service.name=\"frontend\" } >> { status = error }")
            .finds(shop(at(5, TempoDocExamplesTest::failed)), 5)
            .misses(shop(at(1, TempoDocExamplesTest::failed)), shop()),
        ex(
                "Use structural operators",
                "{ } !< { resource.service.name = \"productcatalogservice\" }")
            .finds(products(), 3)
            .misses(
                products(
                    at(
                        3,
                        b ->
                            b.name("Convert")
                                .kind(SpanKind.SERVER)
                                .attributes(List.of())
                                .resource(resource("currencyservice"))))),
        ex(
                "Use structural operators",
                "{ resource.service.name = \"productcatalogservice\" }"
                    + " ~ { resource.service.name=\"frontend\" }")
            .finds(
                trace(
                    span(1, 0, "frontend-proxy", "ingress", SpanKind.SERVER, 0, 50),
                    span(2, 1, "frontend", "GET /api/products/{id}", SpanKind.SERVER, 2, 40),
                    span(3, 1, "productcatalogservice", "GetProduct", SpanKind.SERVER, 3, 30)),
                2)
            .misses(products()),
        ex("Find spans by child count", "{ span:childCount = 0 }")
            .finds(shop(), 3, 5)
            .misses(EMPTY), // every non-empty trace has a leaf
        ex(
                "Find spans by child count",
                "{ resource.service.name = \"frontend\" && span:childCount = 0 }")
            .finds(
                shop(
                    plus(
                        span(
                            6, 1, "frontend", "render confirmation", SpanKind.INTERNAL, 110, 118))),
                6)
            .misses(shop()),
        ex("Find spans by child count", "{ span:childCount > 10 }")
            .finds(shop(plus(stockQueries(10))), 4)
            .misses(shop(plus(stockQueries(9)))),
        ex("Other examples", "{ span.http.status_code = 200 } | select(resource.service.name)")
            .finds(shop(code(1, 200), code(2, 200)), 1, 2)
            .misses(shop(code(1, 500)), shop(attr(1, a("http.status_code", "200")))),
        ex(
                "Other examples",
                "{ resource.deployment.environment = \"production\" }"
                    + " && { span.http.status_code = 200 }")
            .finds(shop(env(1, "production"), code(3, 200)), 1, 3)
            .misses(
                shop(env(1, "staging"), code(3, 200)), shop(env(1, "production"), code(3, 500))),
        ex(
                "Other examples",
                "{ span.http.method = \"GET\" && status = ok }"
                    + " && { span.http.method = \"DELETE\" && status != ok }")
            .finds(shop(method(3, "GET"), ok(3), method(4, "DELETE"), failed(4)), 3, 4)
            .misses(shop(method(3, "GET"), ok(3), method(4, "DELETE"), ok(4))),
        ex(
                "Other examples",
                "{ resource.deployment.environment =~ \"prod-.*\" && span.http.status_code = 200 }")
            .finds(shop(env(1, "prod-eu-west"), code(1, 200)), 1)
            .misses(
                shop(env(1, "production"), code(1, 200)),
                shop(env(1, "prod-eu-west"), code(1, 503))),
        ex("Other examples; Durations", "{ trace:duration > 5s }")
            .finds(shop(at(1, b -> ms(b, 0, 6_000))), 1, 2, 3, 4, 5)
            .misses(shop(), shop(at(1, b -> ms(b, 0, 5_000)))),
        ex(
                "Other examples",
                "{ resource.deployment.environment = \"production\" && trace:duration > 2s }"
                    + " | count() > 30")
            .finds(production(30, 3_000), range(1, 31))
            .misses(production(29, 3_000), production(30, 1_500)),

        // --- Select spans: intrinsics
        ex("Select spans (intrinsics)", "{ span:name = \"foo\" }")
            .finds(shop(at(3, b -> b.name("foo"))), 3)
            .misses(shop(at(3, b -> b.name("Foo")))),
        ex("Select spans (intrinsics)", "{ event:name = \"foo\" }")
            .finds(shop(event(3, 5, "foo")), 3)
            .misses(shop(event(3, 5, "exception"))),
        ex("Select spans (intrinsics)", "{ trace:id = \"1234\" }")
            .finds(shop(traceId("00000000000000000000000000001234")), 1, 2, 3, 4, 5)
            .misses(shop(traceId("00000000000000000000000000012340"))),
        ex("Select spans (intrinsics)", "{ link:traceID = \"1234\" }")
            .finds(shop(link(2, "00000000000000000000000000001234", 1)), 2)
            .misses(shop(link(2, "00000000000000000000000000001235", 1))),
        ex("Select spans (attributes)", "{ span.foo = \"bar\" }")
            .finds(shop(attr(3, a("foo", "bar"))), 3)
            .misses(
                shop(resourceAt(3, a("foo", "bar"))), shop(event(3, 5, "log", a("foo", "bar")))),
        ex("Select spans (attributes)", "{ resource.foo = \"bar\" }")
            .finds(shop(resourceAt(3, a("foo", "bar"))), 3)
            .misses(shop(attr(3, a("foo", "bar")))),
        ex("Select spans (attributes)", "{ link.foo = \"bar\" }")
            .finds(shop(link(2, "00000000000000000000000000001234", 1, a("foo", "bar"))), 2)
            .misses(shop(attr(2, a("foo", "bar")), link(2, "00000000000000000000000000001234", 1))),
        ex("Select spans (attributes)", "{ event.foo = \"bar\" }")
            .finds(shop(event(3, 5, "log", a("foo", "bar"))), 3)
            .misses(shop(attr(3, a("foo", "bar")), event(3, 5, "log", a("foo", "baz")))),

        // --- Intrinsic fields table
        ex("Intrinsic fields", "{ span:status = ok }")
            .finds(shop(ok(3)), 3)
            .misses(shop(), shop(failed(3))),
        ex("Intrinsic fields", "{ span:statusMessage = \"Forbidden\" }")
            .finds(shop(at(3, b -> b.status(new Status(StatusCode.ERROR, "Forbidden")))), 3)
            .misses(shop(at(3, b -> b.status(new Status(StatusCode.ERROR, "forbidden"))))),
        ex("Intrinsic fields; Durations", "{ span:duration > 100ms }")
            .finds(shop(), 1)
            .misses(shop(at(1, b -> ms(b, 0, 100)))),
        ex("Intrinsic fields", "{ span:name = \"HTTP POST\" }")
            .finds(shop(at(1, b -> b.name("HTTP POST"))), 1)
            .misses(shop(at(1, b -> b.name("HTTP POST /api/orders")))),
        ex("Intrinsic fields", "{ span:kind = server }")
            .finds(shop(), 1, 2, 3, 4)
            .misses(fulfillment()),
        ex("Intrinsic fields", "{ span:id = \"0000000000000001\" }")
            .finds(shop(), 1)
            .misses(fulfillment()),
        ex("Intrinsic fields", "{ span:parentID = \"000000000000001\" }")
            .finds(shop(), 2)
            .misses(fulfillment()),
        ex("Intrinsic fields", "{ span:childCount > 0 }")
            .finds(shop(), 1, 2, 4)
            .misses(healthCheck()),
        ex("Intrinsic fields", "{ trace:duration > 100ms }")
            .finds(shop(), 1, 2, 3, 4, 5)
            .misses(healthCheck()),
        ex("Intrinsic fields", "{ trace:rootName = \"HTTP GET\" }")
            .finds(shop(at(1, b -> b.name("HTTP GET"))), 1, 2, 3, 4, 5)
            .misses(shop(at(2, b -> b.name("HTTP GET")))),
        ex("Intrinsic fields", "{ trace:rootService = \"gateway\" }")
            .finds(shop(service(1, "gateway")), 1, 2, 3, 4, 5)
            .misses(shop(service(2, "gateway"))),
        ex("Intrinsic fields", "{ trace:id = \"1234567890abcde\" }")
            .finds(shop(traceId("000000000000000001234567890abcde")), 1, 2, 3, 4, 5)
            .misses(shop(traceId("00000000000000001234567890abcde0"))),
        ex("Intrinsic fields", "{ event:name = \"exception\" }")
            .finds(shop(event(3, 5, "exception")), 3)
            .misses(shop(event(3, 5, "retry"))),
        ex("Intrinsic fields", "{ event:timeSinceStart > 2ms}")
            .finds(shop(event(3, 5, "retry")), 3)
            .misses(shop(event(3, 1, "retry"))),
        ex("Intrinsic fields", "{ link:spanID = \"0000000000000001\" }")
            .finds(shop(link(2, "00000000000000000000000000001234", 1)), 2)
            .misses(shop(link(2, "00000000000000000000000000001234", 2))),
        ex("Intrinsic fields", "{ link:traceID = \"1234567890abcde\" }")
            .finds(shop(link(2, "000000000000000001234567890abcde", 1)), 2)
            .misses(shop(link(2, "000000000000000001234567890abcdf", 1))),
        ex("Intrinsic fields", "{ instrumentation:name = \"grpc\" }")
            .finds(shop(scope(3, "grpc", "1.0.0")), 3)
            .misses(shop(scope(3, "grpc-netty", "1.0.0"))),
        ex("Intrinsic fields", "{ instrumentation:version = \"1.0.0\" }")
            .finds(shop(scope(3, "grpc", "1.0.0")), 3)
            .misses(shop(scope(3, "grpc", "1.0.1"))),
        ex(
                "Intrinsic fields",
                "{ resource.k8s.cluster.name=\"service-name\" && trace:rootName !~ \".*perf.*\"}")
            .finds(shop(resourceAt(2, a("k8s.cluster.name", "service-name"))), 2)
            .misses(
                shop(
                    at(1, b -> b.name("POST /api/orders perf-test")),
                    resourceAt(2, a("k8s.cluster.name", "service-name"))),
                shop(resourceAt(2, a("k8s.cluster.name", "service-name-2")))),

        // --- Attribute fields
        ex("Attribute fields; Strings", "{ span.http.method = \"GET\" }")
            .finds(shop(method(1, "GET")), 1)
            .misses(shop(method(1, "POST")), shop(method(1, "get"))),
        ex("Attribute fields", "{ resource.deployment.environment = \"production\" }")
            .finds(shop(env(2, "production")), 2)
            .misses(
                shop(env(2, "staging")), shop(attr(2, a("deployment.environment", "production")))),
        ex("Attribute fields", "{ span.db.system =~ \"postgresql|mysql\" }")
            .finds(shop(), 5)
            .finds(shop(at(5, b -> b.attributes(List.of(a("db.system", "mysql"))))), 5)
            .misses(
                shop(at(5, b -> b.attributes(List.of(a("db.system", "redis"))))),
                shop(at(5, b -> b.attributes(List.of(a("db.system", "postgresql-15")))))),
        ex("Attribute fields", "{ event.exception.message =~ \".*something went wrong.*\" }")
            .finds(
                shop(
                    event(
                        3,
                        5,
                        "exception",
                        a("exception.message", "charge: something went wrong, retry later"))),
                3)
            .misses(shop(event(3, 5, "exception", a("exception.message", "card declined")))),
        ex("Attribute fields", "{ link.opentracing.ref_type = \"child_of\" }")
            .finds(
                shop(
                    link(
                        2,
                        "00000000000000000000000000001234",
                        1,
                        a("opentracing.ref_type", "child_of"))),
                2)
            .misses(
                shop(
                    link(
                        2,
                        "00000000000000000000000000001234",
                        1,
                        a("opentracing.ref_type", "follows_from")))),
        ex("Attribute fields", "{ instrumentation.language = \"java\" }")
            .finds(shop(scope(3, "grpc", "1.0.0", a("language", "java"))), 3)
            .misses(shop(scope(3, "grpc", "1.0.0", a("language", "go")))),
        ex("Quoted attribute names", "{ span.\"attribute name with space\" = \"value\" }")
            .finds(shop(attr(3, a("attribute name with space", "value"))), 3)
            .misses(shop(attr(3, a("attribute_name_with_space", "value")))),
        ex("Quoted attribute names", "{ span.attribute.\"attribute name with space\" = \"value\" }")
            .finds(shop(attr(3, a("attribute.attribute name with space", "value"))), 3)
            .misses(shop(attr(3, a("attribute name with space", "value")))),

        // --- Value types and literals
        ex("Integers", "{ span.http.status_code = 200 }")
            .finds(shop(code(1, 200)), 1)
            .misses(shop(code(1, 201)), shop(attr(1, a("http.status_code", "200")))),
        ex("Integers", "{ span.retry_count > -1 }")
            .finds(shop(attr(3, a("retry_count", 0))), 3)
            .misses(shop(attr(3, a("retry_count", -1)))),
        ex("Integers", "{ span.value != minInt && span.value != maxInt }")
            .finds(shop(attr(3, a("value", 42))), 3)
            .misses(
                shop(attr(3, a("value", Long.MAX_VALUE))),
                shop(attr(3, a("value", Long.MIN_VALUE)))),
        ex("Durations", "{ event:timeSinceStart > -5s }")
            .finds(shop(event(3, 1, "retry")), 3)
            .misses(shop()),
        ex("Floats", "{ span.value > 1.5 }")
            .finds(shop(attr(3, a("value", 2.5))), 3)
            .misses(shop(attr(3, a("value", 1.5)))),
        ex("Nil", "{ span.optional_field = nil }")
            .finds(shop(allBut(3, id -> attr(id, a("optional_field", "x")))), 3)
            .misses(shop(allBut(0, id -> attr(id, a("optional_field", "x"))))),
        ex("Nil", "{ span.required_field != nil }")
            .finds(shop(attr(3, a("required_field", ""))), 3)
            .misses(shop(resourceAt(3, a("required_field", "x")))),
        ex("Booleans", "{ span.cache.hit = true }")
            .finds(shop(attr(4, a("cache.hit", true))), 4)
            .misses(shop(attr(4, a("cache.hit", false))), shop(attr(4, a("cache.hit", "true")))),

        // --- Comparison operators
        ex(
                "Comparison operators",
                "{ span.http.status_code >= 400 && span.http.status_code < 500 }")
            .finds(shop(code(3, 404)), 3)
            .misses(shop(code(3, 500)), shop(code(3, 399))),
        ex("Comparison operators", "{ span.http.status_code >= \"400\" }")
            .finds(shop(attr(3, a("http.status_code", "404"))), 3)
            .misses(shop(attr(3, a("http.status_code", "200"))), shop(code(3, 500))),
        ex("Comparison operators", "{ span.http.method =~ \"DELETE|GET\" }")
            .finds(shop(method(3, "DELETE"), method(4, "GET")), 3, 4)
            .misses(shop(method(3, "PATCH"), method(4, "GET /cart"))),
        ex("Comparison operators", "{ span.any_attribute != nil }")
            .finds(shop(attr(3, a("any_attribute", 0))), 3)
            .misses(shop()),
        ex("Comparison operators", "{ span.any_attribute = nil }")
            .finds(shop(allBut(3, id -> attr(id, a("any_attribute", 1)))), 3)
            .misses(shop(allBut(0, id -> attr(id, a("any_attribute", 1))))),
        ex("Comparison operators", "{ resource.service.version = nil }")
            .finds(shop(allBut(3, id -> resourceAt(id, a("service.version", "1.4.2")))), 3)
            .misses(shop(allBut(0, id -> resourceAt(id, a("service.version", "1.4.2"))))),
        ex("Comparison operators", "{ event.exception.message = nil }")
            .finds(
                shop(
                    allBut(3, id -> event(id, 1, "exception", a("exception.message", "boom"))),
                    event(3, 1, "exception", a("exception.type", "java.io.IOException"))),
                3)
            .misses(
                shop(allBut(0, id -> event(id, 1, "exception", a("exception.message", "boom"))))),

        // --- Field expressions
        ex("Field expressions", "{ span.http.status_code >= 200 && span.http.status_code < 300 }")
            .finds(shop(code(3, 204)), 3)
            .misses(shop(code(3, 302)), shop(code(3, 199))),
        ex("Field expressions", "{ span.http.method = \"DELETE\" && status != ok }")
            .finds(shop(method(3, "DELETE")), 3)
            .finds(shop(method(3, "DELETE"), failed(3)), 3)
            .misses(shop(method(3, "DELETE"), ok(3)), shop(method(3, "DELETE"), ok(3), failed(4))),
        ex("Boolean attributes as operands", "{ span.cache.hit || span.http.status_code = 500 }")
            .finds(shop(attr(4, a("cache.hit", true)), code(3, 500)), 3, 4)
            .misses(shop(attr(4, a("cache.hit", false)), code(3, 503))),
        ex(
                "Boolean attributes as operands",
                "{ span.cache.hit = true || span.http.status_code = 500 }")
            .finds(shop(attr(4, a("cache.hit", true)), code(3, 500)), 3, 4)
            .misses(shop(attr(4, a("cache.hit", false)), code(3, 503))),

        // --- Combine spansets using operators
        ex(
                "Logical",
                "{ resource.cloud.region = \"us-east-1\" } && { resource.cloud.region = \"us-west-1\" }")
            .finds(shop(region(1, "us-east-1"), region(3, "us-west-1")), 1, 3)
            .misses(shop(region(1, "us-east-1"), region(3, "us-east-1"))),
        // "returns no traces": there is nothing for it to find
        ex(
                "Logical",
                "{ resource.cloud.region = \"us-east-1\" && resource.cloud.region = \"us-west-1\" }")
            .misses(
                shop(region(1, "us-east-1"), region(3, "us-west-1")),
                shop(allBut(0, id -> region(id, "us-east-1")))),
        ex(
                "Logical",
                "{ resource.cloud.region = \"us-east-1\" } || { resource.cloud.region = \"us-west-1\" }")
            .finds(shop(region(1, "us-east-1"), region(3, "us-west-1")), 1, 3)
            .finds(shop(region(3, "us-west-1")), 3)
            .misses(shop(region(1, "eu-central-1"), region(3, "us-west-2"))),
        ex("Logical", "{ resource.cloud.region =~ \"us-east-1|us-west-1\" }")
            .finds(shop(region(1, "us-east-1"), region(3, "us-west-1")), 1, 3)
            .misses(shop(region(1, "eu-central-1"), region(3, "us-west-2"))),
        ex(
                "Structural",
                "{ span.http.url = \"/path/of/api\" } >> { span.db.name = \"db-shard-001\" }")
            .finds(shop(url(1), attr(5, a("db.name", "db-shard-001"))), 5)
            .misses(
                shop(url(3), attr(5, a("db.name", "db-shard-001"))),
                shop(url(1), attr(5, a("db.name", "db-shard-002")))),
        ex(
                "Union structural",
                "{ span.http.url = \"/path/of/api\" && status = error } &>> { status = error }")
            .finds(shop(url(1), failed(1), failed(2), failed(4)), 1, 2, 4)
            .misses(shop(url(1), failed(1)), shop(url(1), failed(2), failed(4))),
        ex("Experimental structural", "{ } !< { resource.service.name = \"foo\" }")
            .finds(shop(service(3, "foo")), 3)
            .misses(shop(service(2, "foo"))),
        ex("Experimental structural", "{ status = error } !< { status = error }")
            .finds(shop(failed(2), failed(4), failed(5)), 5)
            .finds(shop(failed(2), failed(3)), 3)
            .misses(shop()),

        // --- Aggregators, grouping, arithmetic, selection
        ex("Aggregators", "count() > 10")
            .finds(shop(plus(stockQueries(6))), range(1, 11))
            .misses(shop(plus(stockQueries(5)))),
        ex("Aggregators", "avg(duration) > 20ms")
            .finds(shop(), 1, 2, 3, 4, 5)
            .misses(shop(allBut(0, id -> at(id, b -> ms(b, STARTS[id - 1], STARTS[id - 1] + 20))))),
        ex("Aggregators", "{ span.http.status_code = 200 } | count() > 3")
            .finds(shop(allBut(5, id -> code(id, 200))), 1, 2, 3, 4)
            .misses(shop(code(1, 200), code(2, 200), code(3, 200), code(4, 201))),
        ex("Aggregators", "{ } | sum(span.bytesProcessed) > 1000000000")
            .finds(
                shop(
                    attr(4, a("bytesProcessed", 600_000_000)),
                    attr(5, a("bytesProcessed", 500_000_000))),
                1,
                2,
                3,
                4,
                5)
            .misses(
                shop(
                    attr(4, a("bytesProcessed", 600_000_000)),
                    attr(5, a("bytesProcessed", 400_000_000)))),
        ex("Grouping", "{ status = error } | by(resource.service.name) | count() > 1")
            .finds(shop(failed(3), failed(4), failed(5)), 4, 5)
            .misses(shop(failed(3), failed(4))),
        ex("Arithmetic", "{ span.http.request_content_length > 10 * 1024 * 1024 }")
            .finds(shop(attr(1, a("http.request_content_length", 12_000_000))), 1)
            .misses(shop(attr(1, a("http.request_content_length", 10_485_760)))),
        ex("Selection", "{ status = error } | select(span.http.status_code, span.http.url)")
            .finds(shop(failed(3), code(3, 502), url(3)), 3)
            .misses(shop(code(3, 502))),
        ex("Retrieve most recent results", "{} with (most_recent=true)")
            .finds(shop(), 1, 2, 3, 4, 5)
            .misses(EMPTY),
        ex(
                "Retrieve most recent results",
                "{ span.foo = \"bar\" } >> { status = error } with (most_recent=true)")
            .finds(shop(attr(2, a("foo", "bar")), failed(5)), 5)
            .misses(shop(attr(4, a("foo", "bar")), failed(3))));
  }

  // --- cases

  /** One documentation example: its query, traces it finds with their selected spans, misses. */
  static final class Example {
    final String section;
    final String query;
    final List<Find> finds = new ArrayList<>();
    final List<TraceContext> misses = new ArrayList<>();

    Example(String section, String query) {
      this.section = section;
      this.query = query;
    }

    Example finds(TraceContext trace, long... spanIds) {
      finds.add(new Find(trace, Arrays.stream(spanIds).boxed().toList()));
      return this;
    }

    Example misses(TraceContext... traces) {
      misses.addAll(List.of(traces));
      return this;
    }

    /** Every attribute key in the example's traces: the store is taken to index them all. */
    Set<String> attributeKeys() {
      Set<String> keys = new TreeSet<>();
      Stream.concat(finds.stream().map(Find::trace), misses.stream())
          .flatMap(t -> t.spans.stream())
          .forEach(
              s -> {
                s.attributes().forEach(x -> keys.add(x.key()));
                s.resource().attributes().forEach(x -> keys.add(x.key()));
                s.scope().attributes().forEach(x -> keys.add(x.key()));
                s.events().forEach(e -> e.attributes().forEach(x -> keys.add(x.key())));
                s.links().forEach(l -> l.attributes().forEach(x -> keys.add(x.key())));
              });
      return keys;
    }

    @Override
    public String toString() {
      return section + ": " + query.replaceAll("\\s+", " ");
    }
  }

  record Find(TraceContext trace, List<Long> spanIds) {}

  private static Example ex(String section, String query) {
    return new Example(section, query);
  }

  /** The span IDs the query selects, over all its spansets, in span order. */
  private static List<Long> matched(Ast.Query query, TraceContext trace) {
    BitSet all = new BitSet();
    for (Spanset s : Evaluator.evaluate(query, trace)) {
      all.or(s.spans());
    }
    List<Long> ids = new ArrayList<>();
    for (int i = all.nextSetBit(0); i >= 0; i = all.nextSetBit(i + 1)) {
      ids.add(trace.spans.get(i).spanId().value());
    }
    return ids;
  }

  private static long[] range(int from, int to) {
    long[] ids = new long[to - from + 1];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = from + i;
    }
    return ids;
  }

  // --- traces

  /** A change to the shop trace's spans (index = span ID - 1); a null entry removes the span. */
  private interface Change {
    void apply(List<Span.Builder> spans);
  }

  private static TraceContext shop(Change... changes) {
    List<Span.Builder> spans = new ArrayList<>();
    spans.add(span(1, 0, "frontend", "POST /api/orders", SpanKind.SERVER, 0, 120));
    spans.add(span(2, 1, "checkout", "PlaceOrder", SpanKind.SERVER, 10, 110));
    spans.add(span(3, 2, "payment", "Charge", SpanKind.SERVER, 20, 60));
    spans.add(span(4, 2, "inventory", "ReserveStock", SpanKind.SERVER, 60, 100));
    spans.add(
        span(5, 4, "inventory", "SELECT stock", SpanKind.CLIENT, 65, 95)
            .addAttribute(a("db.system", "postgresql")));
    return build(spans, changes);
  }

  /**
   * frontend GET /api/products/{id} → productcatalogservice GetProduct → its postgres query, the
   * product page without a cache hit.
   */
  private static TraceContext products(Change... changes) {
    List<Span.Builder> spans = new ArrayList<>();
    spans.add(span(1, 0, "frontend", "GET /api/products/{id}", SpanKind.SERVER, 0, 40));
    spans.add(span(2, 1, "productcatalogservice", "GetProduct", SpanKind.SERVER, 5, 35));
    spans.add(
        span(3, 2, "productcatalogservice", "SELECT products", SpanKind.CLIENT, 10, 30)
            .addAttribute(a("db.system", "postgresql")));
    return build(spans, changes);
  }

  /** A Kafka consumer's trace: no server span; span IDs 2 and 3. */
  private static TraceContext fulfillment() {
    return trace(
        span(2, 0, "fulfillment", "orders process", SpanKind.CONSUMER, 0, 30),
        span(3, 2, "fulfillment", "UPDATE shipments", SpanKind.CLIENT, 5, 25)
            .addAttribute(a("db.system", "postgresql")));
  }

  private static TraceContext healthCheck() {
    return trace(span(1, 0, "frontend", "GET /healthz", SpanKind.SERVER, 0, 2));
  }

  /** A production trace: frontend root over {@code children} inventory queries. */
  private static TraceContext production(int children, long durationMs) {
    List<Span.Builder> spans = new ArrayList<>();
    spans.add(span(1, 0, "frontend", "POST /api/orders", SpanKind.SERVER, 0, durationMs));
    spans.get(0).resource(resource("frontend", a("deployment.environment", "production")));
    for (int i = 0; i < children; i++) {
      spans.add(
          span(2 + i, 1, "inventory", "SELECT stock", SpanKind.CLIENT, 1 + i, 2 + i)
              .resource(resource("inventory", a("deployment.environment", "production"))));
    }
    return trace(spans.toArray(Span.Builder[]::new));
  }

  /** More stock queries under ReserveStock (span 4), IDs from 6. */
  private static Span.Builder[] stockQueries(int count) {
    Span.Builder[] out = new Span.Builder[count];
    for (int i = 0; i < count; i++) {
      out[i] = span(6 + i, 4, "inventory", "SELECT stock", SpanKind.CLIENT, 66 + i, 67 + i);
    }
    return out;
  }

  private static TraceContext build(List<Span.Builder> spans, Change... changes) {
    for (Change c : changes) {
      c.apply(spans);
    }
    return trace(spans.stream().filter(Objects::nonNull).toArray(Span.Builder[]::new));
  }

  private static TraceContext trace(Span.Builder... spans) {
    return new TraceContext(Stream.of(spans).map(Span.Builder::build).toList());
  }

  private static Span.Builder span(
      int id, int parent, String service, String name, SpanKind kind, long startMs, long endMs) {
    return Span.builder(TRACE, new SpanId(id))
        .parentSpanId(parent == 0 ? null : new SpanId(parent))
        .name(name)
        .kind(kind)
        .time(T0 + startMs * MS, T0 + endMs * MS)
        .status(new Status(StatusCode.UNSET, ""))
        .resource(resource(service))
        .scope(
            new InstrumentationScope(
                "io.opentelemetry.spring-webmvc-6.0", "2.10.0", List.of(), 0, ""));
  }

  private static Resource resource(String service, Attribute... more) {
    List<Attribute> attributes = new ArrayList<>();
    attributes.add(new Attribute(Resource.SERVICE_NAME, AnyValue.of(service)));
    attributes.addAll(List.of(more));
    return new Resource(attributes, 0, "");
  }

  private static Span.Builder ms(Span.Builder b, long startMs, long endMs) {
    return b.time(T0 + startMs * MS, T0 + endMs * MS);
  }

  private static Span.Builder failed(Span.Builder b) {
    return b.status(new Status(StatusCode.ERROR, "failed"));
  }

  // --- changes

  private static Change at(int id, UnaryOperator<Span.Builder> how) {
    return spans -> spans.set(id - 1, how.apply(spans.get(id - 1)));
  }

  /** The change on every span of the shop trace but {@code id} (0: on all). */
  private static Change allBut(int id, IntFunction<Change> change) {
    return spans -> {
      for (int i = 1; i <= SERVICES.length; i++) {
        if (i != id) {
          change.apply(i).apply(spans);
        }
      }
    };
  }

  private static Change without(int id) {
    return spans -> spans.set(id - 1, null);
  }

  private static Change plus(Span.Builder... more) {
    return spans -> spans.addAll(List.of(more));
  }

  private static Change attr(int id, Attribute attribute) {
    return at(id, b -> b.addAttribute(attribute));
  }

  private static Change code(int id, long statusCode) {
    return attr(id, a("http.status_code", statusCode));
  }

  private static Change method(int id, String method) {
    return attr(id, a("http.method", method));
  }

  private static Change url(int id) {
    return attr(id, a("http.url", "/path/of/api"));
  }

  private static Change failed(int id) {
    return at(id, TempoDocExamplesTest::failed);
  }

  private static Change ok(int id) {
    return at(id, b -> b.status(new Status(StatusCode.OK, "")));
  }

  private static Change service(int id, String service) {
    return at(id, b -> b.resource(resource(service)));
  }

  /** The shop span's resource with these attributes besides its service name. */
  private static Change resourceAt(int id, Attribute... more) {
    return at(id, b -> b.resource(resource(SERVICES[id - 1], more)));
  }

  private static Change env(int id, String environment) {
    return resourceAt(id, a("deployment.environment", environment));
  }

  private static Change region(int id, String region) {
    return resourceAt(id, a("cloud.region", region));
  }

  private static Change event(int id, long afterStartMs, String name, Attribute... attributes) {
    long at = T0 + (STARTS[id - 1] + afterStartMs) * MS;
    return at(id, b -> b.addEvent(new SpanEvent(at, name, List.of(attributes), 0)));
  }

  private static Change link(int id, String traceHex, long spanId, Attribute... attributes) {
    return at(
        id,
        b ->
            b.addLink(
                new SpanLink(
                    TraceId.fromHex(traceHex), new SpanId(spanId), "", List.of(attributes), 0, 0)));
  }

  private static Change scope(int id, String name, String version, Attribute... attributes) {
    return at(
        id, b -> b.scope(new InstrumentationScope(name, version, List.of(attributes), 0, "")));
  }

  private static Change traceId(String hex) {
    TraceId id = TraceId.fromHex(hex);
    return spans -> spans.forEach(b -> b.traceId(id));
  }

  // --- attributes

  private static Attribute a(String key, String value) {
    return Attribute.of(key, value);
  }

  private static Attribute a(String key, long value) {
    return Attribute.of(key, value);
  }

  private static Attribute a(String key, double value) {
    return Attribute.of(key, value);
  }

  private static Attribute a(String key, boolean value) {
    return Attribute.of(key, value);
  }

  private static Attribute strings(String key, String... values) {
    return new Attribute(key, AnyValue.ofArray(Stream.of(values).map(AnyValue::of).toList()));
  }

  private static Attribute accept(String... values) {
    return strings("http.request.header.Accept", values);
  }
}
