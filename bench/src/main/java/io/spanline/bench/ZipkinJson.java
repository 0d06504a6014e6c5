package io.spanline.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanEvent;
import io.spanline.schemas.model.StatusCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;

/**
 * The benchmark's spans as Zipkin v2 JSON (a list per Kafka message, what Zipkin's Kafka collector
 * reads), mapped as OpenTelemetry's Zipkin exporter does: times in microseconds, attributes as
 * string tags, events as annotations, an error status as the {@code error} tag.
 */
final class ZipkinJson {
  private static final JsonFactory JSON = new JsonFactory();

  private ZipkinJson() {}

  static byte[] encode(List<Span> spans) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(spans.size() * 900);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartArray();
      for (Span s : spans) {
        g.writeStartObject();
        g.writeStringField("traceId", s.traceId().toHex());
        g.writeStringField("id", s.spanId().toHex());
        if (s.parentSpanId() != null) {
          g.writeStringField("parentId", s.parentSpanId().toHex());
        }
        g.writeStringField("name", s.name().toLowerCase(Locale.ROOT));
        switch (s.kind()) {
          case SERVER -> g.writeStringField("kind", "SERVER");
          case CLIENT -> g.writeStringField("kind", "CLIENT");
          case PRODUCER -> g.writeStringField("kind", "PRODUCER");
          case CONSUMER -> g.writeStringField("kind", "CONSUMER");
          default -> {}
        }
        g.writeNumberField("timestamp", s.startEpochNanos() / 1000);
        g.writeNumberField(
            "duration", Math.max(1, (s.endEpochNanos() - s.startEpochNanos()) / 1000));
        g.writeObjectFieldStart("localEndpoint");
        g.writeStringField("serviceName", s.serviceName());
        g.writeEndObject();
        if (!s.events().isEmpty()) {
          g.writeArrayFieldStart("annotations");
          for (SpanEvent e : s.events()) {
            g.writeStartObject();
            g.writeNumberField("timestamp", e.epochNanos() / 1000);
            g.writeStringField("value", e.name());
            g.writeEndObject();
          }
          g.writeEndArray();
        }
        g.writeObjectFieldStart("tags");
        for (Attribute a : s.attributes()) {
          g.writeStringField(a.key(), a.value().asText());
        }
        if (s.status().code() == StatusCode.ERROR) {
          g.writeStringField("error", s.status().message());
        }
        g.writeEndObject();
        g.writeEndObject();
      }
      g.writeEndArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
