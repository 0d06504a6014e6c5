package io.spanline.query.traceql;

import io.spanline.query.traceql.Ast.Aggregate;
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
import io.spanline.query.traceql.Ast.Scope;
import io.spanline.query.traceql.Ast.Select;
import io.spanline.query.traceql.Ast.SpansetExpr;
import io.spanline.query.traceql.Ast.SpansetOperation;
import io.spanline.query.traceql.Ast.SpansetOperator;
import io.spanline.query.traceql.Ast.Stage;
import io.spanline.query.traceql.Ast.Static;
import io.spanline.query.traceql.Ast.Unary;
import io.spanline.query.traceql.Token.Type;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.PatternSyntaxException;

/**
 * A recursive-descent parser for TraceQL search queries (docs/RATIONALE.md says why not a parser
 * generator). Grammar, loosest binding first:
 *
 * <pre>
 * query      = pipeline [ "with" "(" hint { "," hint } ")" ]
 * pipeline   = ( spansetOr | stage ) { "|" stage }     a stage first (not coalesce) reads every span
 * spansetOr  = spansetAnd { "||" spansetAnd }
 * spansetAnd = structural { "&amp;&amp;" structural }
 * structural = primary { (">" | ">>" | "&lt;" | "&lt;&lt;" | "~" | "!>" | … | "&amp;~") primary }
 * primary    = "{" [ fieldOr ] "}" | "(" pipeline ")"
 * stage      = aggregate cmp additive | "select" "(" field { "," field } ")"
 *            | "by" "(" fieldOr ")" | "coalesce" "(" ")" | spansetOr
 * fieldOr    = fieldAnd { "||" fieldAnd }          fieldAnd = comparison { "&amp;&amp;" comparison }
 * comparison = additive [ cmp additive ]           additive = term { ("+" | "-") term }
 * term       = power { ("*" | "/" | "%") power }   power    = unary [ "^" power ]
 * unary      = ("!" | "-") unary | "(" fieldOr ")" | literal | field
 * </pre>
 *
 * <p>Source: Tempo's TraceQL documentation ("Construct a TraceQL query") and its grammar. An
 * attribute alone as an operand of {@code &&}, {@code ||} or a whole filter means {@code = true}.
 * Errors name the line and column.
 */
final class Parser {
  private static final Map<String, Intrinsic> INTRINSICS = new LinkedHashMap<>();
  private static final Map<Type, SpansetOperator> STRUCTURAL = new EnumMap<>(Type.class);
  private static final Map<Type, Operator> COMPARISONS = new EnumMap<>(Type.class);

