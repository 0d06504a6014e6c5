package io.spanline.query.traceql;

import io.spanline.query.traceql.Ast.Operator;
import io.spanline.schemas.model.AnyValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Comparisons, arithmetic and conversions of {@link Value}s, with TraceQL's rules. */
final class Values {
  private Values() {}

  /** Nanoseconds per duration unit, as TraceQL (and Go's time.ParseDuration) writes them. */
  static final Map<String, Long> DURATION_UNITS =
      Map.of(
          "ns", 1L,
          "us", 1_000L,
          "µs", 1_000L,
          "ms", 1_000_000L,
          "s", 1_000_000_000L,
          "m", 60_000_000_000L,
          "h", 3_600_000_000_000L);

  private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();

  /** A duration literal such as {@code 1.5s}, in nanoseconds. */
  static long durationNanos(String literal) {
    int unitStart = 0;
    while (unitStart < literal.length()
        && (Character.isDigit(literal.charAt(unitStart)) || literal.charAt(unitStart) == '.')) {
      unitStart++;
    }
    double amount = Double.parseDouble(literal.substring(0, unitStart));
    return Math.round(amount * DURATION_UNITS.get(literal.substring(unitStart)));
  }

  /** An OTLP attribute value; bytes and key-value lists as their string form. */
  static Value of(AnyValue value) {
    if (value instanceof AnyValue.StringValue s) {
      return new Value.Str(s.value());
    }
    if (value instanceof AnyValue.LongValue l) {
      return new Value.Int(l.value());
    }
    if (value instanceof AnyValue.DoubleValue d) {
      return new Value.Float(d.value());
    }
    if (value instanceof AnyValue.BoolValue b) {
      return new Value.Bool(b.value());
    }
    if (value instanceof AnyValue.ArrayValue a) {
      List<Value> elements = new ArrayList<>();
      for (AnyValue v : a.values()) {
        elements.add(of(v));
      }
      return new Value.Array(elements);
    }
    if (value instanceof AnyValue.Empty) {
      return Value.NIL;
    }
    return new Value.Str(value.asText());
  }

  /**
   * Whether {@code left operator right} holds. Values of types that do not compare never satisfy
   * any operator (so {@code !=} between a string and an integer is false, as in Tempo). An array
   * satisfies {@code =}, {@code =~} and the orderings when one element does, {@code !=} and {@code
   * !~} when none does the opposite.
   *
   * @throws TraceQlException never; an invalid regular expression is reported at parse time
   */
  static boolean compare(Value left, Operator operator, Value right) {
    if (left instanceof Value.Array a) {
      boolean negated = operator == Operator.NE || operator == Operator.NOT_MATCH;
      for (Value e : a.elements()) {
        boolean holds = compare(e, operator, right);
        if (negated && !holds) {
          return false;
        }
        if (!negated && holds) {
          return true;
        }
      }
      return negated && !a.elements().isEmpty();
    }
    if (left instanceof Value.Nil || right instanceof Value.Nil) {
      boolean bothNil = left instanceof Value.Nil && right instanceof Value.Nil;
      return operator == Operator.EQ ? bothNil : operator == Operator.NE && !bothNil;
    }
    if (operator == Operator.MATCH || operator == Operator.NOT_MATCH) {
      if (!(left instanceof Value.Str s) || !(right instanceof Value.Str p)) {
        return false;
      }
      boolean matches = pattern(p.value()).matcher(s.value()).matches();
      return operator == Operator.MATCH ? matches : !matches;
    }
    Optional<Integer> order = order(left, right);
    if (order.isEmpty()) {
      return false;
    }
    int c = order.get();
    switch (operator) {
      case EQ:
        return c == 0;
      case NE:
        return c != 0;
      case GT:
        return c > 0;
      case GE:
        return c >= 0;
      case LT:
        return c < 0;
      case LE:
        return c <= 0;
      default:
        return false;
    }
  }

  /** How two values order, or empty when their types do not compare. */
  private static Optional<Integer> order(Value left, Value right) {
    if (isNumber(left) && isNumber(right)) {
      if (left instanceof Value.Int a && right instanceof Value.Int b) {
        return Optional.of(Long.compare(a.value(), b.value()));
      }
      return Optional.of(Double.compare(asDouble(left), asDouble(right)));
    }
    if (left instanceof Value.Duration a && right instanceof Value.Duration b) {
      return Optional.of(Long.compare(a.nanos(), b.nanos()));
    }
    if (left instanceof Value.Str a && right instanceof Value.Str b) {
      return Optional.of(Integer.signum(a.value().compareTo(b.value())));
    }
    if (left instanceof Value.Bool a && right instanceof Value.Bool b) {
      return Optional.of(Boolean.compare(a.value(), b.value()));
    }
    if (left instanceof Value.Status a && right instanceof Value.Status b) {
      return Optional.of(a.name().equals(b.name()) ? 0 : 1);
    }
    if (left instanceof Value.Kind a && right instanceof Value.Kind b) {
      return Optional.of(a.name().equals(b.name()) ? 0 : 1);
    }
    return Optional.empty();
  }

