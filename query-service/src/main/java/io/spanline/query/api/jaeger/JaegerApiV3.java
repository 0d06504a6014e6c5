package io.spanline.query.api.jaeger;

import static io.spanline.query.api.Params.count;
import static io.spanline.query.api.Params.first;
import static io.spanline.query.api.Params.nanos;
import static io.spanline.query.api.Params.time;
import static io.spanline.query.api.Params.traceId;
import static io.spanline.query.api.Responses.JSON;
import static io.spanline.query.api.Responses.answer;
import static io.spanline.query.api.Responses.json;
import static io.spanline.query.api.Responses.list;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import com.linecorp.armeria.server.annotation.Blocking;
import com.linecorp.armeria.server.annotation.Get;
import com.linecorp.armeria.server.annotation.Param;
import io.spanline.query.api.GoDurations;
import io.spanline.query.api.Responses.BadParameter;
import io.spanline.query.api.TraceLookup;
import io.spanline.query.api.TraceQuerySearch;
import io.spanline.query.tenancy.RequestTenants;
import io.spanline.query.trace.ClockSkew;
import io.spanline.schemas.codec.otlp.OtlpJsonCodec;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.TraceId;
import io.spanline.storage.FoundTrace;
import io.spanline.storage.Operation;
import io.spanline.storage.TraceQuery;
import io.spanline.storage.TraceSearch;
import java.io.IOException;
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

/**
 * Jaeger's api_v3 over HTTP/JSON, as Jaeger v2's HTTP gateway serves it (jaeger-idl {@code api_v3}
 * OpenAPI; Jaeger's {@code apiv3/http_gateway.go}): traces come back as {@code {"result": <OTLP
 * TracesData JSON>}}, errors as {@code {"error": {"httpCode": …, "message": …}}} — a malformed
 * parameter is a 400 naming it, an unknown trace a 404, a store failure a 503 that does not leak
 * the store's own error text. Query parameters are read in lowerCamelCase ({@code
 * query.serviceName}) and in the snake_case aliases ({@code query.service_name}).
 */
public final class JaegerApiV3 {
  /** Response header set to {@code true} when a returned trace was cut at the span limit. */
  public static final String TRUNCATED_HEADER = "Spanline-Trace-Truncated";

  /**
   * Response header of a search set to {@code true} when the archive's part of it stopped at a
   * bound or skipped unreadable files (Jaeger's schema has no field for it).
   */
  public static final String PARTIAL_HEADER = "Spanline-Search-Partial";

  private static final int MAX_SEARCH_DEPTH = 1000;

  private final TraceLookup lookup;
  private final TraceSearch search;
  private final TraceQuerySearch traceSearch;
  private final RequestTenants tenants;
  private final Clock clock;

  private final Duration maxClockSkew;

  /**
   * @param lookup trace by ID (the hot store, then the archive)
   * @param search searches and lists (the hot store)
   * @param maxClockSkew the largest clock-skew correction applied to a span ({@link ClockSkew})
   */
  public JaegerApiV3(
      TraceLookup lookup,
      TraceSearch search,
      RequestTenants tenants,
      Clock clock,
      Duration maxClockSkew) {
    this(
        lookup,
        search,
        new TraceQuerySearch(
            search, Optional.empty(), Optional.empty(), Duration.ZERO, Duration.ZERO, clock),
        tenants,
        clock,
        maxClockSkew);
  }

  /**
   * @param traceSearch the search of {@code /api/v3/traces}: the hot store and, past its retention,
   *     the archive
   */
  public JaegerApiV3(
      TraceLookup lookup,
      TraceSearch search,
      TraceQuerySearch traceSearch,
      RequestTenants tenants,
      Clock clock,
      Duration maxClockSkew) {
    this.lookup = lookup;
    this.search = search;
    this.traceSearch = traceSearch;
    this.tenants = tenants;
    this.clock = clock;
    this.maxClockSkew = maxClockSkew;
  }

  @Get("/api/v3/traces/{trace_id}")
  @Blocking
  public HttpResponse getTrace(
      RequestHeaders headers, @Param("trace_id") String traceId, QueryParams params) {
    return answer(
        () -> {
          String tenant = tenants.tenant(headers);
          TraceId id = traceId(traceId);
          FoundTrace found =
              lookup.find(
                  tenant,
                  id,
                  time(params, "startTime", "start_time"),
                  time(params, "endTime", "end_time"),
                  "startTime",
                  "endTime");
          // as Jaeger's api_v3: adjusted unless raw_traces=true
          boolean raw = "true".equals(params.get("raw_traces"));
          List<Span> spans =
              raw ? found.spans() : ClockSkew.adjust(found.spans(), maxClockSkew).spans();
          return result(spans, found.truncated(), false);
        });
  }

  @Get("/api/v3/traces")
  @Blocking
  public HttpResponse findTraces(RequestHeaders headers, QueryParams params) {
    return answer(
        () -> {
          String tenant = tenants.tenant(headers);
          TraceQuery query = query(params);
          List<Span> spans = new ArrayList<>();
          boolean truncated = false;
          TraceQuerySearch.Answer answer = traceSearch.find(tenant, query);
          for (FoundTrace found : answer.traces()) {
            spans.addAll(found.spans());
            truncated |= found.truncated();
          }
          return result(spans, truncated, answer.partial());
        });
  }

