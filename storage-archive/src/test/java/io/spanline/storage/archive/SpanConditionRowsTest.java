package io.spanline.storage.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.DecisionOutcome;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.schemas.model.SpanId;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.testing.TraceBuilder;
import io.spanline.storage.SpanCondition;
import io.spanline.storage.SpanCondition.Compare;
import io.spanline.storage.SpanCondition.Field;
import io.spanline.storage.SpanCondition.Operator;
import io.spanline.storage.archive.internal.parquet.SpanRows;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.junit.jupiter.api.Test;

class SpanConditionRowsTest {
  // Given a trace: root frontend SERVER 40 ms, child checkout CLIENT 10 ms, failed, with attributes
  private static final AssembledTrace TRACE =
      TraceBuilder.trace()
          .tenant("acme")
          .root("frontend", "GET /pay", 40)
          .child("checkout", "POST /charge", 10)
          .error()
          .attr("customer.tier", "gold")
          .resourceAttr("deployment.environment", "prod")
          .build();
  private static final List<GenericRecord> ROWS =
      SpanRows.of(
          new SampledTrace(
              TRACE,
              new SamplingDecision(
                  "acme", TRACE.traceId(), DecisionOutcome.KEEP, List.of("all"), 1.0, 0L)));
  private static final GenericRecord ROOT = row("GET /pay");
  private static final GenericRecord CHILD = row("POST /charge");

