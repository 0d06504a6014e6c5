package io.spanline.query.traceql;

import io.spanline.query.traceql.Ast.AggregateFilter;
import io.spanline.query.traceql.Ast.Binary;
import io.spanline.query.traceql.Ast.By;
import io.spanline.query.traceql.Ast.Coalesce;
import io.spanline.query.traceql.Ast.FieldExpr;
import io.spanline.query.traceql.Ast.FieldRef;
import io.spanline.query.traceql.Ast.Filter;
import io.spanline.query.traceql.Ast.FilterStage;
import io.spanline.query.traceql.Ast.Intrinsic;
import io.spanline.query.traceql.Ast.Operator;
import io.spanline.query.traceql.Ast.Pipeline;
import io.spanline.query.traceql.Ast.SpansetExpr;
import io.spanline.query.traceql.Ast.SpansetOperation;
import io.spanline.query.traceql.Ast.Stage;
import io.spanline.query.traceql.Ast.Static;
import io.spanline.query.traceql.Ast.Unary;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanEvent;
import io.spanline.schemas.model.SpanLink;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Evaluates a parsed TraceQL query on one whole trace: the spansets it selects, none when the trace
 * does not match. Pure. Semantics follow Tempo's TraceQL documentation: a filter's condition must
 * hold on one span; {@code &&}/{@code ||} between spansets need both/either to be non-empty and
 * return the union; structural operators return spans of the right side (the union ones of both
 * sides); aggregates filter spansets; an absent field satisfies no comparison but {@code = nil}.
 */
final class Evaluator {
  private Evaluator() {}

  /** The spansets the query selects in the trace; empty when the trace does not match. */
  static List<Spanset> evaluate(Ast.Query query, TraceContext trace) {
    List<Spanset> out = new ArrayList<>();
    for (Spanset s : spansets(query.expression(), trace, trace.all())) {
      if (!s.spans().isEmpty()) {
        out.add(s);
      }
    }
    return out;
  }

  private static List<Spanset> spansets(SpansetExpr e, TraceContext trace, BitSet universe) {
    if (e instanceof Filter f) {
      BitSet matched = new BitSet(trace.size());
      for (int i = universe.nextSetBit(0); i >= 0; i = universe.nextSetBit(i + 1)) {
        if (truthy(values(f.condition(), trace, i))) {
          matched.set(i);
        }
      }
      return matched.isEmpty() ? List.of() : List.of(new Spanset(matched));
    }
    if (e instanceof SpansetOperation op) {
      BitSet left = union(spansets(op.left(), trace, universe), trace);
      BitSet right = union(spansets(op.right(), trace, universe), trace);
      BitSet result = Structure.combine(op.operator(), left, right, trace);
      return result.isEmpty() ? List.of() : List.of(new Spanset(result));
    }
    Pipeline p = (Pipeline) e;
    List<Spanset> sets = spansets(p.source(), trace, universe);
    for (Stage stage : p.stages()) {
      sets = apply(stage, sets, trace);
      if (sets.isEmpty()) {
        break;
      }
    }
    return sets;
  }

  private static BitSet union(List<Spanset> sets, TraceContext trace) {
    BitSet b = new BitSet(trace.size());
    for (Spanset s : sets) {
      b.or(s.spans());
    }
    return b;
  }

  private static List<Spanset> apply(Stage stage, List<Spanset> sets, TraceContext trace) {
    List<Spanset> out = new ArrayList<>();
    if (stage instanceof FilterStage f) {
      for (Spanset s : sets) {
        BitSet kept = union(spansets(f.expression(), trace, s.spans()), trace);
        kept.and(s.spans());
        if (!kept.isEmpty()) {
          out.add(new Spanset(kept, s.attributes()));
        }
      }
      return out;
    }
    if (stage instanceof AggregateFilter a) {
      for (Spanset s : sets) {
        if (Values.compare(aggregate(a, s, trace), a.operator(), a.value())) {
          out.add(s);
        }
      }
      return out;
    }
    if (stage instanceof By by) {
      for (Spanset s : sets) {
        Map<String, BitSet> groups = new LinkedHashMap<>();
        Map<String, Value> keys = new LinkedHashMap<>();
        BitSet spans = s.spans();
        for (int i = spans.nextSetBit(0); i >= 0; i = spans.nextSetBit(i + 1)) {
          List<Value> vs = values(by.field(), trace, i);
          if (vs.isEmpty()) {
            continue;
          }
          String key = Values.text(vs.get(0));
          groups.computeIfAbsent(key, k -> new BitSet(trace.size())).set(i);
          keys.putIfAbsent(key, vs.get(0));
        }
        for (Map.Entry<String, BitSet> g : groups.entrySet()) {
          Map<String, Value> attributes = new LinkedHashMap<>(s.attributes());
          attributes.put("by(" + describe(by.field()) + ")", keys.get(g.getKey()));
          out.add(new Spanset(g.getValue(), attributes));
        }
      }
      return out;
    }
    if (stage instanceof Coalesce) {
      BitSet all = union(sets, trace);
      return all.isEmpty() ? List.of() : List.of(new Spanset(all));
    }
    // select(…) changes no spanset: its fields are returned with the matched spans.
    return sets;
  }

