package io.spanline.sampling.policy;

/**
 * A policy file that cannot be used, with the line (1-based; 0 when the file could not be read at
 * all) and the field path where the problem is, e.g. {@code policies[2].latency.threshold_ms}.
 */
public final class PolicyFileException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int line;
  private final String field;

  PolicyFileException(int line, String field, String problem) {
    super(
        (line > 0 ? "line " + line + ", " : "")
            + (field.isEmpty() ? "" : "field " + field + ": ")
            + problem);
    this.line = line;
    this.field = field;
  }

  PolicyFileException(String problem, Throwable cause) {
    super(problem, cause);
    this.line = 0;
    this.field = "";
  }

  /** 1-based line of the problem; 0 when unknown. */
  public int line() {
    return line;
  }

  /** Path of the field at fault, e.g. {@code tenants.acme.policies[0].type}; "" for the file. */
  public String field() {
    return field;
  }
}