  private static GenericRecord row(String name) {
    return ROWS.stream()
        .filter(r -> r.get("span_name").toString().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static boolean holds(SpanCondition c, GenericRecord r) {
    return SpanConditionRows.test(c, new HashSet<>()).test(r);
  }

  private static Compare cmp(Field f, Operator op, Object v) {
    return new Compare(f, op, v);
  }

  @Test
  void comparesTheSpansOwnFields_exactly() {
    assertThat(holds(cmp(Field.SERVICE, Operator.EQ, "checkout"), CHILD)).isTrue();
    assertThat(holds(cmp(Field.SERVICE, Operator.EQ, "checkout"), ROOT)).isFalse();
    assertThat(holds(cmp(Field.SERVICE, Operator.NE, "checkout"), ROOT)).isTrue();
    assertThat(holds(cmp(Field.NAME, Operator.EQ, "GET /pay"), ROOT)).isTrue();
    assertThat(holds(cmp(Field.NAME, Operator.LT, "H"), ROOT)).isTrue();
    assertThat(holds(cmp(Field.NAME, Operator.LT, "H"), CHILD)).isFalse();
    assertThat(holds(cmp(Field.KIND, Operator.EQ, "CLIENT"), CHILD)).isTrue();
    assertThat(holds(cmp(Field.KIND, Operator.EQ, "CLIENT"), ROOT)).isFalse();
    assertThat(holds(cmp(Field.STATUS, Operator.EQ, "ERROR"), CHILD)).isTrue();
    assertThat(holds(cmp(Field.STATUS, Operator.EQ, "ERROR"), ROOT)).isFalse();
    assertThat(holds(cmp(Field.DURATION_NANOS, Operator.GT, 20_000_000L), ROOT)).isTrue();
    assertThat(holds(cmp(Field.DURATION_NANOS, Operator.GT, 20_000_000L), CHILD)).isFalse();
    assertThat(holds(cmp(Field.DURATION_NANOS, Operator.LE, 10_000_000L), CHILD)).isTrue();
    assertThat(holds(cmp(Field.TRACE_ID, Operator.EQ, TRACE.traceId().toHex()), ROOT)).isTrue();
    String rootId = ROOT.get("span_id").toString();
    assertThat(holds(cmp(Field.SPAN_ID, Operator.EQ, rootId), ROOT)).isTrue();
    assertThat(holds(cmp(Field.PARENT_SPAN_ID, Operator.EQ, rootId), CHILD)).isTrue();
  }

  @Test
  void aRootHasNoParent_andMatchesNoComparisonOfIt() {
    assertThat(holds(new SpanCondition.Root(), ROOT)).isTrue();
    assertThat(holds(new SpanCondition.Root(), CHILD)).isFalse();
    String other = new SpanId(0x77L).toHex();
    assertThat(holds(cmp(Field.PARENT_SPAN_ID, Operator.NE, other), ROOT)).isFalse();
    assertThat(holds(cmp(Field.PARENT_SPAN_ID, Operator.NE, other), CHILD)).isTrue();
  }

  @Test
  void attributes_onTheSpanOrItsResource() {
    assertThat(holds(new SpanCondition.AttributeEquals("customer.tier", "gold"), CHILD)).isTrue();
    assertThat(holds(new SpanCondition.AttributeEquals("customer.tier", "gold"), ROOT)).isFalse();
    assertThat(holds(new SpanCondition.AttributeEquals("customer.tier", "lead"), CHILD)).isFalse();
    assertThat(holds(new SpanCondition.AttributeEquals("deployment.environment", "prod"), CHILD))
        .isTrue();
    assertThat(holds(new SpanCondition.HasAttribute("customer.tier"), CHILD)).isTrue();
    assertThat(holds(new SpanCondition.HasAttribute("customer.tier"), ROOT)).isFalse();
  }

  @Test
  void combinations_andWhatTheArchiveCannotTest() {
    SpanCondition failedCheckout =
        new SpanCondition.AllOf(
            List.of(
                cmp(Field.SERVICE, Operator.EQ, "checkout"),
                cmp(Field.STATUS, Operator.EQ, "ERROR")));
    assertThat(holds(failedCheckout, CHILD)).isTrue();
    assertThat(holds(failedCheckout, ROOT)).isFalse();
    SpanCondition either =
        new SpanCondition.AnyOf(
            List.of(new SpanCondition.Root(), cmp(Field.STATUS, Operator.EQ, "ERROR")));
    assertThat(holds(either, ROOT)).isTrue();
    assertThat(holds(either, CHILD)).isTrue();
    assertThat(holds(new SpanCondition.AnyOf(List.of()), ROOT)).isFalse();
    assertThat(holds(new SpanCondition.AllOf(List.of()), ROOT)).isTrue();
    assertThat(holds(SpanCondition.ANY, ROOT)).isTrue();
    // no link columns: a link condition holds on every row, the caller checks the traces
    assertThat(holds(new SpanCondition.LinksTo(new TraceId(1, 2)), ROOT)).isTrue();
  }

  @Test
  void pushesDownOnlyWhatParquetCanEvaluate_andNamesTheColumnsRead() {
    Set<String> columns = new HashSet<>();
    Optional<FilterPredicate> failed =
        SpanConditionRows.pushed(
            new SpanCondition.AllOf(
                List.of(
                    cmp(Field.SERVICE, Operator.EQ, "checkout"),
                    cmp(Field.NAME, Operator.GT, "A"), // string order: rows only
                    cmp(Field.DURATION_NANOS, Operator.GE, 5L),
                    new SpanCondition.AttributeEquals("k", "v"))),
            columns);
    assertThat(failed).isPresent();
    assertThat(failed.get().toString())
        .contains("service_name")
        .contains("duration_nanos")
        .doesNotContain("span_name");
    assertThat(columns).contains("service_name", "duration_nanos", "span_name");

    // a union narrows only when each side does
    assertThat(
            SpanConditionRows.pushed(
                new SpanCondition.AnyOf(
                    List.of(
                        cmp(Field.STATUS, Operator.EQ, "ERROR"),
                        new SpanCondition.HasAttribute("k"))),
                new HashSet<>()))
        .isEmpty();
    assertThat(
            SpanConditionRows.pushed(
                new SpanCondition.AnyOf(
                    List.of(cmp(Field.STATUS, Operator.EQ, "ERROR"), new SpanCondition.Root())),
                new HashSet<>()))
        .hasValueSatisfying(p -> assertThat(p.toString()).contains("or("));
    assertThat(SpanConditionRows.pushed(new SpanCondition.LinksTo(new TraceId(1, 2)), columns))
        .isEmpty();
  }
}
