package io.spanline.schemas.codec.otlp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.spanline.schemas.codec.MalformedOtlpException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.HexFormat;

/**
 * Reads OTLP/JSON into protobuf messages with Jackson's streaming parser, following the OTLP/JSON
 * rules (OTLP specification, "JSON Protobuf Encoding"): trace and span IDs as hex strings, 64-bit
 * integers as decimal strings or numbers, enums as integers or names, field names in lowerCamelCase
 * or their original snake_case, unknown fields ignored, {@code null} read as the default value.
 */
final class OtlpJsonReader {
  private static final JsonFactory JSON =
      JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(256).build())
          .build();

  private final JsonParser p;
  private final Deque<String> path = new ArrayDeque<>();

  private OtlpJsonReader(JsonParser p) {
    this.p = p;
  }

  /**
   * @throws MalformedOtlpException naming the JSON path and position of the first error
   */
  static TracesData read(byte[] json) {
    try (JsonParser parser = JSON.createParser(json)) {
      OtlpJsonReader reader = new OtlpJsonReader(parser);
      return reader.readDocument();
    } catch (MalformedOtlpException e) {
      throw e;
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new MalformedOtlpException(
          "OTLP/JSON is not valid JSON"
              + (at == null
                  ? ""
                  : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")")
              + ": "
              + e.getOriginalMessage(),
          e);
    } catch (IOException e) {
      throw new MalformedOtlpException("OTLP/JSON cannot be read: " + e.getMessage(), e);
    }
  }

  private TracesData readDocument() throws IOException {
    TracesData.Builder b = TracesData.newBuilder();
    if (p.nextToken() != JsonToken.START_OBJECT) {
      throw error("expected a JSON object holding resourceSpans");
    }
    readFields(
        name -> {
          if (is(name, "resourceSpans", "resource_spans")) {
            readArray(() -> b.addResourceSpans(readResourceSpans()));
          } else {
            p.skipChildren();
          }
        });
    if (p.nextToken() != null) {
      throw error("unexpected content after the top-level object");
    }
    return b.build();
  }

  private ResourceSpans readResourceSpans() throws IOException {
    ResourceSpans.Builder b = ResourceSpans.newBuilder();
    readObject(
        name -> {
          if (is(name, "resource")) {
            b.setResource(readResource());
          } else if (is(name, "scopeSpans", "scope_spans")) {
            readArray(() -> b.addScopeSpans(readScopeSpans()));
          } else if (is(name, "schemaUrl", "schema_url")) {
            b.setSchemaUrl(readString());
          } else {
            p.skipChildren();
          }
        });
    return b.build();
  }

  private Resource readResource() throws IOException {
    Resource.Builder b = Resource.newBuilder();
    readObject(
        name -> {
          if (is(name, "attributes")) {
            readArray(() -> b.addAttributes(readKeyValue()));
          } else if (is(name, "droppedAttributesCount", "dropped_attributes_count")) {
            b.setDroppedAttributesCount(readUint32());
          } else {
            p.skipChildren();
          }
        });
    return b.build();
  }

  private ScopeSpans readScopeSpans() throws IOException {
    ScopeSpans.Builder b = ScopeSpans.newBuilder();
    readObject(
        name -> {
          if (is(name, "scope")) {
            b.setScope(readScope());
          } else if (is(name, "spans")) {
            readArray(() -> b.addSpans(readSpan()));
          } else if (is(name, "schemaUrl", "schema_url")) {
            b.setSchemaUrl(readString());
          } else {
            p.skipChildren();
          }
        });
    return b.build();
  }

  private InstrumentationScope readScope() throws IOException {
    InstrumentationScope.Builder b = InstrumentationScope.newBuilder();
    readObject(
        name -> {
          if (is(name, "name")) {
            b.setName(readString());
          } else if (is(name, "version")) {
            b.setVersion(readString());
          } else if (is(name, "attributes")) {
            readArray(() -> b.addAttributes(readKeyValue()));
          } else if (is(name, "droppedAttributesCount", "dropped_attributes_count")) {
            b.setDroppedAttributesCount(readUint32());
          } else {
            p.skipChildren();
          }
        });
    return b.build();
  }

  private Span readSpan() throws IOException {
    Span.Builder b = Span.newBuilder();
    readObject(
        name -> {
          switch (name) {
            case "traceId", "trace_id" -> b.setTraceId(readHexId());
            case "spanId", "span_id" -> b.setSpanId(readHexId());
            case "parentSpanId", "parent_span_id" -> b.setParentSpanId(readHexId());
            case "traceState", "trace_state" -> b.setTraceState(readString());
            case "flags" -> b.setFlags(readUint32());
            case "name" -> b.setName(readString());
            case "kind" -> b.setKindValue(readEnum("SPAN_KIND_", SPAN_KINDS));
            case "startTimeUnixNano", "start_time_unix_nano" ->
                b.setStartTimeUnixNano(readUint64());
            case "endTimeUnixNano", "end_time_unix_nano" -> b.setEndTimeUnixNano(readUint64());
            case "attributes" -> readArray(() -> b.addAttributes(readKeyValue()));
            case "droppedAttributesCount", "dropped_attributes_count" ->
                b.setDroppedAttributesCount(readUint32());
            case "events" -> readArray(() -> b.addEvents(readEvent()));
            case "droppedEventsCount", "dropped_events_count" ->
                b.setDroppedEventsCount(readUint32());
            case "links" -> readArray(() -> b.addLinks(readLink()));
            case "droppedLinksCount", "dropped_links_count" -> b.setDroppedLinksCount(readUint32());
            case "status" -> b.setStatus(readStatus());
            default -> p.skipChildren();
          }
        });
    return b.build();
  }

  private static final String[] SPAN_KINDS = {
    "UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"
  };
  private static final String[] STATUS_CODES = {"UNSET", "OK", "ERROR"};

  private Span.Event readEvent() throws IOException {
    Span.Event.Builder b = Span.Event.newBuilder();
    readObject(
        name -> {
          switch (name) {
            case "timeUnixNano", "time_unix_nano" -> b.setTimeUnixNano(readUint64());
            case "name" -> b.setName(readString());
            case "attributes" -> readArray(() -> b.addAttributes(readKeyValue()));
            case "droppedAttributesCount", "dropped_attributes_count" ->
                b.setDroppedAttributesCount(readUint32());
            default -> p.skipChildren();
          }
        });
    return b.build();
  }

  private Span.Link readLink() throws IOException {
    Span.Link.Builder b = Span.Link.newBuilder();
    readObject(
        name -> {
          switch (name) {
            case "traceId", "trace_id" -> b.setTraceId(readHexId());
            case "spanId", "span_id" -> b.setSpanId(readHexId());
            case "traceState", "trace_state" -> b.setTraceState(readString());
            case "attributes" -> readArray(() -> b.addAttributes(readKeyValue()));
            case "droppedAttributesCount", "dropped_attributes_count" ->
                b.setDroppedAttributesCount(readUint32());
            case "flags" -> b.setFlags(readUint32());
            default -> p.skipChildren();
          }
        });
    return b.build();
  }

  private Status readStatus() throws IOException {
    Status.Builder b = Status.newBuilder();
    readObject(
        name -> {
          switch (name) {
            case "message" -> b.setMessage(readString());
            case "code" -> b.setCodeValue(readEnum("STATUS_CODE_", STATUS_CODES));
            default -> p.skipChildren();
          }
        });
    return b.build();
  }

  private KeyValue readKeyValue() throws IOException {
    KeyValue.Builder b = KeyValue.newBuilder();
    readObject(
        name -> {
          switch (name) {
            case "key" -> b.setKey(readString());
            case "value" -> b.setValue(readAnyValue());
            default -> p.skipChildren();
          }
        });
    return b.build();
  }

  private AnyValue readAnyValue() throws IOException {
    AnyValue.Builder b = AnyValue.newBuilder();
    readObject(
        name -> {
          switch (name) {
            case "stringValue", "string_value" -> b.setStringValue(readString());
            case "boolValue", "bool_value" -> b.setBoolValue(readBool());
            case "intValue", "int_value" -> b.setIntValue(readInt64());
            case "doubleValue", "double_value" -> b.setDoubleValue(readDouble());
            case "bytesValue", "bytes_value" -> b.setBytesValue(readBase64());
            case "arrayValue", "array_value" -> {
              ArrayValue.Builder array = ArrayValue.newBuilder();
              readObject(
                  field -> {
                    if (is(field, "values")) {
                      readArray(() -> array.addValues(readAnyValue()));
                    } else {
                      p.skipChildren();
                    }
                  });
              b.setArrayValue(array);
            }
            case "kvlistValue", "kvlist_value" -> {
              KeyValueList.Builder list = KeyValueList.newBuilder();
              readObject(
                  field -> {
                    if (is(field, "values")) {
                      readArray(() -> list.addValues(readKeyValue()));
                    } else {
                      p.skipChildren();
                    }
                  });
              b.setKvlistValue(list);
            }
            default -> p.skipChildren();
          }
        });
    return b.build();
  }

  // ---- structure helpers ----

  @FunctionalInterface
  private interface FieldReader {
    void read(String name) throws IOException;
  }

  @FunctionalInterface
  private interface ElementReader {
    void read() throws IOException;
  }

  /** Current token is the object's start (or null, read as an empty object). */
  private void readObject(FieldReader fields) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return;
    }
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw error("expected an object");
    }
    readFields(fields);
  }

  private void readFields(FieldReader fields) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      path.addLast(name);
      p.nextToken();
      if (p.currentToken() != JsonToken.VALUE_NULL) {
        fields.read(name);
      }
      path.removeLast();
    }
  }

  private void readArray(ElementReader element) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw error("expected an array");
    }
    int index = 0;
    while (p.nextToken() != JsonToken.END_ARRAY) {
      path.addLast("[" + index++ + "]");
      element.read();
      path.removeLast();
    }
  }

  private static boolean is(String name, String camel) {
    return name.equals(camel);
  }

  private static boolean is(String name, String camel, String snake) {
    return name.equals(camel) || name.equals(snake);
  }

  // ---- scalar helpers ----

  private String readString() throws IOException {
    if (p.currentToken() != JsonToken.VALUE_STRING) {
      throw error("expected a string");
    }
    return p.getText();
  }

  private boolean readBool() throws IOException {
    return switch (p.currentToken()) {
      case VALUE_TRUE -> true;
      case VALUE_FALSE -> false;
      default -> throw error("expected true or false");
    };
  }

  private long readInt64() throws IOException {
    return readInteger(false, Long.MIN_VALUE, Long.MAX_VALUE, "a signed 64-bit integer");
  }

  private long readUint64() throws IOException {
    return readInteger(true, 0, -1, "an unsigned 64-bit integer");
  }

  private int readUint32() throws IOException {
    return (int) readInteger(false, 0, 0xffff_ffffL, "an unsigned 32-bit integer");
  }

  /** Integers arrive as JSON numbers or decimal strings (protobuf JSON mapping). */
  private long readInteger(boolean unsigned64, long min, long max, String what) throws IOException {
    String text;
    if (p.currentToken() == JsonToken.VALUE_NUMBER_INT) {
      text = p.getText();
    } else if (p.currentToken() == JsonToken.VALUE_STRING) {
      text = p.getText().trim();
    } else {
      throw error("expected " + what + " as a number or decimal string");
    }
    try {
      if (unsigned64) {
        return Long.parseUnsignedLong(text);
      }
      long value = Long.parseLong(text);
      if (value < min || value > max) {
        throw error("'" + text + "' is out of range for " + what);
      }
      return value;
    } catch (NumberFormatException e) {
      throw error("'" + text + "' is not " + what);
    }
  }

  private double readDouble() throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
      return p.getDoubleValue();
    }
    if (t == JsonToken.VALUE_STRING) {
      String text = p.getText();
      switch (text) {
        case "NaN":
          return Double.NaN;
        case "Infinity":
          return Double.POSITIVE_INFINITY;
        case "-Infinity":
          return Double.NEGATIVE_INFINITY;
        default:
          try {
            return Double.parseDouble(text);
          } catch (NumberFormatException e) {
            throw error("'" + text + "' is not a double");
          }
      }
    }
    throw error("expected a double as a number or string");
  }

  private int readEnum(String prefix, String[] names) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NUMBER_INT) {
      return p.getIntValue();
    }
    if (p.currentToken() == JsonToken.VALUE_STRING) {
      String text = p.getText();
      String bare = text.startsWith(prefix) ? text.substring(prefix.length()) : text;
      for (int i = 0; i < names.length; i++) {
        if (names[i].equals(bare)) {
          return i;
        }
      }
      throw error("unknown enum value '" + text + "'");
    }
    throw error("expected an enum as an integer or name");
  }

  /** OTLP/JSON IDs are hex, not base64 (the one exception to the protobuf JSON mapping). */
  private ByteString readHexId() throws IOException {
    String hex = readString();
    if ((hex.length() & 1) != 0) {
      throw error("ID '" + hex + "' has an odd number of hex chars");
    }
    byte[] out = new byte[hex.length() / 2];
    for (int i = 0; i < out.length; i++) {
      char hi = hex.charAt(2 * i);
      char lo = hex.charAt(2 * i + 1);
      if (!HexFormat.isHexDigit(hi) || !HexFormat.isHexDigit(lo)) {
        throw error("ID '" + hex + "' is not hex");
      }
      out[i] = (byte) ((HexFormat.fromHexDigit(hi) << 4) | HexFormat.fromHexDigit(lo));
    }
    return ByteString.copyFrom(out);
  }

  /** Standard or URL-safe base64, padded or not, as protobuf's JSON mapping accepts. */
  private ByteString readBase64() throws IOException {
    String text = readString();
    try {
      boolean urlSafe = text.indexOf('-') >= 0 || text.indexOf('_') >= 0;
      return ByteString.copyFrom(
          (urlSafe ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(text));
    } catch (IllegalArgumentException e) {
      throw error("'" + text + "' is not base64");
    }
  }

  private MalformedOtlpException error(String what) {
    JsonLocation at = p.currentTokenLocation();
    String where = path.isEmpty() ? "$" : "$." + String.join(".", path).replace(".[", "[");
    return new MalformedOtlpException(
        "OTLP/JSON at "
            + where
            + " (line "
            + at.getLineNr()
            + ", column "
            + at.getColumnNr()
            + "): "
            + what);
  }
}
