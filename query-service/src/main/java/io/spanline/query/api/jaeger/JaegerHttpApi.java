package io.spanline.query.api.jaeger;

import static io.spanline.query.api.Params.first;
import static io.spanline.query.api.Responses.JSON;
import static io.spanline.query.api.Responses.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.server.annotation.Blocking;
import com.linecorp.armeria.server.annotation.Get;
import com.linecorp.armeria.server.annotation.Param;
import io.spanline.query.api.GoDurations;
import io.spanline.query.api.Params;
import io.spanline.query.api.Responses;
import io.spanline.query.api.Responses.BadParameter;
import io.spanline.query.api.TraceLookup;
import io.spanline.query.tenancy.RequestTenants;
import io.spanline.query.tenancy.TenantQueryLimits;
import io.spanline.query.trace.ClockSkew;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.Resource;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanEvent;
import io.spanline.schemas.model.SpanId;
import io.spanline.schemas.model.TraceId;
import io.spanline.storage.Dependency;
import io.spanline.storage.FoundTrace;
import io.spanline.storage.Operation;
import io.spanline.storage.TimeRange;
import io.spanline.storage.TraceQuery;
import io.spanline.storage.TraceSearch;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Jaeger's HTTP API — the JSON API of jaeger-query that the Jaeger UI and Grafana's Jaeger data
 * source call (Jaeger's {@code cmd/query/app/http_handler.go} and {@code query_parser.go}) — under
 * the prefix {@value #PREFIX}, so that it does not collide with Tempo's {@code /api/traces/{id}}:
 * Grafana's Jaeger data source URL is {@code http://host:16686/jaeger}, and a Jaeger UI built with
 * the base path {@code /jaeger} calls the same paths.
 *
 * <table>
 *   <caption>Endpoints</caption>
 *   <tr><th>path</th><th>parameters</th><th>{@code data}</th></tr>
 *   <tr><td>{@code /jaeger/api/services}</td><td>—</td><td>service names, sorted</td></tr>
 *   <tr><td>{@code /jaeger/api/services/{service}/operations}</td><td>—</td>
 *       <td>operation names, sorted</td></tr>
 *   <tr><td>{@code /jaeger/api/operations}</td><td>{@code service} (required), {@code spanKind}</td>
 *       <td>{@code [{"name", "spanKind"}]}</td></tr>
 *   <tr><td>{@code /jaeger/api/traces}</td><td>{@code service} (required), {@code operation},
 *       {@code tags} (JSON object of strings; repeatable), {@code tag} ({@code key:value};
 *       repeatable), {@code start}, {@code end} (epoch microseconds; default the last 48 hours),
 *       {@code minDuration}, {@code maxDuration} (Go durations), {@code limit} (default 100, at
 *       most 1000); {@code lookback} is accepted and ignored, as Jaeger does; or {@code traceID}
 *       (repeatable) for traces by ID</td><td>traces</td></tr>
 *   <tr><td>{@code /jaeger/api/traces/{traceID}}</td><td>{@code start}, {@code end} (epoch
 *       microseconds: the range the archive is searched in), {@code raw}</td><td>one trace</td></tr>
 *   <tr><td>{@code /jaeger/api/dependencies}</td><td>{@code endTs} (epoch milliseconds, default
 *       now), {@code lookback} (milliseconds, default a day), {@code service}</td>
 *       <td>{@code [{"parent", "child", "callCount"}]}</td></tr>
 * </table>
 *
 * <p>Answers are Jaeger's envelope {@code {"data", "total", "limit": 0, "offset": 0, "errors"}}
 * ({@code total} is the list's length for services and operations and 0 otherwise, as Jaeger
 * answers); traces are in Jaeger's JSON model ({@link JaegerJsonModel}). Errors are {@code {"data":
 * null, …, "errors": [{"code", "msg"}]}} with that status: a malformed parameter is a 400 naming
 * it, an unknown trace a 404, a missing API key a 401, a store failure a 503 without the store's
 * own error text. Traces are clock-skew adjusted ({@link ClockSkew}, what was moved noted in the
 * span's {@code warnings}) and their attributes sorted by key, as jaeger-query's adjusters do,
 * unless trace by ID is asked with {@code raw=true}. A trace cut at {@code trace.max-spans} says so
 * in its {@code warnings}.
 */
public final class JaegerHttpApi {
  /** The path prefix of the API. */
  public static final String PREFIX = "/jaeger/api";

  /** Jaeger's default search range when the request names no start: 48 hours before the end. */
  static final Duration DEFAULT_SEARCH_LOOKBACK = Duration.ofHours(48);

  /** Jaeger's default dependencies lookback: a day. */
  static final Duration DEFAULT_DEPENDENCIES_LOOKBACK = Duration.ofHours(24);

  /** Jaeger's default number of traces of a search. */
  static final int DEFAULT_LIMIT = 100;

  static final int MAX_LIMIT = 1000;

  /** The message of a trace asked by ID in a search and not found (Jaeger's). */
  static final String TRACE_NOT_FOUND = "trace not found";

  private final TraceLookup lookup;
  private final TraceSearch search;
  private final RequestTenants tenants;
  private final Clock clock;
  private final Duration maxClockSkew;

  /**
   * @param lookup trace by ID (the hot store, then the archive)
   * @param search searches and lists (the hot store)
   * @param clock for the default time ranges
   * @param maxClockSkew the largest clock-skew correction applied to a span ({@link ClockSkew})
   */
  public JaegerHttpApi(
      TraceLookup lookup,
      TraceSearch search,
      RequestTenants tenants,
      Clock clock,
      Duration maxClockSkew) {
    this.lookup = Objects.requireNonNull(lookup, "lookup");
    this.search = Objects.requireNonNull(search, "search");
    this.tenants = Objects.requireNonNull(tenants, "tenants");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.maxClockSkew = Objects.requireNonNull(maxClockSkew, "maxClockSkew");
  }

  @Get(PREFIX + "/services")
  @Blocking
  public HttpResponse services(RequestHeaders headers) {
    return answer(
        () -> {
          List<String> services = search.services(tenants.tenant(headers));
          return ok(strings(services), services.size());
        });
  }

  @Get(PREFIX + "/services/{service}/operations")
  @Blocking
  public HttpResponse serviceOperations(RequestHeaders headers, @Param("service") String service) {
    return answer(
        () -> {
          Set<String> names = new LinkedHashSet<>();
          for (Operation op :
              search.operations(tenants.tenant(headers), service, Optional.empty())) {
            names.add(op.name());
          }
          return ok(strings(List.copyOf(names)), names.size());
        });
  }

  @Get(PREFIX + "/operations")
  @Blocking
  public HttpResponse operations(RequestHeaders headers, QueryParams params) {
    return answer(
        () -> {
          String service = first(params, "service").orElse("");
          if (service.isEmpty()) {
            throw new BadParameter("parameter 'service' is required");
          }
          Optional<String> kind = spanKind(first(params, "spanKind").orElse(""));
          List<Operation> operations = search.operations(tenants.tenant(headers), service, kind);
          ArrayNode data = JSON.createArrayNode();
          for (Operation op : operations) {
            data.addObject()
                .put("name", op.name())
                .put(
                    "spanKind",
                    "UNSPECIFIED".equals(op.kind()) ? "" : op.kind().toLowerCase(Locale.ROOT));
          }
          return ok(data, operations.size());
        });
  }

  @Get(PREFIX + "/traces/{traceID}")
  @Blocking
  public HttpResponse trace(
      RequestHeaders headers, @Param("traceID") String traceId, QueryParams params) {
    return answer(
        () -> {
          String tenant = tenants.tenant(headers);
          TraceId id = Params.traceId(traceId, "traceID");
          FoundTrace found =
              lookup.find(
                  tenant, id, micros(params, "start"), micros(params, "end"), "start", "end");
          ArrayNode data = JSON.createArrayNode();
          data.add(jaegerTrace(found, !isTrue(params.get("raw"))));
          return ok(data, 0);
        });
  }

  @Get(PREFIX + "/traces")
  @Blocking
  public HttpResponse traces(RequestHeaders headers, QueryParams params) {
    return answer(
        () -> {
          String tenant = tenants.tenant(headers);
          List<String> ids = params.getAll("traceID");
          if (!ids.isEmpty()) {
            return tracesById(tenant, ids, params);
          }
          TraceQuery query = query(params, clock.instant());
          ArrayNode data = JSON.createArrayNode();
          for (FoundTrace found :
              search.traces(tenant, search.findTraceIds(tenant, query)).values()) {
            data.add(jaegerTrace(found, true));
          }
          return ok(data, 0);
        });
  }

  @Get(PREFIX + "/dependencies")
  @Blocking
  public HttpResponse dependencies(RequestHeaders headers, QueryParams params) {
    return answer(
        () -> {
          long endMs = integer(params, "endTs").orElse(clock.millis());
          long lookbackMs =
              integer(params, "lookback").orElse(DEFAULT_DEPENDENCIES_LOOKBACK.toMillis());
          if (lookbackMs < 0) {
            throw new BadParameter("lookback must not be negative");
          }
          long endNanos = Math.multiplyExact(endMs, 1_000_000L);
          long startNanos =
              Math.subtractExact(endNanos, Math.multiplyExact(lookbackMs, 1_000_000L));
          String service = first(params, "service").orElse("");
          ArrayNode data = JSON.createArrayNode();
          for (Dependency d :
              search.dependencies(tenants.tenant(headers), new TimeRange(startNanos, endNanos))) {
            if (service.isEmpty() || d.parent().equals(service) || d.child().equals(service)) {
              data.add(JaegerJsonModel.dependency(d));
            }
          }
          return ok(data, 0);
        });
  }

  /**
   * Traces asked by ID in a search: those not found are listed in {@code errors}, as Jaeger does.
   */
  private HttpResponse tracesById(String tenant, List<String> ids, QueryParams params)
      throws IOException {
    List<TraceId> traceIds = new ArrayList<>();
    for (String id : ids) {
      traceIds.add(Params.traceId(id, "traceID"));
    }
    Optional<Instant> from = micros(params, "start");
    Optional<Instant> to = micros(params, "end");
    ArrayNode data = JSON.createArrayNode();
    ArrayNode errors = JSON.createArrayNode();
    for (TraceId id : traceIds) {
      try {
        data.add(jaegerTrace(lookup.find(tenant, id, from, to, "start", "end"), true));
      } catch (TraceLookup.TraceNotFound e) {
        errors.addObject().put("msg", TRACE_NOT_FOUND).put("traceID", JaegerJsonModel.traceId(id));
      }
    }
    ObjectNode body = envelope(data, 0);
    if (!errors.isEmpty()) {
      body.set("errors", errors);
    }
    return json(HttpStatus.OK, body);
  }

  /**
   * The search of {@code GET /jaeger/api/traces} from its query parameters, as Jaeger's {@code
   * queryParser} reads them.
   *
   * @param now the end of the range when the request names none
   * @throws BadParameter naming the parameter that is missing or malformed
   */
  static TraceQuery query(QueryParams params, Instant now) {
    String service = first(params, "service").orElse("");
    if (service.isEmpty()) {
      throw new BadParameter("parameter 'service' is required");
    }
    Instant end = micros(params, "end").orElse(now);
    Instant start = micros(params, "start").orElse(end.minus(DEFAULT_SEARCH_LOOKBACK));
    if (start.isAfter(end)) {
      throw new BadParameter("start must not be after end");
    }
    Optional<Long> minDuration = duration(params, "minDuration");
    Optional<Long> maxDuration = duration(params, "maxDuration");
    if (minDuration.isPresent()
        && maxDuration.isPresent()
        && maxDuration.get() < minDuration.get()) {
      throw new BadParameter("maxDuration must not be below minDuration");
    }
    return new TraceQuery(
        service,
        first(params, "operation").filter(s -> !s.isEmpty()),
        tags(params),
        Optional.empty(),
        Params.nanos(start),
        Params.nanos(end),
        minDuration,
        maxDuration,
        limit(params));
  }

  /** {@code tag=key:value} (repeatable) and {@code tags=<JSON object of strings>} (repeatable). */
  static Map<String, String> tags(QueryParams params) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String tag : params.getAll("tag")) {
      int colon = tag.indexOf(':');
      if (colon < 0) {
        throw new BadParameter("malformed 'tag' parameter, expecting key:value, was '" + tag + "'");
      }
      out.put(tag.substring(0, colon), tag.substring(colon + 1));
    }
    for (String json : params.getAll("tags")) {
      if (json.isBlank()) {
        continue;
      }
      JsonNode node;
      try {
        node = JSON.readTree(json);
      } catch (IOException e) {
        throw new BadParameter("malformed 'tags' parameter: not JSON; a JSON object of strings");
      }
      if (node == null || !node.isObject()) {
        throw new BadParameter("malformed 'tags' parameter: not a JSON object of strings");
      }
      for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) node::fields) {
        if (!e.getValue().isTextual()) {
          throw new BadParameter(
              "malformed 'tags' parameter: the value of '" + e.getKey() + "' is not a string");
        }
        out.put(e.getKey(), e.getValue().asText());
      }
    }
    return out;
  }

  private static int limit(QueryParams params) {
    Optional<Long> limit = integer(params, "limit");
    if (limit.isEmpty() || limit.get() == 0) {
      return TenantQueryLimits.capResults(DEFAULT_LIMIT);
    }
    if (limit.get() < 0 || limit.get() > MAX_LIMIT) {
      throw new BadParameter(
          "limit must be within 0.." + MAX_LIMIT + " (0: " + DEFAULT_LIMIT + ")");
    }
    return TenantQueryLimits.capResults(limit.get().intValue());
  }

  private static Optional<Long> duration(QueryParams params, String name) {
    Optional<String> text = first(params, name).filter(t -> !t.isBlank());
    if (text.isEmpty()) {
      return Optional.empty();
    }
    long nanos;
    try {
      nanos = GoDurations.parseNanos(text.get());
    } catch (IllegalArgumentException e) {
      throw new BadParameter(name + ": " + e.getMessage());
    }
    if (nanos < 0) {
      throw new BadParameter(name + " must not be negative");
    }
    return nanos == 0 ? Optional.empty() : Optional.of(nanos);
  }

  /** An integer parameter; absent or blank is empty. */
  private static Optional<Long> integer(QueryParams params, String name) {
    Optional<String> text = first(params, name).filter(t -> !t.isBlank());
    if (text.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Long.parseLong(text.get().strip()));
    } catch (NumberFormatException e) {
      throw new BadParameter(
          "unable to parse param '" + name + "': an integer, was '" + text.get() + "'");
    }
  }

  /** Epoch microseconds. */
  private static Optional<Instant> micros(QueryParams params, String name) {
    Optional<Long> micros = integer(params, name);
    if (micros.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          Instant.ofEpochSecond(
              Math.floorDiv(micros.get(), 1_000_000L),
              Math.floorMod(micros.get(), 1_000_000L) * 1000L));
    } catch (java.time.DateTimeException e) {
      throw new BadParameter(name + " is out of range, was " + micros.get());
    }
  }

  /** As Go's {@code strconv.ParseBool} reads true. */
  private static boolean isTrue(String text) {
    return text != null && Set.of("1", "t", "T", "true", "TRUE", "True").contains(text);
  }

  private static Optional<String> spanKind(String kind) {
    if (kind.isEmpty()) {
      return Optional.empty();
    }
    return switch (kind.toLowerCase(Locale.ROOT)) {
      case "server", "client", "producer", "consumer", "internal" ->
          Optional.of(kind.toUpperCase(Locale.ROOT));
      case "unspecified" -> Optional.of("UNSPECIFIED");
      default ->
          throw new BadParameter(
              "spanKind must be one of server, client, producer, consumer, internal, was '"
                  + kind
                  + "'");
    };
  }

  /**
   * A found trace in Jaeger's model; adjusted (clock skew, attributes sorted by key) unless raw.
   */
  private ObjectNode jaegerTrace(FoundTrace found, boolean adjust) {
    List<Span> spans = found.spans();
    Map<SpanId, List<String>> spanWarnings = new HashMap<>();
    if (adjust) {
      ClockSkew.Result adjusted = ClockSkew.adjust(spans, maxClockSkew);
      for (ClockSkew.Adjustment a : adjusted.adjustments()) {
        spanWarnings.computeIfAbsent(a.spanId(), k -> new ArrayList<>()).add(a.warning());
      }
      spans = adjusted.spans().stream().map(JaegerHttpApi::sortedAttributes).toList();
    }
    List<String> warnings =
        found.truncated()
            ? List.of(
                "trace truncated: only its first "
                    + spans.size()
                    + " spans by start time are returned (trace.max-spans)")
            : List.of();
    return JaegerJsonModel.trace(spans, warnings, spanWarnings);
  }

  /** Attributes of the span, its events and resource sorted by key, as Jaeger's adjuster does. */
  static Span sortedAttributes(Span span) {
    List<SpanEvent> events = new ArrayList<>();
    for (SpanEvent e : span.events()) {
      events.add(
          new SpanEvent(
              e.epochNanos(), e.name(), sorted(e.attributes()), e.droppedAttributesCount()));
    }
    Resource r = span.resource();
    return span.toBuilder()
        .attributes(sorted(span.attributes()))
        .events(events)
        .resource(new Resource(sorted(r.attributes()), r.droppedAttributesCount(), r.schemaUrl()))
        .build();
  }

  private static List<Attribute> sorted(List<Attribute> attributes) {
    List<Attribute> out = new ArrayList<>(attributes);
    out.sort(Comparator.comparing(Attribute::key));
    return out;
  }

  private static ArrayNode strings(List<String> values) {
    ArrayNode out = JSON.createArrayNode();
    values.forEach(out::add);
    return out;
  }

  private static ObjectNode envelope(JsonNode data, int total) {
    ObjectNode body = JSON.createObjectNode();
    body.set("data", data);
    body.put("total", total);
    body.put("limit", 0);
    body.put("offset", 0);
    body.putNull("errors");
    return body;
  }

  private static HttpResponse ok(JsonNode data, int total) {
    return json(HttpStatus.OK, envelope(data, total));
  }

  /** Jaeger's error answer: {@code {"data": null, …, "errors": [{"code", "msg"}]}}. */
  static HttpResponse error(HttpStatus status, String message) {
    ObjectNode body = envelope(JSON.nullNode(), 0);
    body.putArray("errors").addObject().put("code", status.code()).put("msg", message);
    return json(status, body);
  }

  private static HttpResponse answer(Responses.Answer answer) {
    return Responses.answer(answer, JaegerHttpApi::error);
  }
}
