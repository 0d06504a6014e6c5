package io.spanline.schemas.model;

/**
 * A trace or span ID that breaks the OTLP rules: a trace ID must be 16 bytes (32 hex chars) and a
 * span ID 8 bytes (16 hex chars), and neither may be all zero (OTLP trace.proto, W3C Trace Context
 * §3.2.2.3 and §3.2.2.4).
 */
public final class InvalidIdException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InvalidIdException(String message) {
    super(message);
  }
}
