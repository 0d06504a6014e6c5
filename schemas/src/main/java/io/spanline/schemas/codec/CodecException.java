package io.spanline.schemas.codec;

/** Bytes that a Spanline codec cannot turn into the model; subclasses name the format. */
public class CodecException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  CodecException(String message) {
    super(message);
  }

  CodecException(String message, Throwable cause) {
    super(message, cause);
  }
}
