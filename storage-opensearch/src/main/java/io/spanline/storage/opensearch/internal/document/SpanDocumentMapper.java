package io.spanline.storage.opensearch.internal.document;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.spanline.schemas.codec.otlp.OtlpProtoCodec;
import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanEvent;
import io.spanline.schemas.model.SpanLink;
import io.spanline.schemas.model.TraceSummary;
import io.spanline.storage.opensearch.Fields;
import io.spanline.storage.opensearch.IndexLayout;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Turns a kept trace into OpenSearch documents: one per span (identity, service, operation, kind,
 * status, times, allowlisted attributes as typed fields and the targets of its links: what search
 * needs), one per trace fragment holding all its spans once as gzip-compressed OTLP protobuf
 * (stored, not indexed: what trace by ID reads) and one summary update per trace. Pure: no I/O.
 *
 * <p>Allowlisted attributes come from the span and its resource (the span's own value wins). The
 * allowlist may differ per tenant (the tenant-limits file's {@code indexed-attributes}). String,
 * boolean, integer and double values, and arrays of one of those kinds, become fields; other kinds
 * (bytes, key-value lists, mixed arrays, empty) are only stored.
 */
public final class SpanDocumentMapper {
  private static final JsonFactory JSON = new JsonFactory();

  private final IndexLayout layout;
  private final Function<String, Set<String>> allowlists;

  /**
   * @param allowlist attribute keys indexed as typed fields and tags, for every tenant; {@code *}
   *     indexes every key
   */
  public SpanDocumentMapper(IndexLayout layout, Set<String> allowlist) {
    Set<String> fixed = Set.copyOf(allowlist);
    this.layout = layout;
    this.allowlists = tenant -> fixed;
  }

  /**
   * @param allowlists tenant → the attribute keys indexed for its traces ({@code *} for every key),
   *     asked once per trace: it should answer quickly, with a set that does not change
   */
  public SpanDocumentMapper(IndexLayout layout, Function<String, Set<String>> allowlists) {
    this.layout = Objects.requireNonNull(layout, "layout");
    this.allowlists = Objects.requireNonNull(allowlists, "allowlists");
  }

  /** The attribute keys indexed for one trace's tenant. */
  private record Allowlist(Set<String> keys, boolean all) {
    static Allowlist of(Set<String> keys) {
      return new Allowlist(keys, keys.contains(ALL_KEYS));
    }

    boolean isEmpty() {
      return keys.isEmpty();
    }

    boolean allowed(String key) {
      return all || keys.contains(key);
    }
  }

  /** The allowlist entry that indexes every attribute key (no cardinality guard). */
  public static final String ALL_KEYS = "*";

  /**
   * Attribute keys indexed by default: OpenTelemetry semantic-convention keys on-call engineers
   * search by (HTTP, RPC, database, messaging, errors, deployment, Kubernetes), in current and
   * previous naming.
   */
  public static final List<String> DEFAULT_ALLOWLIST =
      List.of(
          "http.request.method",
          "http.response.status_code",
          "http.route",
          "http.method",
          "http.status_code",
          "url.path",
          "rpc.system",
          "rpc.service",
          "rpc.method",
          "rpc.grpc.status_code",
          "db.system",
          "db.system.name",
          "db.operation.name",
          "db.namespace",
          "messaging.system",
          "messaging.destination.name",
          "messaging.operation.type",
          "error.type",
          "exception.type",
          "peer.service",
          "server.address",
          "deployment.environment",
          "deployment.environment.name",
          "service.version",
          "service.namespace",
          "host.name",
          "k8s.namespace.name",
          "k8s.pod.name",
          "k8s.deployment.name",
          "cloud.region");

  public TraceDocuments map(SampledTrace sampled) {
    AssembledTrace trace = sampled.trace();
    List<SpanDocument> spans = new ArrayList<>(trace.spans().size());
    Map<Long, String> serviceBySpanId = new HashMap<>(trace.spans().size() * 2);
    for (Span span : trace.spans()) {
      serviceBySpanId.put(span.spanId().value(), span.serviceName());
    }
    double probability = sampled.decision().samplingProbability();
    double adjustedCount = probability > 0 && probability <= 1 ? 1.0 / probability : 1.0;
    Allowlist allowlist = Allowlist.of(allowlists.apply(trace.tenant()));
    for (Span span : trace.spans()) {
      String parentService =
          span.parentSpanId() == null ? null : serviceBySpanId.get(span.parentSpanId().value());
      spans.add(
          spanDocument(
              trace.tenant(),
              trace.fragment(),
              span,
              span.serviceName().equals(parentService) ? null : parentService,
              adjustedCount,
              allowlist));
    }
    return new TraceDocuments(spans, fragmentDocument(trace), summary(trace, sampled.decision()));
  }

  /**
   * The fragment's spans once: {@link Fields#SPANS} (gzip OTLP {@code TracesData}), with tenant,
   * trace ID, fragment number, earliest span start and span count.
   */
  FragmentDocument fragmentDocument(AssembledTrace trace) {
    long start = Long.MAX_VALUE;
    for (Span span : trace.spans()) {
      start = Math.min(start, span.startEpochNanos());
    }
    if (trace.spans().isEmpty()) {
      start = trace.summary().startEpochNanos();
    }
    byte[] otlp = OtlpProtoCodec.encode(trace.spans());
    ByteArrayOutputStream zipped = new ByteArrayOutputStream(otlp.length / 3 + 64);
    ByteArrayOutputStream out = new ByteArrayOutputStream(otlp.length / 2 + 256);
    try {
      try (GZIPOutputStream gzip = new GZIPOutputStream(zipped, 8192)) {
        gzip.write(otlp);
      }
      try (JsonGenerator g = JSON.createGenerator(out)) {
        g.writeStartObject();
        g.writeStringField(Fields.TENANT, trace.tenant());
        g.writeStringField(Fields.TRACE_ID, trace.traceId().toHex());
        g.writeNumberField(Fields.FRAGMENT, trace.fragment());
        g.writeNumberField(Fields.START_TIME_UNIX_NANO, start);
        g.writeNumberField(Fields.SPAN_COUNT, trace.spans().size());
        g.writeFieldName(Fields.SPANS);
        g.writeBinary(zipped.toByteArray());
        g.writeEndObject();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing JSON to memory failed", e);
    }
    return new FragmentDocument(
        layout.fragmentIndex(IndexLayout.dayOf(start)),
        IndexLayout.fragmentDocumentId(trace.tenant(), trace.traceId(), trace.fragment()),
        out.toByteArray());
  }

  /**
   * The spans of a fragment document's {@link Fields#SPANS} value (base64 already decoded).
   *
   * @throws IllegalArgumentException if the bytes are not gzip-compressed OTLP protobuf
   */
  public static List<Span> decodeFragment(byte[] gzippedOtlp) {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzippedOtlp))) {
      return OtlpProtoCodec.decode(in.readAllBytes());
    } catch (IOException e) {
      throw new IllegalArgumentException("a trace fragment's spans are not gzip: " + e, e);
    }
  }

  SpanDocument spanDocument(String tenant, int fragment, Span span) {
    return spanDocument(tenant, fragment, span, null, 1.0, Allowlist.of(allowlists.apply(tenant)));
  }

  /**
   * @param parentService the parent span's service when it is another service, else null
   * @param adjustedCount the trace's adjusted count, written on spans with a parent service (the
   *     edges of the dependency graph) when it is not 1
   */
  private SpanDocument spanDocument(
      String tenant,
      int fragment,
      Span span,
      String parentService,
      double adjustedCount,
      Allowlist allowlist) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField(Fields.TENANT, tenant);
      g.writeStringField(Fields.TRACE_ID, span.traceId().toHex());
      g.writeStringField(Fields.SPAN_ID, span.spanId().toHex());
      if (span.parentSpanId() != null) {
        g.writeStringField(Fields.PARENT_SPAN_ID, span.parentSpanId().toHex());
      }
      if (parentService != null) {
        g.writeStringField(Fields.PARENT_SERVICE, parentService);
        if (adjustedCount != 1.0) {
          g.writeNumberField(Fields.ADJUSTED_COUNT, adjustedCount);
        }
      }
      g.writeNumberField(Fields.FRAGMENT, fragment);
      g.writeStringField(Fields.SERVICE, span.serviceName());
      g.writeStringField(Fields.NAME, span.name());
      g.writeStringField(Fields.KIND, span.kind().name());
      g.writeStringField(Fields.STATUS, span.status().code().name());
      if (!span.status().message().isEmpty()) {
        g.writeStringField(Fields.STATUS_MESSAGE, span.status().message());
      }
      g.writeNumberField(Fields.START_TIME, Math.floorDiv(span.startEpochNanos(), 1_000_000L));
      g.writeNumberField(Fields.START_TIME_UNIX_NANO, span.startEpochNanos());
      g.writeNumberField(Fields.END_TIME_UNIX_NANO, span.endEpochNanos());
      g.writeNumberField(Fields.DURATION_NANOS, span.durationNanos());
      g.writeObjectFieldStart("scope");
      g.writeStringField("name", span.scope().name());
      if (!span.scope().version().isEmpty()) {
        g.writeStringField("version", span.scope().version());
      }
      g.writeEndObject();
      writeIndexedAttributes(g, span, allowlist);
      writeTags(g, span, allowlist);
      writeLinkTargets(g, span);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing JSON to memory failed", e);
    }
    return new SpanDocument(
        layout.spanIndex(IndexLayout.dayOf(span.startEpochNanos())),
        IndexLayout.spanDocumentId(tenant, span.traceId(), span.spanId()),
        out.toByteArray());
  }

  private static void writeIndexedAttributes(JsonGenerator g, Span span, Allowlist allowlist)
      throws IOException {
    if (allowlist.isEmpty()) {
      return;
    }
    Map<String, Object> fields = new LinkedHashMap<>();
    for (List<Attribute> source : List.of(span.resource().attributes(), span.attributes())) {
      for (Attribute a : source) {
        if (allowlist.allowed(a.key())) {
          Object value = indexable(a.value());
          if (value != null) {
            fields.put(a.key().replace('.', '@'), value);
          }
        }
      }
    }
    if (fields.isEmpty()) {
      return;
    }
    g.writeObjectFieldStart(Fields.ATTRIBUTES);
    for (Map.Entry<String, Object> f : fields.entrySet()) {
      g.writeFieldName(f.getKey());
      if (f.getValue() instanceof List<?> values) {
        g.writeStartArray();
        for (Object v : values) {
          writeScalar(g, v);
        }
        g.writeEndArray();
      } else {
        writeScalar(g, f.getValue());
      }
    }
    g.writeEndObject();
  }

  /**
   * {@code tags}: {@code key=value} (value in its string form, whatever its type; for an array,
   * also one per element) for every allowlisted key on the span, its events, links, resource and
   * scope, so a search matches a value wherever on the span it is, as Jaeger's search does; {@code
   * tagKeys}: their keys.
   */
  private static void writeTags(JsonGenerator g, Span span, Allowlist allowlist)
      throws IOException {
    if (allowlist.isEmpty()) {
      return;
    }
    Set<String> tags = new LinkedHashSet<>();
    Set<String> keys = new LinkedHashSet<>();
    addTags(tags, keys, span.attributes(), allowlist);
    for (SpanEvent e : span.events()) {
      addTags(tags, keys, e.attributes(), allowlist);
    }
    for (SpanLink l : span.links()) {
      addTags(tags, keys, l.attributes(), allowlist);
    }
    addTags(tags, keys, span.resource().attributes(), allowlist);
    addTags(tags, keys, span.scope().attributes(), allowlist);
    if (tags.isEmpty()) {
      return;
    }
    g.writeArrayFieldStart(Fields.TAGS);
    for (String t : tags) {
      g.writeString(t);
    }
    g.writeEndArray();
    g.writeArrayFieldStart(Fields.TAG_KEYS);
    for (String k : keys) {
      g.writeString(k);
    }
    g.writeEndArray();
  }

  /**
   * {@code linkedTraceIds} and {@code linkedSpans}: where the span's links point, each target once,
   * so that traces linking to a trace (or span) can be searched. Absent when the span has no link.
   */
  private static void writeLinkTargets(JsonGenerator g, Span span) throws IOException {
    if (span.links().isEmpty()) {
      return;
    }
    Set<String> traces = new LinkedHashSet<>();
    Set<String> spans = new LinkedHashSet<>();
    for (SpanLink l : span.links()) {
      traces.add(l.traceId().toHex());
      spans.add(Fields.linkedSpan(l.traceId(), l.spanId()));
    }
    g.writeArrayFieldStart(Fields.LINKED_TRACE_IDS);
    for (String t : traces) {
      g.writeString(t);
    }
    g.writeEndArray();
    g.writeArrayFieldStart(Fields.LINKED_SPANS);
    for (String s : spans) {
      g.writeString(s);
    }
    g.writeEndArray();
  }

  private static void addTags(
      Set<String> tags, Set<String> keys, List<Attribute> attributes, Allowlist allowlist) {
    for (Attribute a : attributes) {
      if (allowlist.allowed(a.key())) {
        tags.add(Fields.tag(a.key(), a.value().asText()));
        if (a.value() instanceof AnyValue.ArrayValue array) {
          // each element too: a search for one element of an array (TraceQL's = on arrays)
          for (AnyValue element : array.values()) {
            if (!(element instanceof AnyValue.ArrayValue)
                && !(element instanceof AnyValue.KeyValueList)) {
              tags.add(Fields.tag(a.key(), element.asText()));
            }
          }
        }
        keys.add(a.key());
      }
    }
  }

  private static void writeScalar(JsonGenerator g, Object value) throws IOException {
    if (value instanceof String s) {
      g.writeString(s);
    } else if (value instanceof Long l) {
      g.writeNumber(l);
    } else if (value instanceof Double d) {
      g.writeNumber(d);
    } else {
      g.writeBoolean((Boolean) value);
    }
  }

  /** The JSON value of an attribute value that can be a typed field, else null. */
  static Object indexable(AnyValue value) {
    Object scalar = scalar(value);
    if (scalar != null || !(value instanceof AnyValue.ArrayValue array)) {
      return scalar;
    }
    List<Object> values = new ArrayList<>(array.values().size());
    Class<?> kind = null;
    for (AnyValue v : array.values()) {
      Object s = scalar(v);
      if (s == null || (kind != null && kind != s.getClass())) {
        return null;
      }
      kind = s.getClass();
      values.add(s);
    }
    return values.isEmpty() ? null : values;
  }

  private static Object scalar(AnyValue value) {
    if (value instanceof AnyValue.StringValue s) {
      return s.value();
    }
    if (value instanceof AnyValue.LongValue l) {
      return l.value();
    }
    if (value instanceof AnyValue.DoubleValue d) {
      return Double.isFinite(d.value()) ? d.value() : null;
    }
    if (value instanceof AnyValue.BoolValue b) {
      return b.value();
    }
    return null;
  }

  private static TraceSummaryUpdate summary(AssembledTrace trace, SamplingDecision decision) {
    TraceSummary summary = trace.summary();
    boolean rootFound = trace.spans().stream().anyMatch(Span::isRoot);
    // The root's start decides between two fragments that both have (or both lack) a real root.
    long rootStart =
        trace.spans().stream()
            .filter(s -> s.isRoot() == rootFound)
            .mapToLong(Span::startEpochNanos)
            .min()
            .orElse(summary.startEpochNanos());
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("tenant", trace.tenant());
    params.put("traceId", trace.traceId().toHex());
    params.put("fragment", trace.fragment());
    params.put("start", summary.startEpochNanos());
    params.put("end", summary.endEpochNanos());
    params.put("spanCount", summary.spanCount());
    params.put("error", summary.error());
    params.put("services", summary.services());
    params.put("policies", decision.policies());
    params.put("probability", decision.samplingProbability());
    params.put("rootFound", rootFound);
    params.put("rootService", summary.rootServiceName());
    params.put("rootName", summary.rootSpanName());
    params.put("rootStart", rootStart);
    return new TraceSummaryUpdate(
        IndexLayout.traceDocumentId(trace.tenant(), trace.traceId()),
        trace.tenant(),
        trace.traceId(),
        trace.fragment(),
        summary.startEpochNanos(),
        params);
  }
}