  static {
    INTRINSICS.put("name", Intrinsic.NAME);
    INTRINSICS.put("status", Intrinsic.STATUS);
    INTRINSICS.put("statusMessage", Intrinsic.STATUS_MESSAGE);
    INTRINSICS.put("kind", Intrinsic.KIND);
    INTRINSICS.put("duration", Intrinsic.DURATION);
    INTRINSICS.put("rootName", Intrinsic.ROOT_NAME);
    INTRINSICS.put("rootServiceName", Intrinsic.ROOT_SERVICE);
    INTRINSICS.put("traceDuration", Intrinsic.TRACE_DURATION);
    INTRINSICS.put("span:name", Intrinsic.NAME);
    INTRINSICS.put("span:status", Intrinsic.STATUS);
    INTRINSICS.put("span:statusMessage", Intrinsic.STATUS_MESSAGE);
    INTRINSICS.put("span:kind", Intrinsic.KIND);
    INTRINSICS.put("span:duration", Intrinsic.DURATION);
    INTRINSICS.put("span:id", Intrinsic.SPAN_ID);
    INTRINSICS.put("span:parentID", Intrinsic.PARENT_ID);
    INTRINSICS.put("span:childCount", Intrinsic.CHILD_COUNT);
    INTRINSICS.put("trace:duration", Intrinsic.TRACE_DURATION);
    INTRINSICS.put("trace:rootName", Intrinsic.ROOT_NAME);
    INTRINSICS.put("trace:rootService", Intrinsic.ROOT_SERVICE);
    INTRINSICS.put("trace:id", Intrinsic.TRACE_ID);
    INTRINSICS.put("event:name", Intrinsic.EVENT_NAME);
    INTRINSICS.put("event:timeSinceStart", Intrinsic.EVENT_TIME_SINCE_START);
    INTRINSICS.put("link:traceID", Intrinsic.LINK_TRACE_ID);
    INTRINSICS.put("link:spanID", Intrinsic.LINK_SPAN_ID);
    INTRINSICS.put("instrumentation:name", Intrinsic.INSTRUMENTATION_NAME);
    INTRINSICS.put("instrumentation:version", Intrinsic.INSTRUMENTATION_VERSION);

    STRUCTURAL.put(Type.GT, SpansetOperator.CHILD);
    STRUCTURAL.put(Type.DESCENDANT, SpansetOperator.DESCENDANT);
    STRUCTURAL.put(Type.LT, SpansetOperator.PARENT);
    STRUCTURAL.put(Type.ANCESTOR, SpansetOperator.ANCESTOR);
    STRUCTURAL.put(Type.TILDE, SpansetOperator.SIBLING);
    STRUCTURAL.put(Type.NOT_CHILD, SpansetOperator.NOT_CHILD);
    STRUCTURAL.put(Type.NOT_DESCENDANT, SpansetOperator.NOT_DESCENDANT);
    STRUCTURAL.put(Type.NOT_PARENT, SpansetOperator.NOT_PARENT);
    STRUCTURAL.put(Type.NOT_ANCESTOR, SpansetOperator.NOT_ANCESTOR);
    STRUCTURAL.put(Type.NOT_MATCH, SpansetOperator.NOT_SIBLING);
    STRUCTURAL.put(Type.UNION_CHILD, SpansetOperator.UNION_CHILD);
    STRUCTURAL.put(Type.UNION_DESCENDANT, SpansetOperator.UNION_DESCENDANT);
    STRUCTURAL.put(Type.UNION_PARENT, SpansetOperator.UNION_PARENT);
    STRUCTURAL.put(Type.UNION_ANCESTOR, SpansetOperator.UNION_ANCESTOR);
    STRUCTURAL.put(Type.UNION_SIBLING, SpansetOperator.UNION_SIBLING);

    COMPARISONS.put(Type.EQ, Operator.EQ);
    COMPARISONS.put(Type.NE, Operator.NE);
    COMPARISONS.put(Type.GT, Operator.GT);
    COMPARISONS.put(Type.GE, Operator.GE);
    COMPARISONS.put(Type.LT, Operator.LT);
    COMPARISONS.put(Type.LE, Operator.LE);
    COMPARISONS.put(Type.MATCH, Operator.MATCH);
    COMPARISONS.put(Type.NOT_MATCH, Operator.NOT_MATCH);
  }

  private final String query;
  private final List<Token> tokens;
  private int next;

  private Parser(String query) {
    this.query = query;
    this.tokens = Lexer.tokens(query);
  }

  /**
   * Parses a TraceQL search query.
   *
   * @throws TraceQlException naming the line and column of the first error
   */
  static Ast.Query parse(String query) {
    if (query.isBlank()) {
      throw new TraceQlException(query, 0, "the query is empty; '{ }' matches every span");
    }
    Parser p = new Parser(query);
    SpansetExpr expression = p.pipeline();
    Map<String, String> hints = new LinkedHashMap<>();
    if (p.peekWord("with")) {
      p.advance();
      p.expect(Type.OPEN_PAREN, "'(' after 'with'");
      do {
        Token key = p.expect(Type.IDENTIFIER, "a hint name");
        p.expect(Type.EQ, "'=' after the hint name");
        Token value = p.advance();
        hints.put(key.text(), value.text());
      } while (p.accept(Type.COMMA));
      p.expect(Type.CLOSE_PAREN, "')' closing the hints");
    }
    if (p.peek().type() != Type.END) {
      throw p.error(p.peek(), "unexpected '" + p.peek().text() + "' after a complete query");
    }
    return new Ast.Query(expression, hints);
  }

