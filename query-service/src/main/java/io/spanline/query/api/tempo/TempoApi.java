package io.spanline.query.api.tempo;

import static io.spanline.query.api.Params.count;
import static io.spanline.query.api.Params.first;
import static io.spanline.query.api.Params.nanos;
import static io.spanline.query.api.Params.traceId;
import static io.spanline.query.api.Responses.JSON;
import static io.spanline.query.api.Responses.answer;
import static io.spanline.query.api.Responses.json;
import static io.spanline.query.api.Responses.list;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.server.annotation.Blocking;
import com.linecorp.armeria.server.annotation.Get;
import com.linecorp.armeria.server.annotation.Param;
import io.spanline.query.api.GoDurations;
import io.spanline.query.api.Responses;
import io.spanline.query.api.Responses.BadParameter;
import io.spanline.query.api.SummarySearch;
import io.spanline.query.api.TieredTraceQlSearch;
import io.spanline.query.api.TraceLookup;
import io.spanline.query.tenancy.RequestTenants;
import io.spanline.query.traceql.TraceQlSearch;
import io.spanline.schemas.codec.otlp.OtlpJsonCodec;
import io.spanline.schemas.codec.otlp.OtlpProtoCodec;
import io.spanline.schemas.codec.tempo.TempoProtobuf;
import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.TraceId;
import io.spanline.storage.FoundSummary;
import io.spanline.storage.FoundTrace;
import io.spanline.storage.SummaryQuery;
import io.spanline.storage.TimeRange;
import io.spanline.storage.TraceSearch;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The subset of Grafana Tempo's HTTP API that Grafana's Tempo data source uses: {@code /api/echo},
 * {@code /api/status/buildinfo}, trace by ID ({@code /api/traces/{id}}, {@code
 * /api/v2/traces/{id}}; OTLP/JSON, or protobuf when {@code Accept: application/protobuf}), TraceQL
 * search ({@code /api/search?q=…}, evaluated by {@link TraceQlSearch} over the hot store and, past
 * the hot retention or with {@code source=archive}, the archive: {@link TieredTraceQlSearch}), the
 * older tag search ({@code tags} in logfmt, {@code minDuration}/{@code maxDuration} as Go durations
 * on the whole trace), tag names and values with scopes ({@code /api/v2/search/tags}, {@code
 * /api/v2/search/tag/{tag}/values}) and without ({@code /api/search/tags}, {@code
 * /api/search/tag/{tag}/values}). Times in {@code start}/{@code end} are epoch seconds. Tenants as
 * everywhere: API key or {@code X-Scope-OrgID}.
 *
 * <p>Tag-search keys {@code service.name}, {@code name} (span name) and {@code status} ({@code
 * error}, {@code ok}, {@code unset}) are the span's own fields; any other key matches an
 * attribute's string form on the span, its events, links, resource or scope. All tags must hold on
 * one span. Source: Tempo's HTTP API documentation (grafana.com/docs/tempo/latest/api_docs).
 */
public final class TempoApi {
  /** Tempo's protobuf media type for trace by ID. */
  static final MediaType PROTOBUF = MediaType.parse("application/protobuf");

  private static final int MAX_LIMIT = 1000;
  private static final List<String> STATUSES = List.of("error", "ok", "unset");

  /** Spans per spanset returned by default ({@code spss}), as Tempo's default. */
  private static final int DEFAULT_SPANS_PER_SPANSET = 3;

  /**
   * The Tempo API level answered in {@code /api/status/buildinfo}: Grafana's Tempo data source
   * enables features (scoped tags, TraceQL search) by the version it reads there.
   */
  static final String TEMPO_API_VERSION = "2.6.0";

  private static final List<String> RESOURCE_NAMESPACES =
      List.of(
          "service.",
          "deployment.",
          "host.",
          "k8s.",
          "cloud.",
          "container.",
          "process.",
          "os.",
          "telemetry.",
          "faas.",
          "device.",
          "webengine.");

