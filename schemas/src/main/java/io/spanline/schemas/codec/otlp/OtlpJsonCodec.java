package io.spanline.schemas.codec.otlp;

import io.spanline.schemas.codec.MalformedOtlpException;
import io.spanline.schemas.model.InvalidIdException;
import io.spanline.schemas.model.Span;
import java.util.ArrayList;
import java.util.List;

/**
 * OTLP/JSON ↔ model, and OTLP/JSON ↔ OTLP protobuf, following the OTLP specification's "JSON
 * Protobuf Encoding": trace and span IDs as hex strings, 64-bit integers as decimal strings, enums
 * as integers, lowerCamelCase field names on output. On input it also accepts the original
 * snake_case field names, enum names, integers as JSON numbers, and ignores unknown fields, as
 * protobuf JSON parsers do.
 */
public final class OtlpJsonCodec {
  private OtlpJsonCodec() {}

  /**
   * Decodes an OTLP/JSON {@code TracesData} (or {@code ExportTraceServiceRequest}) into spans.
   *
   * @throws MalformedOtlpException naming the JSON path and position when the JSON is malformed or
   *     breaks the OTLP/JSON rules
   * @throws InvalidIdException if an ID has the wrong length or is all zero
   */
  public static List<Span> decode(byte[] json) {
    return OtlpProtoMapper.toSpans(OtlpJsonReader.read(json));
  }

  /**
   * Decodes OTLP/JSON, leaving out (and reporting) each span whose IDs break the OTLP rules.
   *
   * @throws MalformedOtlpException when the JSON is malformed or breaks the OTLP/JSON rules
   */
  public static DecodedSpans decodeLenient(byte[] json) {
    List<SpanRejection> rejections = new ArrayList<>();
    List<Span> spans = OtlpProtoMapper.toSpans(OtlpJsonReader.read(json), rejections);
    return new DecodedSpans(spans, rejections);
  }

  /** Encodes spans as an OTLP/JSON {@code TracesData}, grouped as {@link OtlpProtoCodec#encode}. */
  public static byte[] encode(List<Span> spans) {
    return OtlpJsonWriter.write(OtlpProtoMapper.toTracesData(spans));
  }

  /**
   * Converts OTLP/JSON to {@code TracesData} protobuf bytes without building the model; IDs are not
   * validated here.
   *
   * @throws MalformedOtlpException when the JSON is malformed
   */
  public static byte[] toProtobuf(byte[] json) {
    return OtlpJsonReader.read(json).toByteArray();
  }

  /**
   * Converts {@code TracesData} protobuf bytes to OTLP/JSON without building the model.
   *
   * @throws MalformedOtlpException when the protobuf is malformed
   */
  public static byte[] fromProtobuf(byte[] tracesData) {
    return OtlpJsonWriter.write(OtlpProtoCodec.parse(tracesData));
  }
}
