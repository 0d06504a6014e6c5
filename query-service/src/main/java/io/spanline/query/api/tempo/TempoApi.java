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
import io.spanline.query.api.Responses.BadParameter;
import io.spanline.query.api.TraceLookup;
import io.spanline.query.tenancy.RequestTenants;
import io.spanline.schemas.codec.otlp.OtlpJsonCodec;
import io.spanline.schemas.codec.otlp.OtlpProtoCodec;
import io.spanline.schemas.codec.tempo.TempoProtobuf;
import io.spanline.schemas.model.TraceId;
import io.spanline.storage.FoundSummary;
import io.spanline.storage.FoundTrace;
import io.spanline.storage.SummaryQuery;
import io.spanline.storage.TraceSearch;
import java.io.IOException;
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

/**
 * The subset of Grafana Tempo's HTTP API that Grafana's Tempo data source uses without TraceQL:
 * {@code /api/echo}, trace by ID ({@code /api/traces/{id}}, {@code /api/v2/traces/{id}}; OTLP/JSON,
 * or protobuf when {@code Accept: application/protobuf}), the tag search {@code /api/search}
 * ({@code tags} in logfmt, {@code minDuration}/{@code maxDuration} as Go durations on the whole
 * trace, {@code limit}, {@code start}/{@code end} in epoch seconds), {@code /api/search/tags} and
 * {@code /api/search/tag/{tag}/values}. Tenants as everywhere: API key or {@code X-Scope-OrgID}.
 *
 * <p>Tag keys {@code service.name}, {@code name} (span name) and {@code status} ({@code error},
 * {@code ok}, {@code unset}) are the span's own fields; any other key matches an attribute's string
 * form on the span, its events, links, resource or scope. All tags must hold on one span. Source:
 * Tempo's HTTP API documentation (grafana.com/docs/tempo/latest/api_docs).
 */
public final class TempoApi {
  /** Tempo's protobuf media type for trace by ID. */
  static final MediaType PROTOBUF = MediaType.parse("application/protobuf");

  private static final int MAX_LIMIT = 1000;
  private static final List<String> STATUSES = List.of("error", "ok", "unset");

  private final TraceLookup lookup;
  private final TraceSearch search;
  private final RequestTenants tenants;
  private final Clock clock;

  /**
   * @param lookup trace by ID (the hot store, then the archive)
   * @param search searches and lists (the hot store)
   */
  public TempoApi(TraceLookup lookup, TraceSearch search, RequestTenants tenants, Clock clock) {
    this.lookup = lookup;
    this.search = search;
    this.tenants = tenants;
    this.clock = clock;
  }

  @Get("/api/echo")
  public HttpResponse echo() {
    return HttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT_UTF_8, "echo");
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
    return answer(
        () -> {
          String tenant = tenants.tenant(headers);
          List<String> values =
              switch (tag) {
                case "service.name" -> search.services(tenant);
                case "name" -> search.spanNames(tenant);
                case "status" -> STATUSES;
                default -> search.attributeValues(tenant, tag, Optional.empty());
              };
          return list("tagValues", values);
        });
  }

  /** The search of {@code /api/search}; without {@code start}/{@code end}, the last hour. */
  static SummaryQuery query(QueryParams params, Instant now) {
    if (first(params, "q").filter(q -> !q.isBlank()).isPresent()) {
      throw new BadParameter("q: TraceQL is not supported; search with tags (logfmt) instead");
    }
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