  private SpansetExpr pipeline() {
    SpansetExpr source;
    List<Stage> stages = new ArrayList<>();
    if (startsWithStage()) {
      // Tempo's grammar lets a pipeline open with an aggregate filter, select or by over every
      // span: its documentation's "count() > 10" and "avg(duration) > 20ms".
      source = new Filter(new Static(new Value.Bool(true)));
      stages.add(stage());
    } else {
      source = spansetOr();
    }
    while (accept(Type.PIPE)) {
      stages.add(stage());
    }
    return stages.isEmpty() ? source : new Pipeline(source, stages);
  }

  /** Stages a pipeline may open with (not coalesce, which Tempo refuses there). */
  private static final Set<String> OPENING_STAGES =
      Set.of("count", "avg", "min", "max", "sum", "select", "by");

  private boolean startsWithStage() {
    Token t = peek();
    return t.type() == Type.IDENTIFIER
        && OPENING_STAGES.contains(t.text())
        && tokens.get(next + 1).type() == Type.OPEN_PAREN;
  }

  private SpansetExpr spansetOr() {
    SpansetExpr left = spansetAnd();
    while (accept(Type.OR)) {
      left = new SpansetOperation(SpansetOperator.OR, left, spansetAnd());
    }
    return left;
  }

  private SpansetExpr spansetAnd() {
    SpansetExpr left = structural();
    while (accept(Type.AND)) {
      left = new SpansetOperation(SpansetOperator.AND, left, structural());
    }
    return left;
  }

  private SpansetExpr structural() {
    SpansetExpr left = spansetPrimary();
    while (STRUCTURAL.containsKey(peek().type())) {
      SpansetOperator op = STRUCTURAL.get(advance().type());
      left = new SpansetOperation(op, left, spansetPrimary());
    }
    return left;
  }

  private SpansetExpr spansetPrimary() {
    Token t = peek();
    if (accept(Type.OPEN_BRACE)) {
      if (accept(Type.CLOSE_BRACE)) {
        return new Filter(new Static(new Value.Bool(true)));
      }
      FieldExpr condition = asCondition(fieldOr());
      expect(Type.CLOSE_BRACE, "'}' closing the spanset filter opened at column " + column(t));
      return new Filter(condition);
    }
    if (accept(Type.OPEN_PAREN)) {
      SpansetExpr inner = pipeline();
      expect(Type.CLOSE_PAREN, "')' closing the '(' at column " + column(t));
      return inner;
    }
    throw error(t, "expected a spanset filter '{ … }' or '(', found " + describe(t));
  }

  private Stage stage() {
    Token t = peek();
    if (t.type() == Type.IDENTIFIER) {
      switch (t.text()) {
        case "count", "avg", "min", "max", "sum":
          return aggregateFilter();
        case "select":
          advance();
          expect(Type.OPEN_PAREN, "'(' after select");
          List<FieldRef> fields = new ArrayList<>();
          do {
            Token f = peek();
            FieldExpr field = unary();
            if (!(field instanceof FieldRef ref)) {
              throw error(f, "select takes fields, found " + describe(f));
            }
            fields.add(ref);
          } while (accept(Type.COMMA));
          expect(Type.CLOSE_PAREN, "')' closing select");
          return new Select(fields);
        case "by":
          advance();
          expect(Type.OPEN_PAREN, "'(' after by");
          FieldExpr field = fieldOr();
          expect(Type.CLOSE_PAREN, "')' closing by");
          return new By(field);
        case "coalesce":
          advance();
          expect(Type.OPEN_PAREN, "'(' after coalesce");
          expect(Type.CLOSE_PAREN, "')' closing coalesce");
          return new Coalesce();
        default:
          throw error(
              t,
              "unknown pipeline stage '"
                  + t.text()
                  + "' (count, avg, min, max, sum, select, by, coalesce, or a spanset filter)");
      }
    }
    return new FilterStage(spansetOr());
  }

  private Stage aggregateFilter() {
    Token name = advance();
    Aggregate aggregate = Aggregate.valueOf(name.text().toUpperCase(java.util.Locale.ROOT));
    expect(Type.OPEN_PAREN, "'(' after " + name.text());
    FieldExpr argument = null;
    if (aggregate == Aggregate.COUNT) {
      expect(Type.CLOSE_PAREN, "')': count() takes no argument");
    } else {
      argument = fieldOr();
      expect(Type.CLOSE_PAREN, "')' closing " + name.text());
    }
    Token opToken = peek();
    Operator op = COMPARISONS.get(opToken.type());
    if (op == null || op == Operator.MATCH || op == Operator.NOT_MATCH) {
      throw error(opToken, "expected a comparison (= != > >= < <=) after " + name.text() + "()");
    }
    advance();
    Token valueToken = peek();
    FieldExpr value = additive();
    Value constant = constant(value, valueToken);
    return new AggregateFilter(aggregate, argument, op, constant);
  }

