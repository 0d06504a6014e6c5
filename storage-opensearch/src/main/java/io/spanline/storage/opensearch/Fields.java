package io.spanline.storage.opensearch;

import io.spanline.schemas.model.SpanId;
import io.spanline.schemas.model.TraceId;

/**
 * Field names of the span, trace fragment and trace summary documents; the mappings are in the
 * index templates ({@code index-templates/*.json}) and the README. Timestamps named {@code
 * ...UnixNano} are epoch nanoseconds; {@code startTime} is the same instant as an OpenSearch {@code
 * date} (epoch milliseconds) for range queries and dashboards.
 */
public final class Fields {
  private Fields() {}

  // Both documents
  public static final String TENANT = "tenant";
  public static final String TRACE_ID = "traceId";
  public static final String START_TIME = "startTime";
  public static final String START_TIME_UNIX_NANO = "startTimeUnixNano";
  public static final String END_TIME_UNIX_NANO = "endTimeUnixNano";
  public static final String DURATION_NANOS = "durationNanos";

  // Span documents
  public static final String SPAN_ID = "spanId";
  public static final String PARENT_SPAN_ID = "parentSpanId";

  /**
   * The service of the span's parent when the parent is in the same trace fragment and belongs to
   * another service: one call from that service to this one, the unit of the dependency graph.
   */
  public static final String PARENT_SERVICE = "parentService";

  public static final String FRAGMENT = "fragment";
  public static final String SERVICE = "service";
  public static final String NAME = "name";
  public static final String KIND = "kind";
  public static final String STATUS = "status";
  public static final String STATUS_MESSAGE = "statusMessage";
  public static final String SCOPE_NAME = "scope.name";
  public static final String SCOPE_VERSION = "scope.version";

  /**
   * Object holding the allowlisted attributes as typed fields, see {@link #attributeField(String)}.
   */
  public static final String ATTRIBUTES = "attr";

  /**
   * Keyword array of {@code key=value} for the allowlisted attributes of the span, its events,
   * links, resource and scope, value in its string form ({@code 123}, {@code 72.5}, {@code true};
   * an array both as a whole and element by element): see {@link #tag(String, String)}.
   */
  public static final String TAGS = "tags";

  /** Keyword array of the attribute keys present in {@link #TAGS}, to list keys cheaply. */
  public static final String TAG_KEYS = "tagKeys";

  /**
   * Keyword array of the trace IDs (32 lowercase hex chars) the span's links point at, each once:
   * what a search for traces linking to a trace matches. The span's own trace counts like any
   * other.
   */
  public static final String LINKED_TRACE_IDS = "linkedTraceIds";

  /**
   * Keyword array of the spans the span's links point at, each once, as {@link #linkedSpan(TraceId,
   * SpanId)}: what a search for traces linking to one span matches.
   */
  public static final String LINKED_SPANS = "linkedSpans";

  /**
   * Span documents written before trace fragment documents existed: the whole span as OTLP protobuf
   * {@code TracesData} holding only this span with its resource and scope, base64 (an OpenSearch
   * {@code binary} field): stored, not indexed. Decode with {@code OtlpProtoCodec.decode}. The
   * write path no longer writes it; the read path still reads it.
   */
  public static final String OTLP = "otlp";

  // Trace fragment documents (also TENANT, TRACE_ID, FRAGMENT, START_TIME_UNIX_NANO, SPAN_COUNT)

  /**
   * Every span of one kept trace fragment as one OTLP protobuf {@code TracesData}, gzip-compressed,
   * base64 (an OpenSearch {@code binary} field): stored, not indexed. Decode with {@code
   * OtlpProtoCodec.decode} after gunzipping.
   */
  public static final String SPANS = "spans";

  // Trace summary documents
  public static final String ROOT_SERVICE = "rootService";
  public static final String ROOT_NAME = "rootName";
  public static final String ROOT_FOUND = "rootFound";
  public static final String ROOT_START_TIME_UNIX_NANO = "rootStartTimeUnixNano";
  public static final String SPAN_COUNT = "spanCount";
  public static final String ERROR = "error";
  public static final String SERVICES = "services";
  public static final String SAMPLING_POLICIES = "samplingPolicies";
  public static final String SAMPLING_PROBABILITY = "samplingProbability";
  public static final String ADJUSTED_COUNT = "adjustedCount";
  public static final String FRAGMENTS = "fragments";

  /** One {@link #TAGS} value: {@code key=value}. */
  public static String tag(String key, String value) {
    return key + '=' + value;
  }

  /** One {@link #LINKED_SPANS} value: {@code <trace ID>:<span ID>}, both lowercase hex. */
  public static String linkedSpan(TraceId traceId, SpanId spanId) {
    return traceId.toHex() + ':' + spanId.toHex();
  }

  /**
   * The indexed field of an allowlisted attribute: {@code attr.} followed by the key with each
   * {@code .} replaced by {@code @} (as Jaeger's Elasticsearch storage does), so that keys such as
   * {@code http.request} and {@code http.request.method} never collide as object and value.
   */
  public static String attributeField(String key) {
    return ATTRIBUTES + '.' + key.replace('.', '@');
  }
}
