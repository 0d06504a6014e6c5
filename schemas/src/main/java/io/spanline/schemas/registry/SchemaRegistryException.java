package io.spanline.schemas.registry;

/**
 * The schema registry refused a request or could not be reached. The message names the request
 * (subject or schema ID), the HTTP status and the registry's error code and message.
 */
public final class SchemaRegistryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** HTTP status when the registry answered; 0 when it could not be reached. */
  private final int httpStatus;

  /** The registry's {@code error_code} when it sent one, else 0. */
  private final int errorCode;

  SchemaRegistryException(String message, int httpStatus, int errorCode, Throwable cause) {
    super(message, cause);
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public int errorCode() {
    return errorCode;
  }
}