  static boolean isNumber(Value v) {
    return v instanceof Value.Int || v instanceof Value.Float;
  }

  static double asDouble(Value v) {
    if (v instanceof Value.Int i) {
      return i.value();
    }
    if (v instanceof Value.Float f) {
      return f.value();
    }
    if (v instanceof Value.Duration d) {
      return d.nanos();
    }
    throw new IllegalArgumentException("not a number: " + v);
  }

  /**
   * Arithmetic: integers stay integers (division truncates, as Go's does), a float makes a float;
   * durations add and subtract, and scale by numbers. Anything else (or division by zero) is {@link
   * Value#NIL}, which satisfies no comparison.
   */
  static Value arithmetic(Operator operator, Value left, Value right) {
    if (left instanceof Value.Int a && right instanceof Value.Int b) {
      long x = a.value();
      long y = b.value();
      switch (operator) {
        case ADD:
          return new Value.Int(x + y);
        case SUB:
          return new Value.Int(x - y);
        case MUL:
          return new Value.Int(x * y);
        case DIV:
          return y == 0 ? Value.NIL : new Value.Int(x / y);
        case MOD:
          return y == 0 ? Value.NIL : new Value.Int(x % y);
        case POW:
          return new Value.Int((long) Math.pow(x, y));
        default:
          return Value.NIL;
      }
    }
    if (isNumber(left) && isNumber(right)) {
      return new Value.Float(apply(operator, asDouble(left), asDouble(right)));
    }
    if (left instanceof Value.Duration a && right instanceof Value.Duration b) {
      if (operator == Operator.ADD) {
        return new Value.Duration(a.nanos() + b.nanos());
      }
      if (operator == Operator.SUB) {
        return new Value.Duration(a.nanos() - b.nanos());
      }
      return Value.NIL;
    }
    if (left instanceof Value.Duration d && isNumber(right)) {
      if (operator == Operator.MUL || operator == Operator.DIV) {
        double r = apply(operator, d.nanos(), asDouble(right));
        return Double.isFinite(r) ? new Value.Duration(Math.round(r)) : Value.NIL;
      }
    }
    return Value.NIL;
  }

  private static double apply(Operator operator, double x, double y) {
    switch (operator) {
      case ADD:
        return x + y;
      case SUB:
        return x - y;
      case MUL:
        return x * y;
      case DIV:
        return x / y;
      case MOD:
        return x % y;
      case POW:
        return Math.pow(x, y);
      default:
        return Double.NaN;
    }
  }

  /**
   * A TraceQL regular expression: Go syntax, fully anchored. Java's syntax agrees on the common
   * constructs (classes, alternation, repetition, groups).
   *
   * @throws PatternSyntaxException if Java cannot compile it
   */
  static Pattern pattern(String regex) {
    return PATTERNS.computeIfAbsent(regex, Pattern::compile);
  }

  /** The value as TraceQL would write it; strings unquoted. */
  static String text(Value v) {
    if (v instanceof Value.Str s) {
      return s.value();
    }
    if (v instanceof Value.Int i) {
      return Long.toString(i.value());
    }
    if (v instanceof Value.Float f) {
      return Double.toString(f.value());
    }
    if (v instanceof Value.Bool b) {
      return Boolean.toString(b.value());
    }
    if (v instanceof Value.Duration d) {
      return d.nanos() + "ns";
    }
    if (v instanceof Value.Status s) {
      return s.name();
    }
    if (v instanceof Value.Kind k) {
      return k.name();
    }
    if (v instanceof Value.Array a) {
      List<String> parts = new ArrayList<>();
      for (Value e : a.elements()) {
        parts.add(text(e));
      }
      return parts.toString();
    }
    return "nil";
  }

  /** {@code server}, {@code client}, … from {@code SpanKind.SERVER}. */
  static String kindName(String spanKindName) {
    return spanKindName.toLowerCase(Locale.ROOT);
  }
}
