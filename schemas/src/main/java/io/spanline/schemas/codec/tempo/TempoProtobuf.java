package io.spanline.schemas.codec.tempo;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Grafana Tempo's protobuf answers ({@code tempopb}, Tempo's {@code pkg/tempopb/tempo.proto}),
 * written from OTLP bytes without building protobuf objects.
 */
public final class TempoProtobuf {
  private TempoProtobuf() {}

  /**
   * {@code tempopb.TraceByIDResponse}: {@code trace} (field 1, a {@code tempopb.Trace}, whose field
   * 1 holds the ResourceSpans as OTLP's {@code TracesData} does, so the OTLP bytes go in as they
   * are), and when the trace was cut, {@code status} (field 3, {@code PARTIAL} = 1) and {@code
   * message} (field 4).
   *
   * @param tracesData OTLP {@code TracesData} protobuf
   */
  public static byte[] traceByIdResponse(byte[] tracesData, boolean partial, String message) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(tracesData.length + 64);
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      out.writeByteArray(1, tracesData);
      if (partial) {
        out.writeEnum(3, 1);
        out.writeString(4, message);
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
