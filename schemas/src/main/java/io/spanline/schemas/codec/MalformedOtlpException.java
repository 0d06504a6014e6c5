package io.spanline.schemas.codec;

/**
 * OTLP bytes that are not a valid {@code TracesData} / {@code ExportTraceServiceRequest}: truncated
 * or corrupt protobuf, or JSON that breaks the OTLP/JSON encoding rules. The message says where
 * (JSON path and position, or the protobuf error) and what was wrong.
 */
public final class MalformedOtlpException extends CodecException {
  private static final long serialVersionUID = 1L;

  public MalformedOtlpException(String message) {
    super(message);
  }

  public MalformedOtlpException(String message, Throwable cause) {
    super(message, cause);
  }
}