  /** A literal, or arithmetic of literals folded into one. */
  private Value constant(FieldExpr e, Token at) {
    if (e instanceof Static s) {
      return s.value();
    }
    if (e instanceof Unary u && u.operator() == Operator.SUB) {
      return Values.arithmetic(Operator.SUB, new Value.Int(0), constant(u.operand(), at));
    }
    if (e instanceof Binary b && b.operator().isArithmetic()) {
      return Values.arithmetic(b.operator(), constant(b.left(), at), constant(b.right(), at));
    }
    throw error(at, "expected a literal value");
  }

  // --- field expressions

  private FieldExpr fieldOr() {
    FieldExpr left = fieldAnd();
    while (accept(Type.OR)) {
      left = new Binary(Operator.OR, asCondition(left), asCondition(fieldAnd()));
    }
    return left;
  }

  private FieldExpr fieldAnd() {
    FieldExpr left = comparison();
    while (accept(Type.AND)) {
      left = new Binary(Operator.AND, asCondition(left), asCondition(comparison()));
    }
    return left;
  }

  private FieldExpr comparison() {
    FieldExpr left = additive();
    Operator op = COMPARISONS.get(peek().type());
    if (op == null) {
      return left;
    }
    Token opToken = advance();
    Token rightToken = peek();
    FieldExpr right = additive();
    if ((op == Operator.MATCH || op == Operator.NOT_MATCH)) {
      if (!(right instanceof Static s) || !(s.value() instanceof Value.Str pattern)) {
        throw error(rightToken, "'" + opToken.text() + "' takes a string regular expression");
      }
      try {
        Values.pattern(pattern.value());
      } catch (PatternSyntaxException e) {
        throw error(rightToken, "invalid regular expression: " + e.getDescription());
      }
    }
    if (COMPARISONS.containsKey(peek().type())) {
      throw error(peek(), "comparisons do not chain; use && between them");
    }
    return new Binary(op, left, right);
  }

  private FieldExpr additive() {
    FieldExpr left = term();
    while (peek().type() == Type.PLUS || peek().type() == Type.MINUS) {
      Operator op = advance().type() == Type.PLUS ? Operator.ADD : Operator.SUB;
      left = new Binary(op, left, term());
    }
    return left;
  }

  private FieldExpr term() {
    FieldExpr left = power();
    while (peek().type() == Type.STAR
        || peek().type() == Type.SLASH
        || peek().type() == Type.PERCENT) {
      Type t = advance().type();
      Operator op = t == Type.STAR ? Operator.MUL : t == Type.SLASH ? Operator.DIV : Operator.MOD;
      left = new Binary(op, left, power());
    }
    return left;
  }

  private FieldExpr power() {
    FieldExpr base = unary();
    if (accept(Type.CARET)) {
      return new Binary(Operator.POW, base, power());
    }
    return base;
  }

  private FieldExpr unary() {
    Token t = peek();
    if (accept(Type.NOT)) {
      return new Unary(Operator.NOT, asCondition(unary()));
    }
    if (accept(Type.MINUS)) {
      FieldExpr operand = unary();
      if (operand instanceof Static s && s.value() instanceof Value.Int i) {
        return new Static(new Value.Int(-i.value()));
      }
      if (operand instanceof Static s && s.value() instanceof Value.Float f) {
        return new Static(new Value.Float(-f.value()));
      }
      if (operand instanceof Static s && s.value() instanceof Value.Duration d) {
        return new Static(new Value.Duration(-d.nanos()));
      }
      return new Unary(Operator.SUB, operand);
    }
    if (accept(Type.OPEN_PAREN)) {
      FieldExpr inner = fieldOr();
      expect(Type.CLOSE_PAREN, "')' closing the '(' at column " + column(t));
      return inner;
    }
    switch (t.type()) {
      case STRING:
        advance();
        return new Static(new Value.Str(t.text()));
      case NUMBER:
        advance();
        return new Static(number(t));
      case DURATION:
        advance();
        return new Static(new Value.Duration(Values.durationNanos(t.text())));
      case IDENTIFIER:
        advance();
        return word(t);
      default:
        throw error(t, "expected a field or a value, found " + describe(t));
    }
  }

