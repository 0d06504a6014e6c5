package io.spanline.storage.archive.internal.parquet;

import io.spanline.schemas.codec.otlp.OtlpProtoCodec;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.TraceSummary;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * The archive's row: one span of a kept trace with trace-level columns beside it, as Avro records
 * of {@link #SCHEMA} ({@code archive/SpanRow.avsc}). Pure mapping, no I/O.
 */
public final class SpanRows {
  /** The row schema. */
  public static final Schema SCHEMA = load();

  /** Rows sorted as files hold them: by trace ID, then start. */
  public static final Comparator<GenericRecord> ORDER =
      Comparator.<GenericRecord, String>comparing(r -> r.get("trace_id").toString())
          .thenComparingLong(r -> (Long) r.get("start_time_unix_nano"));

  private SpanRows() {}

  /** One row per span of the kept trace (or fragment). */
  public static List<GenericRecord> of(SampledTrace sampled) {
    AssembledTrace trace = sampled.trace();
    TraceSummary summary = trace.summary();
    String policy = String.join(",", sampled.decision().policies());
    double adjusted = sampled.decision().adjustedCount();
    List<GenericRecord> rows = new ArrayList<>(trace.spans().size());
    for (Span s : trace.spans()) {
      GenericRecord r = new GenericData.Record(SCHEMA);
      r.put("trace_id", s.traceId().toHex());
      r.put("span_id", s.spanId().toHex());
      r.put("parent_span_id", s.parentSpanId() == null ? null : s.parentSpanId().toHex());
      r.put("fragment", trace.fragment());
      r.put("service_name", s.serviceName());
      r.put("span_name", s.name());
      r.put("span_kind", s.kind().name());
      r.put("status_code", s.status().code().name());
      r.put("status_message", s.status().message());
      r.put("start_time", Math.floorDiv(s.startEpochNanos(), 1000L));
      r.put("start_time_unix_nano", s.startEpochNanos());
      r.put("end_time_unix_nano", s.endEpochNanos());
      r.put("duration_nanos", s.durationNanos());
      r.put("attributes", text(s.attributes()));
      r.put("resource_attributes", text(s.resource().attributes()));
      r.put("scope_name", s.scope().name());
      r.put("scope_version", s.scope().version());
      r.put("otlp", ByteBuffer.wrap(OtlpProtoCodec.encode(List.of(s))));
      r.put("root_service_name", summary.rootServiceName());
      r.put("root_span_name", summary.rootSpanName());
      r.put("trace_start_time", Math.floorDiv(summary.startEpochNanos(), 1000L));
      r.put("trace_duration_nanos", summary.durationNanos());
      r.put("trace_error", summary.error());
      r.put("sampling_policy", policy);
      r.put("adjusted_count", adjusted);
      rows.add(r);
    }
    return rows;
  }

  /** The span a row holds, decoded from its {@code otlp} column. */
  public static Span span(GenericRecord row) {
    ByteBuffer otlp = (ByteBuffer) row.get("otlp");
    byte[] bytes = new byte[otlp.remaining()];
    otlp.duplicate().get(bytes);
    return OtlpProtoCodec.decode(bytes).get(0);
  }

  private static Map<String, String> text(List<Attribute> attributes) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Attribute a : attributes) {
      out.put(a.key(), a.value().asText());
    }
    return out;
  }

  private static Schema load() {
    try (InputStream in = SpanRows.class.getResourceAsStream("/archive/SpanRow.avsc")) {
      if (in == null) {
        throw new IllegalStateException("archive/SpanRow.avsc is not on the classpath");
      }
      return new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
