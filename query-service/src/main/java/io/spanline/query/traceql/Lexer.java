package io.spanline.query.traceql;

import io.spanline.query.traceql.Token.Type;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a TraceQL query into tokens. Attribute references run until whitespace or a character that
 * TraceQL reserves ({@code { } ( ) = ~ ! < > & | ^ ,} and the double quote), as Tempo's lexer reads
 * them, so names may hold dots and dashes; a quoted part ({@code span."a b"}) may hold anything.
 * Strings are double-quoted (escapes {@code \" \\ \n \t}) or back-quoted (raw).
 */
final class Lexer {
  private static final String RESERVED = "{}()=~!<>&|^,\"";

  private final String query;
  private int pos;

  private Lexer(String query) {
    this.query = query;
  }

  /**
   * @throws TraceQlException on a character no token starts with, or an unterminated string
   */
  static List<Token> tokens(String query) {
    Lexer lexer = new Lexer(query);
    List<Token> out = new ArrayList<>();
    Token t;
    do {
      t = lexer.next();
      out.add(t);
    } while (t.type() != Type.END);
    return out;
  }

  private Token next() {
    while (pos < query.length() && Character.isWhitespace(query.charAt(pos))) {
      pos++;
    }
    int start = pos;
    if (pos >= query.length()) {
      return new Token(Type.END, "", start);
    }
    char c = query.charAt(pos);
    switch (c) {
      case '{':
        return single(Type.OPEN_BRACE);
      case '}':
        return single(Type.CLOSE_BRACE);
      case '(':
        return single(Type.OPEN_PAREN);
      case ')':
        return single(Type.CLOSE_PAREN);
      case ',':
        return single(Type.COMMA);
      case '+':
        return single(Type.PLUS);
      case '-':
        return single(Type.MINUS);
      case '*':
        return single(Type.STAR);
      case '/':
        return single(Type.SLASH);
      case '%':
        return single(Type.PERCENT);
      case '^':
        return single(Type.CARET);
      case '~':
        return single(Type.TILDE);
      case '"':
        return string();
      case '`':
        return rawString();
      default:
        break;
    }
    String[][] operators = {
      {"&&", "AND"},
      {"||", "OR"},
      {"&>>", "UNION_DESCENDANT"},
      {"&<<", "UNION_ANCESTOR"},
      {"&>", "UNION_CHILD"},
      {"&<", "UNION_PARENT"},
      {"&~", "UNION_SIBLING"},
      {"!>>", "NOT_DESCENDANT"},
      {"!<<", "NOT_ANCESTOR"},
      {"!>", "NOT_CHILD"},
      {"!<", "NOT_PARENT"},
      {"!=", "NE"},
      {"!~", "NOT_MATCH"},
      {"!", "NOT"},
      {"=~", "MATCH"},
      {"=", "EQ"},
      {">>", "DESCENDANT"},
      {">=", "GE"},
      {">", "GT"},
      {"<<", "ANCESTOR"},
      {"<=", "LE"},
      {"<", "LT"},
      {"|", "PIPE"}
    };
    for (String[] op : operators) {
      if (query.startsWith(op[0], pos)) {
        pos += op[0].length();
        return new Token(Type.valueOf(op[1]), op[0], start);
      }
    }
    if (Character.isDigit(c)) {
      return number();
    }
    if (c == '&') {
      throw new TraceQlException(query, start, "'&' alone is not an operator; did you mean '&&'?");
    }
    return word();
  }

  private Token single(Type type) {
    pos++;
    return new Token(type, query.substring(pos - 1, pos), pos - 1);
  }

  private Token string() {
    int start = pos;
    pos++;
    StringBuilder out = new StringBuilder();
    while (pos < query.length()) {
      char c = query.charAt(pos++);
      if (c == '"') {
        return new Token(Type.STRING, out.toString(), start);
      }
      if (c == '\\' && pos < query.length()) {
        char e = query.charAt(pos++);
        switch (e) {
          case 'n' -> out.append('\n');
          case 't' -> out.append('\t');
          case 'r' -> out.append('\r');
          default -> out.append(e);
        }
      } else {
        out.append(c);
      }
    }
    throw new TraceQlException(query, start, "unterminated string");
  }

  private Token rawString() {
    int start = pos;
    int end = query.indexOf('`', pos + 1);
    if (end < 0) {
      throw new TraceQlException(query, start, "unterminated string");
    }
    pos = end + 1;
    return new Token(Type.STRING, query.substring(start + 1, end), start);
  }

  /** Digits with an optional fraction, and a duration unit ({@code ns us µs ms s m h}). */
  private Token number() {
    int start = pos;
    while (pos < query.length()
        && (Character.isDigit(query.charAt(pos)) || query.charAt(pos) == '.')) {
      pos++;
    }
    int unitStart = pos;
    while (pos < query.length()
        && (Character.isLetter(query.charAt(pos)) || query.charAt(pos) == 'µ')) {
      pos++;
    }
    String number = query.substring(start, unitStart);
    String unit = query.substring(unitStart, pos);
    if (number.chars().filter(ch -> ch == '.').count() > 1 || number.endsWith(".")) {
      throw new TraceQlException(query, start, "malformed number '" + number + "'");
    }
    if (unit.isEmpty()) {
      return new Token(Type.NUMBER, number, start);
    }
    if (!Values.DURATION_UNITS.containsKey(unit)) {
      throw new TraceQlException(
          query, unitStart, "unknown duration unit '" + unit + "' (ns, us, µs, ms, s, m, h)");
    }
    return new Token(Type.DURATION, number + unit, start);
  }

  /** A keyword, an intrinsic or an attribute reference; quoted parts are kept unquoted. */
  private Token word() {
    int start = pos;
    StringBuilder out = new StringBuilder();
    while (pos < query.length()) {
      char c = query.charAt(pos);
      if (c == '"' && out.length() > 0 && out.charAt(out.length() - 1) == '.') {
        Token quoted = string();
        out.append(quoted.text());
        continue;
      }
      if (Character.isWhitespace(c) || RESERVED.indexOf(c) >= 0) {
        break;
      }
      out.append(c);
      pos++;
    }
    if (out.length() == 0) {
      throw new TraceQlException(query, start, "unexpected character '" + query.charAt(pos) + "'");
    }
    return new Token(Type.IDENTIFIER, out.toString(), start);
  }
}
