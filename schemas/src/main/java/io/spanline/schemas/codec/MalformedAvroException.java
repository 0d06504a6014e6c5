package io.spanline.schemas.codec;

/**
 * Bytes that are not a Spanline Avro record in the Confluent wire format: a missing or unknown
 * magic byte, a record too short to hold a schema ID, or Avro binary that does not match its writer
 * schema.
 */
public final class MalformedAvroException extends CodecException {
  private static final long serialVersionUID = 1L;

  public MalformedAvroException(String message) {
    super(message);
  }

  public MalformedAvroException(String message, Throwable cause) {
    super(message, cause);
  }
}
