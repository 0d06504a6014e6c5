package io.spanline.query.traceql;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The syntax tree of a TraceQL query, as {@link Parser} builds it. Immutable. */
final class Ast {
  private Ast() {}

  /** A whole query: the spanset expression and its hints ({@code with (most_recent=true)}). */
  record Query(SpansetExpr expression, Map<String, String> hints) {
    Query {
      Objects.requireNonNull(expression, "expression");
      hints = Map.copyOf(hints);
    }
  }

  // --- spanset expressions: they select sets of spans of one trace

  sealed interface SpansetExpr permits Filter, SpansetOperation, Pipeline {}

  /** {@code { condition }}: the spans the condition holds on. */
  record Filter(FieldExpr condition) implements SpansetExpr {}

  /** Two spanset expressions joined by a logical or structural operator. */
  record SpansetOperation(SpansetOperator operator, SpansetExpr left, SpansetExpr right)
      implements SpansetExpr {}

  /** A spanset expression followed by {@code |} stages. */
  record Pipeline(SpansetExpr source, List<Stage> stages) implements SpansetExpr {
    Pipeline {
      stages = List.copyOf(stages);
    }
  }

  /**
   * Operators between spansets. Structural ones return matches of the right side (the union ones of
   * both sides); source: Tempo's TraceQL documentation, "Combine spansets using operators".
   */
  enum SpansetOperator {
    AND("&&"),
    OR("||"),
    CHILD(">"),
    DESCENDANT(">>"),
    PARENT("<"),
    ANCESTOR("<<"),
    SIBLING("~"),
    NOT_CHILD("!>"),
    NOT_DESCENDANT("!>>"),
    NOT_PARENT("!<"),
    NOT_ANCESTOR("!<<"),
    NOT_SIBLING("!~"),
    UNION_CHILD("&>"),
    UNION_DESCENDANT("&>>"),
    UNION_PARENT("&<"),
    UNION_ANCESTOR("&<<"),
    UNION_SIBLING("&~");

    final String symbol;

    SpansetOperator(String symbol) {
      this.symbol = symbol;
    }
  }

  // --- pipeline stages

  sealed interface Stage permits AggregateFilter, Select, By, Coalesce, FilterStage {}

  /** {@code count() > 2}, {@code avg(duration) > 1s}: keeps the spansets where it holds. */
  record AggregateFilter(Aggregate aggregate, FieldExpr argument, Operator operator, Value value)
      implements Stage {}

  enum Aggregate {
    COUNT,
    AVG,
    MIN,
    MAX,
    SUM
  }

  /** {@code select(span.a, resource.b)}: fields to return with each matched span. */
  record Select(List<FieldRef> fields) implements Stage {
    Select {
      fields = List.copyOf(fields);
    }
  }

  /** {@code by(resource.service.name)}: splits each spanset by the field's value. */
  record By(FieldExpr field) implements Stage {}

  /** {@code coalesce()}: merges the spansets of a trace into one. */
  record Coalesce() implements Stage {}

  /** A spanset expression as a stage: it filters the spans of each spanset. */
  record FilterStage(SpansetExpr expression) implements Stage {}

  // --- field expressions: evaluated on one span

  sealed interface FieldExpr permits Static, FieldRef, Binary, Unary {}

  /** A literal. */
  record Static(Value value) implements FieldExpr {}

  /**
   * A field of the span: an intrinsic ({@code name}, {@code span:duration}, …) or an attribute in a
   * scope ({@code span.http.method}, {@code resource.service.name}, {@code .unscoped}).
   *
   * @param attribute the attribute key; null for an intrinsic
   * @param intrinsic the intrinsic; null for an attribute
   * @param text the field as written, the key of its value in results
   */
  record FieldRef(Scope scope, String attribute, Intrinsic intrinsic, String text)
      implements FieldExpr {}

  /** Where an attribute is read. */
  enum Scope {
    SPAN,
    RESOURCE,
    EVENT,
    LINK,
    INSTRUMENTATION,
    /** The span's attribute or its resource's. */
    UNSCOPED,
    INTRINSIC
  }

  /** Intrinsic fields; source: Tempo's TraceQL documentation, "Intrinsic fields". */
  enum Intrinsic {
    NAME,
    STATUS,
    STATUS_MESSAGE,
    KIND,
    DURATION,
    SPAN_ID,
    PARENT_ID,
    CHILD_COUNT,
    TRACE_DURATION,
    ROOT_NAME,
    ROOT_SERVICE,
    TRACE_ID,
    EVENT_NAME,
    EVENT_TIME_SINCE_START,
    LINK_TRACE_ID,
    LINK_SPAN_ID,
    INSTRUMENTATION_NAME,
    INSTRUMENTATION_VERSION
  }

  record Binary(Operator operator, FieldExpr left, FieldExpr right) implements FieldExpr {}

  record Unary(Operator operator, FieldExpr operand) implements FieldExpr {}

  /** Operators of field expressions; {@link #NOT} and {@link #SUB} are also unary. */
  enum Operator {
    AND("&&"),
    OR("||"),
    NOT("!"),
    EQ("="),
    NE("!="),
    GT(">"),
    GE(">="),
    LT("<"),
    LE("<="),
    MATCH("=~"),
    NOT_MATCH("!~"),
    ADD("+"),
    SUB("-"),
    MUL("*"),
    DIV("/"),
    MOD("%"),
    POW("^");

    final String symbol;

    Operator(String symbol) {
      this.symbol = symbol;
    }

    boolean isComparison() {
      return ordinal() >= EQ.ordinal() && ordinal() <= NOT_MATCH.ordinal();
    }

    boolean isArithmetic() {
      return ordinal() >= ADD.ordinal();
    }
  }
}
