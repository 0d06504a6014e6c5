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
import io.spanline.schemas.model.Status;
import io.spanline.schemas.model.StatusCode;
import io.spanline.schemas.model.TraceId;
import io.spanline.storage.SpanCondition;
import io.spanline.storage.SpanCondition.AllOf;
import io.spanline.storage.SpanCondition.AttributeEquals;
import io.spanline.storage.SpanCondition.Compare;
import io.spanline.storage.SpanCondition.Field;
import io.spanline.storage.SpanCondition.Operator;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * TraceQL parsing, evaluation on a whole trace and push-down, on one hand-built shop trace:
 *
 * <pre>
 * 1 frontend GET /checkout     SERVER 0–100 ms, http.status_code=200, env production
 * ├─ 2 checkout POST /orders   SERVER 5–80 ms, ERROR, http.method=POST
 * │   └─ 3 checkout SELECT     CLIENT 10–30 ms, db.system.name=postgresql
 * └─ 4 cart GET /cart          SERVER 5–20 ms, cache.hit=true, event exception{message=boom}
 * </pre>
 */
class TraceQlTest {
  private static final TraceId TRACE = TraceId.fromHex("4bf92f3577b34da6a3ce929d0e0e4736");
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final long MS = 1_000_000L;

  private static final TraceContext SHOP =
      new TraceContext(
          List.of(
              span(1, 0, "frontend", "GET /checkout", SpanKind.SERVER, 0, 100, StatusCode.UNSET)
                  .addAttribute(Attribute.of("http.status_code", 200L))
                  .resource(
                      resource("frontend", Attribute.of("deployment.environment", "production")))
                  .build(),
              span(2, 1, "checkout", "POST /orders", SpanKind.SERVER, 5, 80, StatusCode.ERROR)
                  .addAttribute(Attribute.of("http.method", "POST"))
                  .build(),
              span(3, 2, "checkout", "SELECT orders", SpanKind.CLIENT, 10, 30, StatusCode.UNSET)
                  .addAttribute(Attribute.of("db.system.name", "postgresql"))
                  .build(),
              span(4, 1, "cart", "GET /cart", SpanKind.SERVER, 5, 20, StatusCode.OK)
                  .addAttribute(Attribute.of("cache.hit", true))
                  .addEvent(
                      new SpanEvent(
                          T0 + 7 * MS,
                          "exception",
                          List.of(Attribute.of("exception.message", "boom")),
                          0))
                  .build()));

  private static Span.Builder span(
      int id,
      int parent,
      String service,
      String name,
      SpanKind kind,
      long startMs,
      long endMs,
      StatusCode status) {
    return Span.builder(TRACE, new SpanId(id))
        .parentSpanId(parent == 0 ? null : new SpanId(parent))
        .name(name)
        .kind(kind)
        .time(T0 + startMs * MS, T0 + endMs * MS)
        .status(new Status(status, status == StatusCode.ERROR ? "failed" : ""))
        .resource(resource(service))
        .scope(new InstrumentationScope("io.opentelemetry.jdbc", "2.1", List.of(), 0, ""));
  }

  private static Resource resource(String service, Attribute... more) {
    List<Attribute> attributes = new ArrayList<>();
    attributes.add(new Attribute(Resource.SERVICE_NAME, AnyValue.of(service)));
    attributes.addAll(List.of(more));
    return new Resource(attributes, 0, "");
  }

  /** The span IDs the query selects, over all its spansets; empty when the trace does not match. */
  private static List<Long> matched(String query) {
    List<Long> ids = new ArrayList<>();
    BitSet all = new BitSet();
    for (Spanset s : Evaluator.evaluate(Parser.parse(query), SHOP)) {
      all.or(s.spans());
    }
    for (int i = all.nextSetBit(0); i >= 0; i = all.nextSetBit(i + 1)) {
      ids.add(SHOP.spans.get(i).spanId().value());
    }
    return ids;
  }

  @Test
  void aFilterSelectsTheSpansItsConditionHoldsOn() {
    assertThat(matched("{ resource.service.name = \"checkout\" && status = error }"))
        .containsExactly(2L);
    assertThat(matched("{ }")).containsExactly(1L, 2L, 3L, 4L);
    assertThat(matched("{ span.http.status_code >= 200 && span.http.status_code < 300 }"))
        .containsExactly(1L);
    assertThat(matched("{ kind = client || span:name = \"GET /cart\" }")).containsExactly(3L, 4L);
    assertThat(matched("{ duration > 50ms }")).containsExactly(1L, 2L);
    assertThat(matched("{ span.db.system.name =~ \"postgres.*\" }")).containsExactly(3L);
    assertThat(matched("{ span.db.system.name =~ \"postgres\" }"))
        .as("regular expressions are fully anchored")
        .isEmpty();
    assertThat(matched("{ span.http.method !~ \"GET|PUT\" }")).containsExactly(2L);
    assertThat(matched("{ .deployment.environment = \"production\" }")).containsExactly(1L);
    assertThat(matched("{ span.deployment.environment = \"production\" }"))
        .as("span scope does not read the resource")
        .isEmpty();
  }