  private static Value aggregate(AggregateFilter a, Spanset s, TraceContext trace) {
    if (a.aggregate() == Ast.Aggregate.COUNT) {
      return new Value.Int(s.matched());
    }
    List<Value> numbers = new ArrayList<>();
    BitSet spans = s.spans();
    for (int i = spans.nextSetBit(0); i >= 0; i = spans.nextSetBit(i + 1)) {
      for (Value v : values(a.argument(), trace, i)) {
        if (Values.isNumber(v) || v instanceof Value.Duration) {
          numbers.add(v);
        }
      }
    }
    if (numbers.isEmpty()) {
      return Value.NIL;
    }
    boolean durations = numbers.stream().allMatch(v -> v instanceof Value.Duration);
    boolean integers = numbers.stream().allMatch(v -> v instanceof Value.Int);
    double sum = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (Value v : numbers) {
      double d = Values.asDouble(v);
      sum += d;
      min = Math.min(min, d);
      max = Math.max(max, d);
    }
    double result =
        switch (a.aggregate()) {
          case AVG -> sum / numbers.size();
          case MIN -> min;
          case MAX -> max;
          default -> sum;
        };
    if (durations) {
      return new Value.Duration(Math.round(result));
    }
    if (integers && a.aggregate() != Ast.Aggregate.AVG) {
      return new Value.Int((long) result);
    }
    return new Value.Float(result);
  }

  // --- field expressions on one span

  private static boolean truthy(List<Value> values) {
    for (Value v : values) {
      if (v instanceof Value.Bool b && b.value()) {
        return true;
      }
    }
    return false;
  }

  private static final List<Value> TRUE = List.of(new Value.Bool(true));
  private static final List<Value> FALSE = List.of(new Value.Bool(false));

  /** The values of the expression on span {@code i}: none when absent, several for a scope list. */
  static List<Value> values(FieldExpr e, TraceContext trace, int i) {
    if (e instanceof Static s) {
      return List.of(s.value());
    }
    if (e instanceof FieldRef ref) {
      return field(ref, trace, i);
    }
    if (e instanceof Unary u) {
      if (u.operator() == Operator.NOT) {
        return truthy(values(u.operand(), trace, i)) ? FALSE : TRUE;
      }
      List<Value> out = new ArrayList<>();
      for (Value v : values(u.operand(), trace, i)) {
        add(out, Values.arithmetic(Operator.SUB, zeroLike(v), v));
      }
      return out;
    }
    Binary b = (Binary) e;
    switch (b.operator()) {
      case AND:
        return truthy(values(b.left(), trace, i)) && truthy(values(b.right(), trace, i))
            ? TRUE
            : FALSE;
      case OR:
        return truthy(values(b.left(), trace, i)) || truthy(values(b.right(), trace, i))
            ? TRUE
            : FALSE;
      default:
        break;
    }
    List<Value> left = values(b.left(), trace, i);
    List<Value> right = values(b.right(), trace, i);
    if (b.operator().isComparison()) {
      return compare(b, left, right) ? TRUE : FALSE;
    }
    List<Value> out = new ArrayList<>();
    for (Value l : left) {
      for (Value r : right) {
        add(out, Values.arithmetic(b.operator(), l, r));
      }
    }
    return out;
  }

