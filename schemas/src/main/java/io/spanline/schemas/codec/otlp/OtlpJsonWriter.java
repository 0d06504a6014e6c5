package io.spanline.schemas.codec.otlp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.List;

/**
 * Writes protobuf {@code TracesData} as OTLP/JSON (OTLP specification, "JSON Protobuf Encoding"):
 * lowerCamelCase names, trace and span IDs as lowercase hex, 64-bit integers as decimal strings,
 * enums as integers, bytes as base64, default values omitted as the protobuf JSON mapping does.
 */
final class OtlpJsonWriter {
  private static final JsonFactory JSON = new JsonFactory();
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private final JsonGenerator g;

  private OtlpJsonWriter(JsonGenerator g) {
    this.g = g;
  }

  static byte[] write(TracesData data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256 + data.getSerializedSize() * 2);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      new OtlpJsonWriter(g).writeTracesData(data);
    } catch (IOException e) {
      throw new UncheckedIOException("writing OTLP/JSON to memory failed", e);
    }
    return out.toByteArray();
  }

  private void writeTracesData(TracesData data) throws IOException {
    g.writeStartObject();
    g.writeArrayFieldStart("resourceSpans");
    for (ResourceSpans rs : data.getResourceSpansList()) {
      g.writeStartObject();
      if (rs.hasResource()) {
        g.writeFieldName("resource");
        writeResource(rs.getResource());
      }
      g.writeArrayFieldStart("scopeSpans");
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        writeScopeSpans(ss);
      }
      g.writeEndArray();
      string("schemaUrl", rs.getSchemaUrl());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private void writeResource(Resource r) throws IOException {
    g.writeStartObject();
    attributes("attributes", r.getAttributesList());
    uint32("droppedAttributesCount", r.getDroppedAttributesCount());
    g.writeEndObject();
  }

  private void writeScopeSpans(ScopeSpans ss) throws IOException {
    g.writeStartObject();
    if (ss.hasScope()) {
      InstrumentationScope s = ss.getScope();
      g.writeObjectFieldStart("scope");
      string("name", s.getName());
      string("version", s.getVersion());
      attributes("attributes", s.getAttributesList());
      uint32("droppedAttributesCount", s.getDroppedAttributesCount());
      g.writeEndObject();
    }
    g.writeArrayFieldStart("spans");
    for (Span span : ss.getSpansList()) {
      writeSpan(span);
    }
    g.writeEndArray();
    string("schemaUrl", ss.getSchemaUrl());
    g.writeEndObject();
  }

  private void writeSpan(Span s) throws IOException {
    g.writeStartObject();
    hexId("traceId", s.getTraceId());
    hexId("spanId", s.getSpanId());
    string("traceState", s.getTraceState());
    hexId("parentSpanId", s.getParentSpanId());
    uint32("flags", s.getFlags());
    string("name", s.getName());
    if (s.getKindValue() != 0) {
      g.writeNumberField("kind", s.getKindValue());
    }
    uint64("startTimeUnixNano", s.getStartTimeUnixNano());
    uint64("endTimeUnixNano", s.getEndTimeUnixNano());
    attributes("attributes", s.getAttributesList());
    uint32("droppedAttributesCount", s.getDroppedAttributesCount());
    if (s.getEventsCount() > 0) {
      g.writeArrayFieldStart("events");
      for (Span.Event e : s.getEventsList()) {
        g.writeStartObject();
        uint64("timeUnixNano", e.getTimeUnixNano());
        string("name", e.getName());
        attributes("attributes", e.getAttributesList());
        uint32("droppedAttributesCount", e.getDroppedAttributesCount());
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    uint32("droppedEventsCount", s.getDroppedEventsCount());
    if (s.getLinksCount() > 0) {
      g.writeArrayFieldStart("links");
      for (Span.Link l : s.getLinksList()) {
        g.writeStartObject();
        hexId("traceId", l.getTraceId());
        hexId("spanId", l.getSpanId());
        string("traceState", l.getTraceState());
        attributes("attributes", l.getAttributesList());
        uint32("droppedAttributesCount", l.getDroppedAttributesCount());
        uint32("flags", l.getFlags());
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    uint32("droppedLinksCount", s.getDroppedLinksCount());
    if (s.hasStatus()) {
      Status st = s.getStatus();
      g.writeObjectFieldStart("status");
      string("message", st.getMessage());
      if (st.getCodeValue() != 0) {
        g.writeNumberField("code", st.getCodeValue());
      }
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  private void attributes(String field, List<KeyValue> kvs) throws IOException {
    if (kvs.isEmpty()) {
      return;
    }
    g.writeArrayFieldStart(field);
    for (KeyValue kv : kvs) {
      writeKeyValue(kv);
    }
    g.writeEndArray();
  }

  private void writeKeyValue(KeyValue kv) throws IOException {
    g.writeStartObject();
    g.writeStringField("key", kv.getKey());
    if (kv.hasValue()) {
      g.writeFieldName("value");
      writeAnyValue(kv.getValue());
    }
    g.writeEndObject();
  }

  private void writeAnyValue(AnyValue v) throws IOException {
    g.writeStartObject();
    switch (v.getValueCase()) {
      case STRING_VALUE -> g.writeStringField("stringValue", v.getStringValue());
      case BOOL_VALUE -> g.writeBooleanField("boolValue", v.getBoolValue());
      case INT_VALUE -> g.writeStringField("intValue", Long.toString(v.getIntValue()));
      case DOUBLE_VALUE -> {
        double d = v.getDoubleValue();
        g.writeFieldName("doubleValue");
        if (Double.isNaN(d)) {
          g.writeString("NaN");
        } else if (Double.isInfinite(d)) {
          g.writeString(d > 0 ? "Infinity" : "-Infinity");
        } else {
          g.writeNumber(d);
        }
      }
      case BYTES_VALUE ->
          g.writeStringField(
              "bytesValue", Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray()));
      case ARRAY_VALUE -> {
        g.writeObjectFieldStart("arrayValue");
        if (v.getArrayValue().getValuesCount() > 0) {
          g.writeArrayFieldStart("values");
          for (AnyValue e : v.getArrayValue().getValuesList()) {
            writeAnyValue(e);
          }
          g.writeEndArray();
        }
        g.writeEndObject();
      }
      case KVLIST_VALUE -> {
        g.writeObjectFieldStart("kvlistValue");
        attributes("values", v.getKvlistValue().getValuesList());
        g.writeEndObject();
      }
      case STRING_VALUE_STRINDEX, VALUE_NOT_SET -> {}
    }
    g.writeEndObject();
  }

  private void string(String field, String value) throws IOException {
    if (!value.isEmpty()) {
      g.writeStringField(field, value);
    }
  }

  private void uint32(String field, int value) throws IOException {
    if (value != 0) {
      g.writeNumberField(field, Integer.toUnsignedLong(value));
    }
  }

  private void uint64(String field, long value) throws IOException {
    if (value != 0) {
      g.writeStringField(field, Long.toUnsignedString(value));
    }
  }

  private void hexId(String field, ByteString id) throws IOException {
    if (id.isEmpty()) {
      return;
    }
    char[] out = new char[id.size() * 2];
    for (int i = 0; i < id.size(); i++) {
      int b = id.byteAt(i) & 0xff;
      out[2 * i] = HEX[b >>> 4];
      out[2 * i + 1] = HEX[b & 0xf];
    }
    g.writeFieldName(field);
    g.writeString(out, 0, out.length);
  }
}