  @Test
  void typesCompareAsTempoDoes_absentFieldsOnlyMatchNil() {
    assertThat(matched("{ span.http.status_code = \"200\" }"))
        .as("a string never equals an integer attribute")
        .isEmpty();
    assertThat(matched("{ span.http.status_code = 200.0 }")).containsExactly(1L);
    assertThat(matched("{ span.http.status_code != 500 }"))
        .as("!= holds only where the attribute exists")
        .containsExactly(1L);
    assertThat(matched("{ span.db.system.name = nil }")).containsExactly(1L, 2L, 4L);
    assertThat(matched("{ span.db.system.name != nil }")).containsExactly(3L);
    assertThat(matched("{ span.cache.hit }"))
        .as("a bare attribute means = true")
        .containsExactly(4L);
    assertThat(matched("{ !(status = error) && kind = server }")).containsExactly(1L, 4L);
    assertThat(matched("{ span.http.status_code > 100 * 2 - 1 }")).containsExactly(1L);
    assertThat(matched("{ span:parentID = \"1\" }"))
        .as("IDs may drop leading zeros")
        .containsExactly(2L, 4L);
    assertThat(matched("{ span:childCount = 0 }")).containsExactly(3L, 4L);
  }

  @Test
  void eventLinkAndInstrumentationScopes() {
    assertThat(matched("{ event.exception.message =~ \"bo.*\" }")).containsExactly(4L);
    assertThat(matched("{ event:name = \"exception\" && event:timeSinceStart = 2ms }"))
        .containsExactly(4L);
    assertThat(matched("{ instrumentation:name = \"io.opentelemetry.jdbc\" }")).hasSize(4);
    assertThat(matched("{ link:traceID != nil }")).isEmpty();
  }

  @Test
  void traceLevelIntrinsics() {
    assertThat(
            matched(
                "{ trace:rootService = \"frontend\" && trace:duration >= 100ms && kind = client }"))
        .containsExactly(3L);
    assertThat(matched("{ rootName = \"GET /checkout\" && traceDuration > 1s }")).isEmpty();
    assertThat(matched("{ trace:id = \"4BF92F3577B34DA6A3CE929D0E0E4736\" && span:id = \"3\" }"))
        .containsExactly(3L);
  }

  @Test
  void spansetOperators_logicalAndStructural() {
    // The example: a failing checkout span with a postgres call below it.
    assertThat(
            matched(
                "{ resource.service.name = \"checkout\" && status = error }"
                    + " >> { span.db.system.name = \"postgresql\" }"))
        .containsExactly(3L);
    assertThat(matched("{ resource.service.name = \"cart\" } >> { span.db.system.name != nil }"))
        .isEmpty();
    assertThat(matched("{ name = \"GET /checkout\" } > { kind = server }")).containsExactly(2L, 4L);
    assertThat(matched("{ name = \"GET /checkout\" } > { kind = client }")).isEmpty();
    assertThat(matched("{ kind = client } < { }"))
        .as("parents of client spans")
        .containsExactly(2L);
    assertThat(matched("{ kind = client } << { }")).containsExactly(1L, 2L);
    assertThat(matched("{ } !< { resource.service.name = \"checkout\" }"))
        .as("leaf spans of checkout")
        .containsExactly(3L);
    assertThat(matched("{ resource.service.name = \"cart\" } ~ { }")).containsExactly(2L);
    assertThat(matched("{ resource.service.name = \"cart\" } !~ { kind = server }"))
        .containsExactly(1L, 4L);
    assertThat(matched("{ status = error } &>> { kind = client }")).containsExactly(2L, 3L);
    assertThat(matched("{ span.cache.hit } && { status = error }")).containsExactly(2L, 4L);
    assertThat(matched("{ span.cache.hit } && { status = ok && kind = client }")).isEmpty();
    assertThat(matched("{ span.cache.hit } || { kind = client }")).containsExactly(3L, 4L);
    assertThat(matched("({ kind = server } | count() > 2) && { kind = client }"))
        .containsExactly(1L, 2L, 3L, 4L);
  }

  @Test
  void pipelines_aggregatesGroupsAndFilters() {
    assertThat(matched("{ kind = server } | count() > 2")).containsExactly(1L, 2L, 4L);
    assertThat(matched("{ kind = server } | count() > 3")).isEmpty();
    assertThat(matched("{ kind = server } | avg(duration) > 70ms")).isEmpty();
    assertThat(matched("{ kind = server } | avg(duration) > 60ms")).hasSize(3);
    assertThat(matched("{ kind = server } | max(duration) >= 100ms")).hasSize(3);
    assertThat(matched("{ } | sum(span.http.status_code) = 200")).hasSize(4);
    assertThat(matched("{ } | by(resource.service.name) | count() > 1")).containsExactly(2L, 3L);
    assertThat(matched("{ } | { kind = client }")).containsExactly(3L);
    assertThat(matched("{ status = error } | select(span.http.method)")).containsExactly(2L);
    assertThat(matched("{ kind = server } | by(resource.service.name) | coalesce()")).hasSize(3);
  }

