package io.spanline.assembly.route;

/**
 * Thrown after the valid spans of a record went on, to dead-letter the record for the spans it held
 * with invalid IDs. The message says how many and why.
 */
final class InvalidSpansException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InvalidSpansException(String message) {
    super(message);
  }
}