  @Get("/api/v3/services")
  @Blocking
  public HttpResponse services(RequestHeaders headers) {
    return answer(() -> list("services", search.services(tenants.tenant(headers))));
  }

  @Get("/api/v3/operations")
  @Blocking
  public HttpResponse operations(RequestHeaders headers, QueryParams params) {
    return answer(
        () -> {
          String service = first(params, "service").orElse("");
          if (service.isEmpty()) {
            throw new BadParameter("service is required");
          }
          String kind = first(params, "spanKind", "span_kind").orElse("");
          Optional<String> storedKind =
              kind.isEmpty() ? Optional.empty() : Optional.of(spanKind(kind));
          ObjectNode body = JSON.createObjectNode();
          ArrayNode operations = body.putArray("operations");
          for (Operation op : search.operations(tenants.tenant(headers), service, storedKind)) {
            operations
                .addObject()
                .put("name", op.name())
                .put("spanKind", op.kind().toLowerCase(Locale.ROOT));
          }
          return json(HttpStatus.OK, body);
        });
  }

  /** The search of {@code GET /api/v3/traces} from its query parameters. */
  static TraceQuery query(QueryParams params) {
    String service =
        first(params, "query.serviceName", "query.service_name")
            .orElseThrow(() -> new BadParameter("query.serviceName is required"));
    Instant min =
        time(params, "query.startTimeMin", "query.start_time_min")
            .orElseThrow(() -> new BadParameter("query.startTimeMin is required"));
    Instant max =
        time(params, "query.startTimeMax", "query.start_time_max")
            .orElseThrow(() -> new BadParameter("query.startTimeMax is required"));
    if (!min.isBefore(max)) {
      throw new BadParameter("query.startTimeMin must be before query.startTimeMax");
    }
    Optional<Long> durationMin = duration(params, "query.durationMin", "query.duration_min");
    Optional<Long> durationMax = duration(params, "query.durationMax", "query.duration_max");
    if (durationMin.isPresent()
        && durationMax.isPresent()
        && durationMin.get() > durationMax.get()) {
      throw new BadParameter("query.durationMin must not be above query.durationMax");
    }
    int depth = count(params, 20, MAX_SEARCH_DEPTH, "query.searchDepth", "query.search_depth");
    return new TraceQuery(
        service,
        first(params, "query.operationName", "query.operation_name").filter(s -> !s.isEmpty()),
        attributes(params),
        Optional.empty(),
        nanos(min),
        nanos(max),
        durationMin,
        durationMax,
        depth);
  }

  private static Map<String, String> attributes(QueryParams params) {
    Optional<String> text = first(params, "query.attributes");
    Map<String, String> out = new LinkedHashMap<>();
    if (text.isEmpty() || text.get().isBlank()) {
      return out;
    }
    JsonNode node;
    try {
      node = JSON.readTree(text.get());
    } catch (IOException e) {
      throw new BadParameter("query.attributes must be a JSON object of string values");
    }
    if (node == null || !node.isObject()) {
      throw new BadParameter("query.attributes must be a JSON object of string values");
    }
    for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) node::fields) {
      if (!e.getValue().isTextual()) {
        throw new BadParameter("query.attributes value of '" + e.getKey() + "' must be a string");
      }
      out.put(e.getKey(), e.getValue().asText());
    }
    return out;
  }

  private static Optional<Long> duration(QueryParams params, String... names) {
    Optional<String> text = first(params, names);
    if (text.isEmpty() || text.get().isBlank()) {
      return Optional.empty();
    }
    long nanos;
    try {
      nanos = GoDurations.parseNanos(text.get());
    } catch (IllegalArgumentException e) {
      throw new BadParameter(names[0] + ": " + e.getMessage());
    }
    if (nanos < 0) {
      throw new BadParameter(names[0] + " must not be negative");
    }
    return Optional.of(nanos);
  }

  private static String spanKind(String kind) {
    String upper = kind.toUpperCase(Locale.ROOT).replace("SPAN_KIND_", "");
    return switch (upper) {
      case "UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER" -> upper;
      default ->
          throw new BadParameter(
              "spanKind must be one of server, client, producer, consumer, internal, unspecified");
    };
  }

  /**
   * {@code {"result": TracesData}}; when a trace was cut at {@code trace.max-spans}, the header
   * {@value #TRUNCATED_HEADER}{@code : true} says so (Jaeger's schema has no field for it).
   */
  private static HttpResponse result(List<Span> spans, boolean truncated, boolean partial) {
    byte[] traces = OtlpJsonCodec.encode(spans);
    byte[] prefix = "{\"result\":".getBytes(StandardCharsets.UTF_8);
    byte[] body = new byte[prefix.length + traces.length + 1];
    System.arraycopy(prefix, 0, body, 0, prefix.length);
    System.arraycopy(traces, 0, body, prefix.length, traces.length);
    body[body.length - 1] = '}';
    ResponseHeadersBuilder headers =
        ResponseHeaders.builder(HttpStatus.OK).contentType(MediaType.JSON_UTF_8);
    if (truncated) {
      headers.add(TRUNCATED_HEADER, "true");
    }
    if (partial) {
      headers.add(PARTIAL_HEADER, "true");
    }
    return HttpResponse.of(headers.build(), HttpData.wrap(body));
  }
}