  private final TraceLookup lookup;
  private final TraceSearch search;
  private final TieredTraceQlSearch traceQl;
  private final RequestTenants tenants;
  private final Clock clock;

  /**
   * @param lookup trace by ID (the hot store, then the archive)
   * @param search searches and lists (the hot store)
   * @param traceQl TraceQL search over the hot store and the archive
   */
  public TempoApi(
      TraceLookup lookup,
      TraceSearch search,
      TieredTraceQlSearch traceQl,
      RequestTenants tenants,
      Clock clock) {
    this.lookup = lookup;
    this.search = search;
    this.traceQl = traceQl;
    this.tenants = tenants;
    this.clock = clock;
  }

  /**
   * {@code {"version", "revision", "branch", "buildUser", "buildDate", "goVersion"}}: the Tempo API
   * level Spanline answers ({@value #TEMPO_API_VERSION}), which Grafana reads to pick features.
   */
  @Get("/api/status/buildinfo")
  public HttpResponse buildInfo() {
    ObjectNode body = JSON.createObjectNode();
    body.put("version", TEMPO_API_VERSION);
    body.put("revision", "spanline");
    body.put("branch", "");
    body.put("buildUser", "");
    body.put("buildDate", "");
    body.put("goVersion", "");
    return json(HttpStatus.OK, body);
  }

