package io.spanline.schemas.model;

import java.util.Objects;

/** A span's status (OTLP {@code trace.v1.Status}); the message is "" when absent. */
public record Status(StatusCode code, String message) {
  public static final Status UNSET = new Status(StatusCode.UNSET, "");

  public Status {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
  }

  public boolean isError() {
    return code == StatusCode.ERROR;
  }
}