  private static boolean compare(Binary b, List<Value> left, List<Value> right) {
    boolean leftNil = b.left() instanceof Static s && s.value() instanceof Value.Nil;
    boolean rightNil = b.right() instanceof Static s && s.value() instanceof Value.Nil;
    if (leftNil || rightNil) {
      List<Value> field = rightNil ? left : right;
      if (b.operator() == Operator.EQ) {
        return field.isEmpty();
      }
      return b.operator() == Operator.NE && !field.isEmpty();
    }
    for (Value l : left) {
      for (Value r : right) {
        if (Values.compare(normalizeId(b.right(), l), b.operator(), normalizeId(b.left(), r))) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * An ID written in a query may drop leading zeros or use capitals (Tempo accepts both): when the
   * other side of the comparison is an ID intrinsic, a string is compared in canonical form.
   */
  private static Value normalizeId(FieldExpr otherSide, Value v) {
    if (!(otherSide instanceof FieldRef ref) || !(v instanceof Value.Str s)) {
      return v;
    }
    int length;
    if (ref.intrinsic() == Intrinsic.TRACE_ID || ref.intrinsic() == Intrinsic.LINK_TRACE_ID) {
      length = 32;
    } else if (ref.intrinsic() == Intrinsic.SPAN_ID
        || ref.intrinsic() == Intrinsic.PARENT_ID
        || ref.intrinsic() == Intrinsic.LINK_SPAN_ID) {
      length = 16;
    } else {
      return v;
    }
    return new Value.Str(canonicalId(s.value(), length));
  }

  /** Lowercase, left-padded with zeros to {@code length} hex characters. */
  static String canonicalId(String hex, int length) {
    String lower = hex.toLowerCase(Locale.ROOT);
    return lower.length() >= length ? lower : "0".repeat(length - lower.length()) + lower;
  }

  private static Value zeroLike(Value v) {
    if (v instanceof Value.Duration) {
      return new Value.Duration(0);
    }
    return v instanceof Value.Float ? new Value.Float(0) : new Value.Int(0);
  }

  private static void add(List<Value> out, Value v) {
    if (!(v instanceof Value.Nil)) {
      out.add(v);
    }
  }

  private static List<Value> field(FieldRef ref, TraceContext trace, int i) {
    Span span = trace.spans.get(i);
    List<Value> out = new ArrayList<>(1);
    if (ref.intrinsic() == null) {
      switch (ref.scope()) {
        case SPAN -> attribute(out, span.attributes(), ref.attribute());
        case RESOURCE -> attribute(out, span.resource().attributes(), ref.attribute());
        case UNSCOPED -> {
          attribute(out, span.attributes(), ref.attribute());
          attribute(out, span.resource().attributes(), ref.attribute());
        }
        case EVENT -> {
          for (SpanEvent ev : span.events()) {
            attribute(out, ev.attributes(), ref.attribute());
          }
        }
        case LINK -> {
          for (SpanLink l : span.links()) {
            attribute(out, l.attributes(), ref.attribute());
          }
        }
        case INSTRUMENTATION -> attribute(out, span.scope().attributes(), ref.attribute());
        default -> {}
      }
      return out;
    }
    switch (ref.intrinsic()) {
      case NAME -> out.add(new Value.Str(span.name()));
      case STATUS ->
          out.add(new Value.Status(span.status().code().name().toLowerCase(Locale.ROOT)));
      case STATUS_MESSAGE -> out.add(new Value.Str(span.status().message()));
      case KIND -> out.add(new Value.Kind(Values.kindName(span.kind().name())));
      case DURATION -> out.add(new Value.Duration(span.durationNanos()));
      case SPAN_ID -> out.add(new Value.Str(span.spanId().toHex()));
      case PARENT_ID -> {
        if (span.parentSpanId() != null) {
          out.add(new Value.Str(span.parentSpanId().toHex()));
        }
      }
      case CHILD_COUNT -> out.add(new Value.Int(trace.children.get(i).size()));
      case TRACE_DURATION ->
          out.add(new Value.Duration(trace.endEpochNanos - trace.startEpochNanos));
      case ROOT_NAME -> {
        if (trace.root >= 0) {
          out.add(new Value.Str(trace.spans.get(trace.root).name()));
        }
      }
      case ROOT_SERVICE -> {
        if (trace.root >= 0) {
          out.add(new Value.Str(trace.spans.get(trace.root).serviceName()));
        }
      }
      case TRACE_ID -> out.add(new Value.Str(span.traceId().toHex()));
      case EVENT_NAME -> {
        for (SpanEvent ev : span.events()) {
          out.add(new Value.Str(ev.name()));
        }
      }
      case EVENT_TIME_SINCE_START -> {
        for (SpanEvent ev : span.events()) {
          out.add(new Value.Duration(ev.epochNanos() - span.startEpochNanos()));
        }
      }
      case LINK_TRACE_ID -> {
        for (SpanLink l : span.links()) {
          out.add(new Value.Str(l.traceId().toHex()));
        }
      }
      case LINK_SPAN_ID -> {
        for (SpanLink l : span.links()) {
          out.add(new Value.Str(l.spanId().toHex()));
        }
      }
      case INSTRUMENTATION_NAME -> out.add(new Value.Str(span.scope().name()));
      case INSTRUMENTATION_VERSION -> out.add(new Value.Str(span.scope().version()));
      default -> {}
    }
    return out;
  }

  private static void attribute(List<Value> out, List<Attribute> attributes, String key) {
    Attribute.find(attributes, key).map(Values::of).ifPresent(v -> add(out, v));
  }

  /** How a field expression is written, for result keys such as {@code by(resource.x)}. */
  static String describe(FieldExpr e) {
    if (e instanceof FieldRef ref) {
      return ref.text();
    }
    if (e instanceof Static s) {
      return s.value() instanceof Value.Str str ? '"' + str.value() + '"' : Values.text(s.value());
    }
    if (e instanceof Unary u) {
      return u.operator().symbol + describe(u.operand());
    }
    Binary b = (Binary) e;
    return describe(b.left()) + " " + b.operator().symbol + " " + describe(b.right());
  }
}