  @Test
  void errorsNameTheLineAndColumn() {
    assertThatThrownBy(() -> Parser.parse("{ span.x = }"))
        .isInstanceOf(TraceQlException.class)
        .hasMessageContaining("column 12")
        .hasMessageContaining("expected a field or a value");
    assertThatThrownBy(() -> Parser.parse("{ name = \"a\"")).hasMessageContaining("expected '}'");
    assertThatThrownBy(() -> Parser.parse("{\n  span:nope = 1 }"))
        .hasMessageContaining("line 2, column 3")
        .hasMessageContaining("unknown intrinsic 'span:nope'");
    assertThatThrownBy(() -> Parser.parse("{ name =~ \"(\" }"))
        .hasMessageContaining("invalid regular expression");
    assertThatThrownBy(() -> Parser.parse("{ foo = 1 }"))
        .hasMessageContaining("attributes need a scope");
    assertThatThrownBy(() -> Parser.parse("{ duration > 5y }"))
        .hasMessageContaining("unknown duration unit 'y'");
    assertThatThrownBy(() -> Parser.parse("{ } | rate()"))
        .hasMessageContaining("unknown pipeline stage");
    assertThatThrownBy(() -> Parser.parse("")).hasMessageContaining("empty");
    assertThatThrownBy(() -> Parser.parse("{ name = \"x }")).hasMessageContaining("unterminated");
    assertThat(Parser.parse("{ } with (most_recent=true)").hints())
        .containsEntry("most_recent", "true");
    assertThat(Parser.parse("{ span.\"attr with space\" = `raw\\`}").expression()).isNotNull();
  }

  @Test
  void pushdown_isANecessaryConditionPerSpanOfIndexedFields() {
    Set<String> indexed = Set.of("db.system.name");
    assertThat(
            Pushdown.conjuncts(
                Parser.parse(
                    "{ resource.service.name = \"checkout\" && status = error }"
                        + " >> { span.db.system.name = \"postgresql\" }"),
                indexed))
        .containsExactly(
            new AllOf(
                List.of(
                    new Compare(Field.SERVICE, Operator.EQ, "checkout"),
                    new Compare(Field.STATUS, Operator.EQ, "ERROR"))),
            new AttributeEquals("db.system.name", "postgresql"));
    assertThat(Pushdown.conjuncts(Parser.parse("{ span.not.indexed = \"x\" }"), indexed))
        .as("a key the store does not index narrows nothing")
        .isEmpty();
    assertThat(
            Pushdown.conjuncts(Parser.parse("{ !(name = \"x\") } && { duration > 1s }"), indexed))
        .containsExactly(new Compare(Field.DURATION_NANOS, Operator.GT, 1_000_000_000L));
    assertThat(
            Pushdown.conjuncts(
                Parser.parse("{ name = \"a\" } || { span.db.system.name != nil }"), indexed))
        .containsExactly(
            new SpanCondition.AnyOf(
                List.of(
                    new Compare(Field.NAME, Operator.EQ, "a"),
                    new SpanCondition.HasAttribute("db.system.name"))));
    assertThat(Pushdown.conjuncts(Parser.parse("{ name = \"a\" } || { name =~ \"b.*\" }"), indexed))
        .as("one side that narrows nothing widens the whole")
        .isEmpty();
    assertThat(Pushdown.conjuncts(Parser.parse("{ } !> { kind = client }"), indexed))
        .containsExactly(new Compare(Field.KIND, Operator.EQ, "CLIENT"));
    assertThat(Pushdown.conjuncts(Parser.parse("{ .service.name = \"frontend\" }"), indexed))
        .as("an unscoped attribute also reads the span's own service.name attribute")
        .isEmpty();
    assertThat(Pushdown.conjuncts(Parser.parse("{ trace:rootService = \"frontend\" }"), indexed))
        .containsExactly(
            new AllOf(
                List.of(
                    new SpanCondition.Root(),
                    new Compare(Field.SERVICE, Operator.EQ, "frontend"))));
  }

  @Test
  void everyPushedDownConditionHoldsOnTheSpansTheQueryMatches() {
    // Property: for each query, each conjunct must hold on some span of a matching trace.
    List<String> queries =
        List.of(
            "{ resource.service.name = \"checkout\" && status = error } >> { span.db.system.name = \"postgresql\" }",
            "{ kind = server } | count() > 2",
            "{ span.http.status_code = 200 }",
            "{ span:parentID = \"1\" }",
            "{ trace:rootName = \"GET /checkout\" && kind = client }");
    for (String q : queries) {
      assertThat(matched(q)).as(q).isNotEmpty();
      for (SpanCondition c :
          Pushdown.conjuncts(Parser.parse(q), Set.of("db.system.name", "http.status_code"))) {
        assertThat(SHOP.spans.stream().anyMatch(s -> ReferenceConditions.holds(c, s)))
            .as(q + " → " + c)
            .isTrue();
      }
    }
  }
}