  private Value number(Token t) {
    try {
      return t.text().contains(".")
          ? new Value.Float(Double.parseDouble(t.text()))
          : new Value.Int(Long.parseLong(t.text()));
    } catch (NumberFormatException e) {
      throw error(t, "number out of range: " + t.text());
    }
  }

  private FieldExpr word(Token t) {
    String w = t.text();
    switch (w) {
      case "true":
        return new Static(new Value.Bool(true));
      case "false":
        return new Static(new Value.Bool(false));
      case "nil":
        return new Static(Value.NIL);
      case "minInt":
        return new Static(new Value.Int(Long.MIN_VALUE));
      case "maxInt":
        return new Static(new Value.Int(Long.MAX_VALUE));
      case "ok", "error", "unset":
        return new Static(new Value.Status(w));
      case "server", "client", "producer", "consumer", "internal", "unspecified":
        return new Static(new Value.Kind(w));
      default:
        break;
    }
    Intrinsic intrinsic = INTRINSICS.get(w);
    if (intrinsic != null) {
      return new FieldRef(Scope.INTRINSIC, null, intrinsic, w);
    }
    if (w.startsWith(".")) {
      return attribute(t, Scope.UNSCOPED, w.substring(1));
    }
    int dot = w.indexOf('.');
    int colon = w.indexOf(':');
    if (colon > 0 && (dot < 0 || colon < dot)) {
      throw error(t, "unknown intrinsic '" + w + "' (known: " + INTRINSICS.keySet() + ")");
    }
    if (dot > 0) {
      String scope = w.substring(0, dot);
      String key = w.substring(dot + 1);
      switch (scope) {
        case "span":
          return attribute(t, Scope.SPAN, key);
        case "resource":
          return attribute(t, Scope.RESOURCE, key);
        case "event":
          return attribute(t, Scope.EVENT, key);
        case "link":
          return attribute(t, Scope.LINK, key);
        case "instrumentation":
          return attribute(t, Scope.INSTRUMENTATION, key);
        default:
          throw error(
              t,
              "unknown attribute scope '"
                  + scope
                  + "' (span, resource, event, link, instrumentation, or '.' for any)");
      }
    }
    throw error(t, "unknown word '" + w + "'; attributes need a scope, e.g. span." + w);
  }

  private FieldExpr attribute(Token t, Scope scope, String key) {
    if (key.isEmpty()) {
      throw error(t, "an attribute name is missing after '" + t.text() + "'");
    }
    return new FieldRef(scope, key, null, t.text());
  }

  /** An attribute alone where a condition is expected means {@code attribute = true}. */
  private static FieldExpr asCondition(FieldExpr e) {
    if (e instanceof FieldRef ref && ref.intrinsic() == null) {
      return new Binary(Operator.EQ, ref, new Static(new Value.Bool(true)));
    }
    return e;
  }

  // --- tokens

  private Token peek() {
    return tokens.get(next);
  }

  private boolean peekWord(String word) {
    return peek().type() == Type.IDENTIFIER && peek().text().equals(word);
  }

  private Token advance() {
    Token t = tokens.get(next);
    if (t.type() != Type.END) {
      next++;
    }
    return t;
  }

  private boolean accept(Type type) {
    if (peek().type() == type) {
      advance();
      return true;
    }
    return false;
  }

  private Token expect(Type type, String what) {
    Token t = peek();
    if (t.type() != type) {
      throw error(t, "expected " + what + ", found " + describe(t));
    }
    return advance();
  }

  private static String describe(Token t) {
    return t.type() == Type.END ? "the end of the query" : "'" + t.text() + "'";
  }

  private int column(Token t) {
    return t.offset() - query.lastIndexOf('\n', t.offset() - 1);
  }

  private TraceQlException error(Token t, String message) {
    return new TraceQlException(query, t.offset(), message);
  }
}
