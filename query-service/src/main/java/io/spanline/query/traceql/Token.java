package io.spanline.query.traceql;

/**
 * One lexical token of a TraceQL query.
 *
 * @param text the token as written (for strings: the unquoted, unescaped value; for attributes: the
 *     whole reference such as {@code span.http.method})
 * @param offset where it starts in the query, 0-based
 */
record Token(Type type, String text, int offset) {
  enum Type {
    OPEN_BRACE,
    CLOSE_BRACE,
    OPEN_PAREN,
    CLOSE_PAREN,
    COMMA,
    PIPE,
    AND,
    OR,
    NOT,
    EQ,
    NE,
    GT,
    GE,
    LT,
    LE,
    MATCH,
    NOT_MATCH,
    DESCENDANT,
    ANCESTOR,
    TILDE,
    NOT_CHILD,
    NOT_DESCENDANT,
    NOT_PARENT,
    NOT_ANCESTOR,
    UNION_CHILD,
    UNION_DESCENDANT,
    UNION_PARENT,
    UNION_ANCESTOR,
    UNION_SIBLING,
    PLUS,
    MINUS,
    STAR,
    SLASH,
    PERCENT,
    CARET,
    STRING,
    NUMBER,
    DURATION,
    /** A word: keyword, intrinsic or attribute reference. */
    IDENTIFIER,
    END
  }
}