  @Get("/api/echo")
  public HttpResponse echo() {
    return HttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT_UTF_8, "echo");
  }

  /**
   * TraceQL metrics, which Spanline does not offer: Grafana's backend asks {@code
   * /api/metrics/query_range} and {@code /api/metrics/query} for a query with {@code rate()},
   * {@code count_over_time()}, … and older Grafana versions {@code /api/metrics/summary}. A 404
   * whose message says so, which Grafana shows, instead of the web UI's file-not-found.
   */
  @Get("prefix:/api/metrics/")
  public HttpResponse metrics() {
    return Responses.error(
        HttpStatus.NOT_FOUND,
        "TraceQL metrics (/api/metrics/...) are not supported by Spanline; it serves TraceQL"
            + " search (/api/search?q=...)");
  }

  /** Tempo v1: {@code {"batches": [ResourceSpans…]}}, or {@code tempopb.Trace} protobuf. */
  @Get("/api/traces/{traceId}")
  @Blocking
  public HttpResponse traceV1(
      RequestHeaders headers, @Param("traceId") String traceId, QueryParams params) {
    return traceAnswer(
        headers,
        traceId,
        params,
        (found, tracesData) -> {
          if (wantsProtobuf(headers)) {
            // tempopb.Trace has OTLP's ResourceSpans as field 1, as TracesData does.
            return HttpResponse.of(HttpStatus.OK, PROTOBUF, tracesData);
          }
          ObjectNode body = JSON.createObjectNode();
          body.set("batches", otlpJson(tracesData).path("resourceSpans"));
          return json(HttpStatus.OK, body);
        });
  }

  /**
   * Tempo v2: {@code {"trace": TracesData, "status": "COMPLETE"|"PARTIAL", "message"}} ({@code
   * PARTIAL} when the trace was cut at {@code trace.max-spans}), or {@code
   * tempopb.TraceByIDResponse} protobuf.
   */
  @Get("/api/v2/traces/{traceId}")
  @Blocking
  public HttpResponse traceV2(
      RequestHeaders headers, @Param("traceId") String traceId, QueryParams params) {
    return traceAnswer(
        headers,
        traceId,
        params,
        (found, tracesData) -> {
          boolean partial = found.truncated();
          String message =
              partial ? "trace cut at " + found.spans().size() + " spans (trace.max-spans)" : "";
          if (wantsProtobuf(headers)) {
            return HttpResponse.of(
                HttpStatus.OK,
                PROTOBUF,
                TempoProtobuf.traceByIdResponse(tracesData, partial, message));
          }
          ObjectNode body = JSON.createObjectNode();
          body.set("trace", otlpJson(tracesData));
          body.put("status", partial ? "PARTIAL" : "COMPLETE");
          if (partial) {
            body.put("message", message);
          }
          return json(HttpStatus.OK, body);
        });
  }

  /**
   * {@code {"traces": [{"traceID", "rootServiceName", "rootTraceName", "startTimeUnixNano",
   * "durationMs"}], "metrics": {"inspectedTraces"}}}, most recent first.
   */
  @Get("/api/search")
  @Blocking
  public HttpResponse search(RequestHeaders headers, QueryParams params) {
    Optional<String> q = first(params, "q").filter(text -> !text.isBlank());
    if (q.isPresent()) {
      return answer(() -> traceQlSearch(tenants.tenant(headers), q.get(), params));
    }
    return answer(
        () -> {
          String tenant = tenants.tenant(headers);
          SummaryQuery query = query(params, clock.instant());
          List<FoundSummary> found = search.findSummaries(tenant, query);
          ObjectNode body = JSON.createObjectNode();
          ArrayNode out = body.putArray("traces");
          for (FoundSummary s : found) {
            ObjectNode t = out.addObject();
            t.put("traceID", s.traceId().toHex());
            t.put("rootServiceName", s.rootServiceName());
            t.put("rootTraceName", s.rootSpanName());
            t.put("startTimeUnixNano", Long.toString(s.startEpochNanos()));
            t.put("durationMs", s.durationNanos() / 1_000_000);
          }
          body.putObject("metrics").put("inspectedTraces", found.size());
          return json(HttpStatus.OK, body);
        });
  }

  /** {@code {"tagNames": [...]}}: the intrinsic keys and every searchable attribute key. */
  @Get("/api/search/tags")
  @Blocking
  public HttpResponse tags(RequestHeaders headers) {
    return answer(
        () -> {
          TreeSet<String> names = new TreeSet<>(List.of("service.name", "name", "status"));
          names.addAll(search.attributeKeys(tenants.tenant(headers), Optional.empty()));
          return list("tagNames", new ArrayList<>(names));
        });
  }

  /** {@code {"tagValues": [...]}}, sorted. */
  @Get("/api/search/tag/{tag}/values")
  @Blocking
  public HttpResponse tagValues(RequestHeaders headers, @Param("tag") String tag) {
    String name = tagName(tag);
    return answer(
        () -> {
          String tenant = tenants.tenant(headers);
          List<String> values =
              switch (name) {
                case "service.name" -> search.services(tenant);
                case "name" -> search.spanNames(tenant);
                case "status" -> STATUSES;
                default -> search.attributeValues(tenant, name, Optional.empty());
              };
          return list("tagValues", values);
        });
  }

  /**
   * A TraceQL search: {@code {"traces": [{"traceID", "rootServiceName", "rootTraceName",
   * "startTimeUnixNano", "durationMs", "spanSets": [{"spans": [{"spanID", "name",
   * "startTimeUnixNano", "durationNanos", "attributes"}], "matched", "attributes"}], "spanSet"}],
   * "metrics": {"inspectedTraces", "inspectedSpans"}, "partial", "partialReason"}}: Tempo's shape
   * (the deprecated {@code spanSet} is the first spanset), plus Spanline's {@code partial} when the
   * bound on inspected traces, or the archive search's bounds, may have hidden matches. {@code
   * source} is {@code auto} (default), {@code hot} or {@code archive}, as in the native search. A
   * query that does not parse answers 400 with the position.
   */
  private HttpResponse traceQlSearch(String tenant, String q, QueryParams params)
      throws IOException {
    if (METRICS_FUNCTION.matcher(q).find()) {
      throw new BadParameter(
          "TraceQL metrics queries (rate(), count_over_time(), quantile_over_time(), …) are not"
              + " supported by Spanline; it serves TraceQL search");
    }
    Instant now = clock.instant();
    Instant end = epochSeconds(params, "end").orElse(now);
    Instant start = epochSeconds(params, "start").orElse(end.minus(Duration.ofHours(1)));
    if (start.isAfter(end)) {
      throw new BadParameter("start must not be after end");
    }
    int limit = count(params, 20, MAX_LIMIT, "limit");
    int spss = count(params, DEFAULT_SPANS_PER_SPANSET, MAX_LIMIT, "spss");
    SummarySearch.Source source =
        SummarySearch.Source.parse(Optional.ofNullable(params.get("source")), "source");
    TraceQlSearch.Result result =
        traceQl.search(tenant, q, new TimeRange(nanos(start), nanos(end)), limit, source);
    ObjectNode body = JSON.createObjectNode();
    ArrayNode out = body.putArray("traces");
    for (TraceQlSearch.MatchedTrace t : result.traces()) {
      ObjectNode trace = out.addObject();
      trace.put("traceID", t.traceId().toHex());
      trace.put("rootServiceName", t.rootServiceName().orElse(ROOT_NOT_RECEIVED));
      trace.put("rootTraceName", t.rootSpanName().orElse(""));
      trace.put("startTimeUnixNano", Long.toString(t.startEpochNanos()));
      trace.put("durationMs", t.durationNanos() / 1_000_000);
      ArrayNode sets = trace.putArray("spanSets");
      for (TraceQlSearch.MatchedSpanset set : t.spanSets()) {
        sets.add(spanSet(set, spss));
      }
      if (!t.spanSets().isEmpty()) {
        trace.set("spanSet", sets.get(0).deepCopy());
      }
    }
    ObjectNode metrics = body.putObject("metrics");
    metrics.put("inspectedTraces", result.inspectedTraces());
    metrics.put("inspectedSpans", Long.toString(result.inspectedSpans()));
    body.put("partial", result.partial());
    if (result.partial()) {
      body.put("partialReason", result.partialReason());
    }
    return json(HttpStatus.OK, body);
  }

  /** A pipeline stage of TraceQL metrics, as Grafana's data source recognises one. */
  private static final Pattern METRICS_FUNCTION =
      Pattern.compile(
          "\\|\\s*(rate|count_over_time|avg_over_time|max_over_time|min_over_time|sum_over_time"
              + "|quantile_over_time|histogram_over_time|compare|topk|bottomk)\\s*\\(");

  /** Tempo's text for a trace whose root span was not received. */
  static final String ROOT_NOT_RECEIVED = "<root span not yet received>";

  private static ObjectNode spanSet(TraceQlSearch.MatchedSpanset set, int spss) {
    ObjectNode out = JSON.createObjectNode();
    ArrayNode spans = out.putArray("spans");
    for (TraceQlSearch.MatchedSpan m : set.spans().subList(0, Math.min(spss, set.spans().size()))) {
      ObjectNode span = spans.addObject();
      span.put("spanID", m.span().spanId().toHex());
      span.put("name", m.span().name());
      span.put("startTimeUnixNano", Long.toString(m.span().startEpochNanos()));
      span.put("durationNanos", Long.toString(m.span().durationNanos()));
      if (!m.attributes().isEmpty()) {
        span.set("attributes", otlpAttributes(m.attributes()));
      }
    }
    out.put("matched", set.matched());
    if (!set.attributes().isEmpty()) {
      List<Attribute> attributes = new ArrayList<>();
      set.attributes().forEach((k, v) -> attributes.add(new Attribute(k, v)));
      out.set("attributes", otlpAttributes(attributes));
    }
    return out;
  }

  /** Attributes as OTLP/JSON writes them: {@code [{"key", "value": {"stringValue": …}}]}. */
  private static ArrayNode otlpAttributes(List<Attribute> attributes) {
    ArrayNode out = JSON.createArrayNode();
    for (Attribute a : attributes) {
      ObjectNode kv = out.addObject();
      kv.put("key", a.key());
      kv.set("value", otlpValue(a.value()));
    }
    return out;
  }

  /** One OTLP/JSON {@code AnyValue}; 64-bit integers as strings, as OTLP/JSON writes them. */
  private static ObjectNode otlpValue(AnyValue value) {
    ObjectNode v = JSON.createObjectNode();
    if (value instanceof AnyValue.LongValue l) {
      v.put("intValue", Long.toString(l.value()));
    } else if (value instanceof AnyValue.DoubleValue d) {
      v.put("doubleValue", d.value());
    } else if (value instanceof AnyValue.BoolValue b) {
      v.put("boolValue", b.value());
    } else if (value instanceof AnyValue.ArrayValue a) {
      ArrayNode values = v.putObject("arrayValue").putArray("values");
      a.values().forEach(e -> values.add(otlpValue(e)));
    } else {
      v.put("stringValue", value.asText());
    }
    return v;
  }

  /**
   * Tempo's v2 tag names: {@code {"scopes": [{"name": "span"|"resource"|"intrinsic", "tags":
   * [...]}]}}, or one scope with {@code scope=}. Spanline's index records an attribute's key, not
   * the scope it came from: keys in OpenTelemetry's resource namespaces ({@code service.}, {@code
   * deployment.}, {@code host.}, {@code k8s.}, {@code cloud.}, …) are listed as resource
   * attributes, the others as span attributes. Source: Tempo's HTTP API documentation.
   */
  @Get("/api/v2/search/tags")
  @Blocking
  public HttpResponse tagsV2(RequestHeaders headers, QueryParams params) {
    return answer(
        () -> {
          String tenant = tenants.tenant(headers);
          Optional<String> scope = first(params, "scope").filter(x -> !x.isBlank());
          if (scope.isPresent()
              && !List.of(
                      "span", "resource", "intrinsic", "none", "event", "link", "instrumentation")
                  .contains(scope.get())) {
            throw new BadParameter(
                "scope must be span, resource, intrinsic, event, link, instrumentation or none,"
                    + " was '"
                    + scope.get()
                    + "'");
          }
          List<String> keys = search.attributeKeys(tenant, tagRange(params));
          TreeSet<String> span = new TreeSet<>();
          TreeSet<String> resource = new TreeSet<>(List.of("service.name"));
          for (String k : keys) {
            (isResourceKey(k) ? resource : span).add(k);
          }
          Map<String, List<String>> scopes = new LinkedHashMap<>();
          scopes.put("span", new ArrayList<>(span));
          scopes.put("resource", new ArrayList<>(resource));
          scopes.put("intrinsic", INTRINSIC_TAGS);
          ObjectNode body = JSON.createObjectNode();
          ArrayNode out = body.putArray("scopes");
          for (Map.Entry<String, List<String>> e : scopes.entrySet()) {
            if (scope.isEmpty() || scope.get().equals("none") || scope.get().equals(e.getKey())) {
              ObjectNode s = out.addObject();
              s.put("name", e.getKey());
              ArrayNode tags = s.putArray("tags");
              e.getValue().forEach(tags::add);
            }
          }
          return json(HttpStatus.OK, body);
        });
  }

  /** The intrinsics TraceQL offers, as Tempo lists them. */
  static final List<String> INTRINSIC_TAGS =
      List.of(
          "duration",
          "event:name",
          "event:timeSinceStart",
          "instrumentation:name",
          "instrumentation:version",
          "kind",
          "link:spanID",
          "link:traceID",
          "name",
          "rootName",
          "rootServiceName",
          "span:childCount",
          "span:duration",
          "span:id",
          "span:kind",
          "span:name",
          "span:parentID",
          "span:status",
          "span:statusMessage",
          "status",
          "statusMessage",
          "trace:duration",
          "trace:id",
          "trace:rootName",
          "trace:rootService",
          "traceDuration");

  static boolean isResourceKey(String key) {
    for (String ns : RESOURCE_NAMESPACES) {
      if (key.startsWith(ns)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Tempo's v2 tag values: {@code {"tagValues": [{"type": "string"|"int"|"float"|"bool"|"keyword",
   * "value"}]}} for a scoped tag ({@code resource.service.name}, {@code span.http.method}, {@code
   * .key}) or an intrinsic ({@code name}, {@code status}, {@code kind}). Values are stored in their
   * string form; the type is read back from it. The {@code q} filter Grafana sends for
   * autocompletion is accepted and not applied: every value of the tag is offered.
   */
  @Get("/api/v2/search/tag/{tag}/values")
  @Blocking
  public HttpResponse tagValuesV2(
      RequestHeaders headers, @Param("tag") String tag, QueryParams params) {
    return answer(
        () -> {
          String tenant = tenants.tenant(headers);
          Optional<TimeRange> range = tagRange(params);
          ObjectNode body = JSON.createObjectNode();
          ArrayNode out = body.putArray("tagValues");
          String key = attributeKey(tagName(tag));
          switch (key) {
            case "status", "span:status" -> STATUSES.forEach(v -> typed(out, "keyword", v));
            case "kind", "span:kind" ->
                List.of("unspecified", "internal", "server", "client", "producer", "consumer")
                    .forEach(v -> typed(out, "keyword", v));
            case "name", "span:name" ->
                search.spanNames(tenant).forEach(v -> typed(out, "string", v));
            case "rootServiceName", "trace:rootService", "service.name" ->
                search.services(tenant).forEach(v -> typed(out, "string", v));
            default -> {
              for (String v : search.attributeValues(tenant, key, range)) {
                typed(out, typeOf(v), v);
              }
            }
          }
          return json(HttpStatus.OK, body);
        });
  }

  private static final Pattern ESCAPED = Pattern.compile("%[0-9A-Fa-f]{2}");

  /**
   * The tag of a tag-values path. Grafana's data source escapes the tag twice (language_provider.ts
   * {@code encodeTag}), so a tag with a character that needs escaping ({@code /}, a space) may
   * still be escaped once after the path's own decoding: it is decoded once more. An attribute key
   * holding a literal {@code %} and two hex digits would be misread.
   */
  static String tagName(String tag) {
    if (!ESCAPED.matcher(tag).find()) {
      return tag;
    }
    try {
      return URLDecoder.decode(tag.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return tag;
    }
  }

  /** The attribute key of a scoped tag ({@code span.x} → {@code x}); intrinsics as they are. */
  static String attributeKey(String tag) {
    for (String scope : List.of("span.", "resource.", "event.", "link.", "instrumentation.")) {
      if (tag.startsWith(scope)) {
        return tag.substring(scope.length());
      }
    }
    return tag.startsWith(".") ? tag.substring(1) : tag;
  }

  private static void typed(ArrayNode out, String type, String value) {
    ObjectNode v = out.addObject();
    v.put("type", type);
    v.put("value", value);
  }

  /** The TraceQL type of a value in its string form. */
  static String typeOf(String value) {
    if (value.equals("true") || value.equals("false")) {
      return "bool";
    }
    try {
      Long.parseLong(value);
      return "int";
    } catch (NumberFormatException e) {
      // not an integer
    }
    try {
      if (value.matches("-?[0-9]+\\.[0-9]+(E-?[0-9]+)?")) {
        Double.parseDouble(value);
        return "float";
      }
    } catch (NumberFormatException e) {
      // not a float
    }
    return "string";
  }

  /** {@code start}/{@code end} (epoch seconds) of a tag request, when given. */
  private static Optional<TimeRange> tagRange(QueryParams params) {
    Optional<Instant> start = epochSeconds(params, "start");
    Optional<Instant> end = epochSeconds(params, "end");
    if (start.isEmpty() && end.isEmpty()) {
      return Optional.empty();
    }
    Instant to = end.orElse(Instant.ofEpochSecond(32_503_680_000L));
    Instant from = start.orElse(Instant.EPOCH);
    if (from.isAfter(to)) {
      throw new BadParameter("start must not be after end");
    }
    return Optional.of(new TimeRange(nanos(from), nanos(to)));
  }

  /** The search of {@code /api/search}; without {@code start}/{@code end}, the last hour. */
  static SummaryQuery query(QueryParams params, Instant now) {
    Instant end = epochSeconds(params, "end").orElse(now);
    Instant start = epochSeconds(params, "start").orElse(end.minus(Duration.ofHours(1)));
    if (start.isAfter(end)) {
      throw new BadParameter("start must not be after end");
    }
    Map<String, String> tags = Logfmt.parse(first(params, "tags").orElse(""));
    Optional<String> service = Optional.ofNullable(tags.remove("service.name"));
    Optional<String> name = Optional.ofNullable(tags.remove("name"));
    Optional<String> status = Optional.ofNullable(tags.remove("status")).map(TempoApi::spanStatus);
    Optional<Long> min = duration(params, "minDuration");
    Optional<Long> max = duration(params, "maxDuration");
    if (min.isPresent() && max.isPresent() && min.get() > max.get()) {
      throw new BadParameter("minDuration must not be above maxDuration");
    }
    int limit = count(params, 20, MAX_LIMIT, "limit");
    return new SummaryQuery(
        service,
        name,
        Optional.empty(),
        min,
        max,
        new LinkedHashMap<>(tags),
        status,
        nanos(start),
        nanos(end),
        limit);
  }

  /** How a found trace is answered, given it and its spans as OTLP {@code TracesData} bytes. */
  @FunctionalInterface
  private interface TraceAnswer {
    HttpResponse answer(FoundTrace found, byte[] tracesData) throws IOException;
  }

  /** Trace by ID for both API versions: 404 when neither store has it. */
  private HttpResponse traceAnswer(
      RequestHeaders headers, String traceId, QueryParams params, TraceAnswer answer) {
    return answer(
        () -> {
          String tenant = tenants.tenant(headers);
          TraceId id = traceId(traceId);
          FoundTrace found =
              lookup.find(
                  tenant,
                  id,
                  epochSeconds(params, "start"),
                  epochSeconds(params, "end"),
                  "start",
                  "end");
          return answer.answer(found, OtlpProtoCodec.encode(found.spans()));
        });
  }

  private static boolean wantsProtobuf(RequestHeaders headers) {
    String accept = headers.get(HttpHeaderNames.ACCEPT);
    return accept != null && accept.toLowerCase(Locale.ROOT).contains("application/protobuf");
  }

  private static JsonNode otlpJson(byte[] tracesData) throws IOException {
    return JSON.readTree(OtlpJsonCodec.fromProtobuf(tracesData));
  }

  private static String spanStatus(String status) {
    return switch (status.toLowerCase(Locale.ROOT)) {
      case "error" -> "ERROR";
      case "ok" -> "OK";
      case "unset" -> "UNSET";
      default -> throw new BadParameter("status must be error, ok or unset, was '" + status + "'");
    };
  }

  private static Optional<Long> duration(QueryParams params, String name) {
    Optional<String> text = first(params, name).filter(t -> !t.isBlank());
    if (text.isEmpty()) {
      return Optional.empty();
    }
    long nanos;
    try {
      nanos = GoDurations.parseNanos(text.get());
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new BadParameter(name + ": " + e.getMessage());
    }
    if (nanos < 0) {
      throw new BadParameter(name + " must not be negative");
    }
    return Optional.of(nanos);
  }

  private static Optional<Instant> epochSeconds(QueryParams params, String name) {
    Optional<String> text = first(params, name).filter(t -> !t.isBlank());
    if (text.isEmpty()) {
      return Optional.empty();
    }
    long seconds;
    try {
      seconds = Long.parseLong(text.get());
    } catch (NumberFormatException e) {
      throw new BadParameter(name + " must be Unix epoch seconds, was '" + text.get() + "'");
    }
    if (seconds < 0 || seconds > 32_503_680_000L) {
      throw new BadParameter(name + " must be Unix epoch seconds before the year 3000");
    }
    return Optional.of(Instant.ofEpochSecond(seconds));
  }
}
