package io.spanline.query.traceql;

import io.spanline.query.traceql.Ast.Binary;
import io.spanline.query.traceql.Ast.FieldExpr;
import io.spanline.query.traceql.Ast.FieldRef;
import io.spanline.query.traceql.Ast.Filter;
import io.spanline.query.traceql.Ast.FilterStage;
import io.spanline.query.traceql.Ast.Operator;
import io.spanline.query.traceql.Ast.Pipeline;
import io.spanline.query.traceql.Ast.Scope;
import io.spanline.query.traceql.Ast.SpansetExpr;
import io.spanline.query.traceql.Ast.SpansetOperation;
import io.spanline.query.traceql.Ast.SpansetOperator;
import io.spanline.query.traceql.Ast.Stage;
import io.spanline.query.traceql.Ast.Static;
import io.spanline.schemas.model.Resource;
import io.spanline.schemas.model.TraceId;
import io.spanline.storage.SpanCondition;
import io.spanline.storage.SpanCondition.Compare;
import io.spanline.storage.SpanCondition.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What of a TraceQL query a store can answer: a list of span conditions that a matching trace must
 * each satisfy on some span ("the trace has a span with …"). Always a necessary condition, never
 * more: whatever cannot be expressed exactly is widened ({@link SpanCondition#ANY}), so the store
 * returns a superset of the matching traces and {@link Evaluator} decides on whole traces.
 *
 * <p>Pushed down: name, service, status, kind, duration, span and parent IDs, link targets, the
 * root's name and service, and equality (the store also holds each element of an array, so an array
 * equals a value when one element does) or presence of attributes the store indexes ({@code
 * indexedKeys}). Not pushed: negations of attributes, regular expressions, arithmetic, trace
 * duration, strings longer than the index keeps (256 characters).
 */
final class Pushdown {
  /** The index keeps keyword values up to this many characters. */
  static final int MAX_INDEXED_CHARS = 256;

  private final Set<String> indexedKeys;

  private Pushdown(Set<String> indexedKeys) {
    this.indexedKeys = indexedKeys;
  }

  /**
   * Conditions that each must hold on some span of a matching trace; an empty list means every
   * trace is a candidate.
   *
   * @param indexedKeys the attribute keys the store can search by
   */
  static List<SpanCondition> conjuncts(Ast.Query query, Set<String> indexedKeys) {
    List<SpanCondition> out = new ArrayList<>();
    for (SpanCondition c : new Pushdown(indexedKeys).spanset(query.expression())) {
      if (!(c instanceof SpanCondition.Any)) {
        out.add(c);
      }
    }
    return out;
  }

  private List<SpanCondition> spanset(SpansetExpr e) {
    List<SpanCondition> out = new ArrayList<>();
    if (e instanceof Filter f) {
      out.add(span(f.condition()));
      hoistTraceLevel(f.condition(), out);
      return out;
    }
    if (e instanceof Pipeline p) {
      out.addAll(spanset(p.source()));
      for (Stage s : p.stages()) {
        if (s instanceof FilterStage fs) {
          out.addAll(spanset(fs.expression()));
        }
      }
      return out;
    }
    SpansetOperation op = (SpansetOperation) e;
    if (op.operator() == SpansetOperator.OR) {
      SpanCondition left = strongest(spanset(op.left()));
      SpanCondition right = strongest(spanset(op.right()));
      out.add(or(left, right));
      return out;
    }
    if (op.operator().name().startsWith("NOT_")) {
      // {A} !> {B}: B's spans must exist; A's need not.
      out.addAll(spanset(op.right()));
      return out;
    }
    out.addAll(spanset(op.left()));
    out.addAll(spanset(op.right()));
    return out;
  }

  /** One condition of a conjunction, the first that narrows anything. */
  private static SpanCondition strongest(List<SpanCondition> conjuncts) {
    for (SpanCondition c : conjuncts) {
      if (!(c instanceof SpanCondition.Any)) {
        return c;
      }
    }
    return SpanCondition.ANY;
  }

  /**
   * Trace-level comparisons joined by {@code &&} at the top of a filter become conditions of their
   * own: the root span's name or service, the trace ID.
   */
  private void hoistTraceLevel(FieldExpr e, List<SpanCondition> out) {
    if (e instanceof Binary b && b.operator() == Operator.AND) {
      hoistTraceLevel(b.left(), out);
      hoistTraceLevel(b.right(), out);
      return;
    }
    Comparison c = Comparison.of(e);
    if (c == null || c.ref.intrinsic() == null || !(c.value instanceof Value.Str s)) {
      return;
    }
    if (c.operator != Operator.EQ || s.value().length() > MAX_INDEXED_CHARS) {
      return;
    }
    switch (c.ref.intrinsic()) {
      case ROOT_NAME ->
          out.add(
              new SpanCondition.AllOf(
                  List.of(
                      new SpanCondition.Root(),
                      new Compare(Field.NAME, SpanCondition.Operator.EQ, s.value()))));
      case ROOT_SERVICE ->
          out.add(
              new SpanCondition.AllOf(
                  List.of(
                      new SpanCondition.Root(),
                      new Compare(Field.SERVICE, SpanCondition.Operator.EQ, s.value()))));
      case TRACE_ID ->
          hex(s.value(), 32)
              .ifPresent(id -> out.add(new Compare(Field.TRACE_ID, SpanCondition.Operator.EQ, id)));
      default -> {}
    }
  }

  /** A condition on one span that holds wherever {@code e} holds. */
  private SpanCondition span(FieldExpr e) {
    if (e instanceof Binary b && b.operator() == Operator.AND) {
      return and(span(b.left()), span(b.right()));
    }
    if (e instanceof Binary b && b.operator() == Operator.OR) {
      return or(span(b.left()), span(b.right()));
    }
    Comparison c = Comparison.of(e);
    return c == null ? SpanCondition.ANY : comparison(c);
  }

  private SpanCondition comparison(Comparison c) {
    if (c.value instanceof Value.Nil) {
      boolean present = c.operator == Operator.NE;
      return present && c.ref.intrinsic() == null ? attributePresent(c.ref) : SpanCondition.ANY;
    }
    if (c.ref.intrinsic() != null) {
      return intrinsic(c);
    }
    String key = c.ref.attribute();
    // Only the resource's service.name is the span's service: an unscoped .service.name also
    // reads a span attribute of that name.
    if (c.ref.scope() == Scope.RESOURCE
        && key.equals(Resource.SERVICE_NAME)
        && c.value instanceof Value.Str s
        && s.value().length() <= MAX_INDEXED_CHARS) {
      SpanCondition.Operator op = operator(c.operator);
      if (op != null) {
        return new Compare(Field.SERVICE, op, s.value());
      }
    }
    if (c.operator == Operator.EQ && indexedKeys.contains(key)) {
      String text = equalityText(c.value);
      if (text != null && (key + "=" + text).length() <= MAX_INDEXED_CHARS) {
        if (c.value instanceof Value.Int i) {
          // an integer literal also equals a double attribute of the same value
          return or(
              new SpanCondition.AttributeEquals(key, text),
              new SpanCondition.AttributeEquals(key, Double.toString(i.value())));
        }
        // the store also holds each element of an array: = holds when one element does
        return new SpanCondition.AttributeEquals(key, text);
      }
    }
    return attributePresent(c.ref);
  }

  /** The string form an equal attribute value is indexed under, or null when there is none. */
  private static String equalityText(Value v) {
    if (v instanceof Value.Str s) {
      return s.value();
    }
    if (v instanceof Value.Int i) {
      return Long.toString(i.value());
    }
    if (v instanceof Value.Bool b) {
      return Boolean.toString(b.value());
    }
    return null;
  }

  private SpanCondition attributePresent(FieldRef ref) {
    return indexedKeys.contains(ref.attribute())
        ? new SpanCondition.HasAttribute(ref.attribute())
        : SpanCondition.ANY;
  }

  private SpanCondition intrinsic(Comparison c) {
    SpanCondition.Operator op = operator(c.operator);
    if (op == null) {
      return SpanCondition.ANY;
    }
    switch (c.ref.intrinsic()) {
      case NAME:
        return c.value instanceof Value.Str s && s.value().length() <= MAX_INDEXED_CHARS
            ? new Compare(Field.NAME, op, s.value())
            : SpanCondition.ANY;
      case STATUS:
        return c.value instanceof Value.Status s && isEquality(op)
            ? new Compare(Field.STATUS, op, s.name().toUpperCase(Locale.ROOT))
            : SpanCondition.ANY;
      case KIND:
        return c.value instanceof Value.Kind k && isEquality(op)
            ? new Compare(Field.KIND, op, k.name().toUpperCase(Locale.ROOT))
            : SpanCondition.ANY;
      case DURATION:
        return c.value instanceof Value.Duration d
            ? new Compare(Field.DURATION_NANOS, op, d.nanos())
            : SpanCondition.ANY;
      case SPAN_ID:
        return idCondition(Field.SPAN_ID, op, c.value, 16);
      case PARENT_ID:
        return idCondition(Field.PARENT_SPAN_ID, op, c.value, 16);
      case LINK_TRACE_ID:
        if (op == SpanCondition.Operator.EQ && c.value instanceof Value.Str s) {
          try {
            return new SpanCondition.LinksTo(TraceId.fromHex(Evaluator.canonicalId(s.value(), 32)));
          } catch (IllegalArgumentException e) {
            return SpanCondition.ANY;
          }
        }
        return SpanCondition.ANY;
      default:
        return SpanCondition.ANY;
    }
  }

  private static SpanCondition idCondition(
      Field field, SpanCondition.Operator op, Value value, int length) {
    if (op != SpanCondition.Operator.EQ || !(value instanceof Value.Str s)) {
      return SpanCondition.ANY;
    }
    return hex(s.value(), length)
        .<SpanCondition>map(id -> new Compare(field, op, id))
        .orElse(SpanCondition.ANY);
  }

  private static java.util.Optional<String> hex(String text, int length) {
    String id = Evaluator.canonicalId(text, length);
    return id.length() == length && id.chars().allMatch(ch -> Character.digit(ch, 16) >= 0)
        ? java.util.Optional.of(id)
        : java.util.Optional.empty();
  }

  private static boolean isEquality(SpanCondition.Operator op) {
    return op == SpanCondition.Operator.EQ || op == SpanCondition.Operator.NE;
  }

  private static SpanCondition.Operator operator(Operator op) {
    return switch (op) {
      case EQ -> SpanCondition.Operator.EQ;
      case NE -> SpanCondition.Operator.NE;
      case GT -> SpanCondition.Operator.GT;
      case GE -> SpanCondition.Operator.GE;
      case LT -> SpanCondition.Operator.LT;
      case LE -> SpanCondition.Operator.LE;
      default -> null;
    };
  }

  private static SpanCondition and(SpanCondition a, SpanCondition b) {
    if (a instanceof SpanCondition.Any) {
      return b;
    }
    if (b instanceof SpanCondition.Any) {
      return a;
    }
    return new SpanCondition.AllOf(List.of(a, b));
  }

  private static SpanCondition or(SpanCondition a, SpanCondition b) {
    if (a instanceof SpanCondition.Any || b instanceof SpanCondition.Any) {
      return SpanCondition.ANY;
    }
    return new SpanCondition.AnyOf(List.of(a, b));
  }

  /** {@code field op literal}, either way round (the operator turned when the literal is left). */
  private static final class Comparison {
    final FieldRef ref;
    final Operator operator;
    final Value value;

    private Comparison(FieldRef ref, Operator operator, Value value) {
      this.ref = ref;
      this.operator = operator;
      this.value = value;
    }

    static Comparison of(FieldExpr e) {
      if (!(e instanceof Binary b) || !b.operator().isComparison()) {
        return null;
      }
      if (b.left() instanceof FieldRef ref && b.right() instanceof Static s) {
        return new Comparison(ref, b.operator(), s.value());
      }
      if (b.right() instanceof FieldRef ref && b.left() instanceof Static s) {
        Operator turned =
            switch (b.operator()) {
              case GT -> Operator.LT;
              case GE -> Operator.LE;
              case LT -> Operator.GT;
              case LE -> Operator.GE;
              case MATCH, NOT_MATCH -> null;
              default -> b.operator();
            };
        return turned == null ? null : new Comparison(ref, turned, s.value());
      }
      return null;
    }
  }
}
