package io.spanline.schemas.codec.otlp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.CodedOutputStream;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * OTLP {@code ExportTraceServiceResponse} bodies. Per the OTLP specification, a fully accepted
 * request answers with an empty response; a partly accepted one sets {@code partial_success} with
 * the number of rejected spans and a human-readable message.
 */
public final class OtlpExportResponses {
  private static final JsonFactory JSON = new JsonFactory();

  private OtlpExportResponses() {}

  /** The response as protobuf, for gRPC and OTLP/HTTP with {@code application/x-protobuf}. */
  public static byte[] protobuf(long rejectedSpans, String message) {
    ExportTraceServiceResponse.Builder response = ExportTraceServiceResponse.newBuilder();
    if (rejectedSpans > 0 || !message.isEmpty()) {
      response.setPartialSuccess(
          ExportTracePartialSuccess.newBuilder()
              .setRejectedSpans(rejectedSpans)
              .setErrorMessage(message));
    }
    return response.build().toByteArray();
  }

  /**
   * An error body as OTLP/HTTP sends it: a {@code google.rpc.Status} with {@code code} (a gRPC
   * status code) and {@code message}, in protobuf.
   */
  public static byte[] statusProtobuf(int code, String message) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      CodedOutputStream coded = CodedOutputStream.newInstance(out);
      if (code != 0) {
        coded.writeInt32(1, code);
      }
      if (!message.isEmpty()) {
        coded.writeString(2, message);
      }
      coded.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A {@code google.rpc.Status} in protobuf with a {@code google.rpc.RetryInfo} detail, as an OTLP
   * server answers a throttled export (OTLP specification, "OTLP/gRPC Throttling"): the client
   * waits {@code retryDelaySeconds} before it retries. gRPC servers send it in the {@code
   * grpc-status-details-bin} trailer.
   */
  public static byte[] statusProtobuf(int code, String message, long retryDelaySeconds) {
    try {
      ByteArrayOutputStream duration = new ByteArrayOutputStream();
      CodedOutputStream d = CodedOutputStream.newInstance(duration);
      d.writeInt64(1, retryDelaySeconds); // google.protobuf.Duration.seconds
      d.flush();
      ByteArrayOutputStream retryInfo = new ByteArrayOutputStream();
      CodedOutputStream r = CodedOutputStream.newInstance(retryInfo);
      r.writeByteArray(1, duration.toByteArray()); // RetryInfo.retry_delay
      r.flush();
      ByteArrayOutputStream any = new ByteArrayOutputStream();
      CodedOutputStream a = CodedOutputStream.newInstance(any);
      a.writeString(1, "type.googleapis.com/google.rpc.RetryInfo"); // Any.type_url
      a.writeByteArray(2, retryInfo.toByteArray()); // Any.value
      a.flush();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.writeBytes(statusProtobuf(code, message));
      CodedOutputStream coded = CodedOutputStream.newInstance(out);
      coded.writeByteArray(3, any.toByteArray()); // Status.details
      coded.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The same {@code google.rpc.Status} as JSON: {@code {"code": n, "message": "..."}}. */
  public static byte[] statusJson(int code, String message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("code", code);
      g.writeStringField("message", message);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** The response as OTLP/JSON ({@code rejectedSpans} as a decimal string, int64 rule). */
  public static byte[] json(long rejectedSpans, String message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      if (rejectedSpans > 0 || !message.isEmpty()) {
        g.writeObjectFieldStart("partialSuccess");
        if (rejectedSpans > 0) {
          g.writeStringField("rejectedSpans", Long.toString(rejectedSpans));
        }
        if (!message.isEmpty()) {
          g.writeStringField("errorMessage", message);
        }
        g.writeEndObject();
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
