package io.spanline.query.traceql;

/**
 * A TraceQL query that cannot be parsed or evaluated: the message names the position (1-based line
 * and column) and what was expected there.
 */
public final class TraceQlException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final int offset;

  TraceQlException(String query, int offset, String message) {
    super(position(query, offset) + ": " + message);
    this.offset = offset;
  }

  /** The offset in the query (0-based, in chars) where the problem was found. */
  public int offset() {
    return offset;
  }

  private static String position(String query, int offset) {
    int line = 1;
    int column = 1;
    for (int i = 0; i < Math.min(offset, query.length()); i++) {
      if (query.charAt(i) == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    return "TraceQL error at line " + line + ", column " + column;
  }
}
