package io.spanline.schemas.codec.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.spanline.schemas.codec.MalformedOtlpException;
import io.spanline.schemas.model.InvalidIdException;
import io.spanline.schemas.model.Span;
import java.util.ArrayList;
import java.util.List;

/**
 * OTLP protobuf bytes ↔ model. Reads and writes {@code opentelemetry.proto.trace.v1.TracesData};
 * since {@code ExportTraceServiceRequest} has the same wire shape (field 1 = resource spans), it
 * reads export requests too.
 */
public final class OtlpProtoCodec {
  private OtlpProtoCodec() {}

  /**
   * Decodes {@code TracesData} protobuf into spans, in the order they appear.
   *
   * @throws MalformedOtlpException if the bytes are not valid protobuf for {@code TracesData}
   * @throws InvalidIdException if a trace, span, parent or link ID breaks the OTLP rules; the
   *     message names the span's position
   */
  public static List<Span> decode(byte[] tracesData) {
    return OtlpProtoMapper.toSpans(parse(tracesData));
  }

  /**
   * Decodes {@code TracesData} protobuf, leaving out (and reporting) each span whose trace, span,
   * parent or link ID breaks the OTLP rules instead of failing the whole message.
   *
   * @throws MalformedOtlpException if the bytes are not valid protobuf for {@code TracesData}
   */
  public static DecodedSpans decodeLenient(byte[] tracesData) {
    List<SpanRejection> rejections = new ArrayList<>();
    List<Span> spans = OtlpProtoMapper.toSpans(parse(tracesData), rejections);
    return new DecodedSpans(spans, rejections);
  }

  /**
   * Encodes spans as {@code TracesData} protobuf, grouped under one {@code ResourceSpans} per
   * distinct resource and one {@code ScopeSpans} per distinct scope, in order of first appearance.
   */
  public static byte[] encode(List<Span> spans) {
    return OtlpProtoMapper.toTracesData(spans).toByteArray();
  }

  static TracesData parse(byte[] tracesData) {
    try {
      return TracesData.parseFrom(tracesData);
    } catch (InvalidProtocolBufferException e) {
      throw malformed(tracesData, e);
    }
  }

  /** The error for bytes that are not a valid {@code TracesData}. */
  static MalformedOtlpException malformed(byte[] tracesData, InvalidProtocolBufferException e) {
    return new MalformedOtlpException(
        "OTLP protobuf ("
            + tracesData.length
            + " bytes) is not a valid TracesData: "
            + e.getMessage(),
        e);
  }
}
