package io.spanline.query.api.v1;

import static io.spanline.query.api.Params.count;
import static io.spanline.query.api.Params.first;
import static io.spanline.query.api.Params.nanos;
import static io.spanline.query.api.Params.spanId;
import static io.spanline.query.api.Params.time;
import static io.spanline.query.api.Params.traceId;
import static io.spanline.query.api.Responses.JSON;
import static io.spanline.query.api.Responses.answer;
import static io.spanline.query.api.Responses.error;
import static io.spanline.query.api.Responses.json;
import static io.spanline.query.api.Responses.list;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.server.annotation.Blocking;
import com.linecorp.armeria.server.annotation.Get;
import com.linecorp.armeria.server.annotation.Param;
import io.spanline.query.api.Responses.BadParameter;
import io.spanline.query.api.SummarySearch;
import io.spanline.query.api.TraceLookup;
import io.spanline.query.tenancy.RequestTenants;
import io.spanline.query.trace.ClockSkew;
import io.spanline.query.trace.CriticalPath;
import io.spanline.schemas.codec.otlp.OtlpJsonCodec;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.TraceId;
import io.spanline.storage.AttributeComparison;
import io.spanline.storage.AttributeDifference;
import io.spanline.storage.Dependency;
import io.spanline.storage.FoundSummary;
import io.spanline.storage.FoundTrace;
import io.spanline.storage.LinkTarget;
import io.spanline.storage.Operation;
import io.spanline.storage.SummaryQuery;
import io.spanline.storage.TimeRange;
import io.spanline.storage.TraceSearch;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Spanline's own API ({@code /v1}, described by {@code /openapi.json}): trace by ID, trace search
 * returning summaries where duration and error conditions apply to the whole trace (and which can
 * find the traces linking to a trace or span), services, operations, the service dependency graph,
 * attribute keys and values, and "what is different" between a selection of traces and the rest
 * ({@code /v1/insights/compare}). Times in responses are epoch nanoseconds; traces are OTLP/JSON.
 */
public final class NativeApi {
  private static final int MAX_LIMIT = 1000;
  private static final int MAX_TOP = 200;
  private static final byte[] OPENAPI = load();

  private final TraceLookup lookup;
  private final TraceSearch search;
  private final SummarySearch summaries;
  private final RequestTenants tenants;
  private final Clock clock;
  private final Duration maxClockSkew;

  /**
   * @param lookup trace by ID (the hot store, then the archive)
   * @param search searches and lists (the hot store)
   * @param maxClockSkew the largest clock-skew correction applied to a span ({@link ClockSkew})
   */
  public NativeApi(
      TraceLookup lookup,
      TraceSearch search,
      RequestTenants tenants,
      Clock clock,
      Duration maxClockSkew) {
    this(
        lookup,
        search,
        new SummarySearch(search, Optional.empty(), Duration.ZERO, Duration.ZERO, clock),
        tenants,
        clock,
        maxClockSkew);
  }

  /**
   * @param summaries the trace search ({@code /v1/traces/search}): the hot store and, past its
   *     retention, the archive
   */
  public NativeApi(
      TraceLookup lookup,
      TraceSearch search,
      SummarySearch summaries,
      RequestTenants tenants,
      Clock clock,
      Duration maxClockSkew) {
    this.lookup = lookup;
    this.search = search;
    this.summaries = summaries;
    this.tenants = tenants;
    this.clock = clock;
    this.maxClockSkew = maxClockSkew;
  }

  @Get("/openapi.json")
  public HttpResponse openApi() {
    return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, OPENAPI);
  }

  @Get("/v1/traces/{traceId}")
  @Blocking
  public HttpResponse trace(
      RequestHeaders headers, @Param("traceId") String traceId, QueryParams params) {
    return answer(
        () -> {
          String tenant = tenants.tenant(headers);
          TraceId id = traceId(traceId);
          FoundTrace found =
              lookup.find(tenant, id, time(params, "from"), time(params, "to"), "from", "to");
          boolean adjust = !"false".equals(params.get("adjustClockSkew"));
          List<Span> spans = found.spans();
          ObjectNode head = JSON.createObjectNode();
          head.put("traceId", id.toHex());
          head.put("spanCount", spans.size());
          head.put("truncated", found.truncated());
          head.put("source", found.source());
          head.put("clockSkewAdjusted", adjust);
          ArrayNode adjustments = head.putArray("clockSkewAdjustments");
          if (adjust) {
            ClockSkew.Result adjusted = ClockSkew.adjust(spans, maxClockSkew);
            spans = adjusted.spans();
            for (ClockSkew.Adjustment a : adjusted.adjustments()) {
              adjustments
                  .addObject()
                  .put("spanId", a.spanId().toHex())
                  .put("deltaNanos", a.deltaNanos())
                  .put("warning", a.warning());
            }
          }
          ArrayNode path = head.putArray("criticalPath");
          for (CriticalPath.Section section : CriticalPath.of(spans)) {
            path.addObject()
                .put("spanId", section.spanId().toHex())
                .put("startTimeUnixNano", section.startEpochNanos())
                .put("endTimeUnixNano", section.endEpochNanos());
          }
          // The OTLP/JSON goes in as written, not parsed again into a tree.
          byte[] fields = JSON.writeValueAsBytes(head);
          byte[] trace = OtlpJsonCodec.encode(spans);
          ByteArrayOutputStream body = new ByteArrayOutputStream(fields.length + trace.length + 16);
          body.write(fields, 0, fields.length - 1);
          body.write(",\"trace\":".getBytes(StandardCharsets.US_ASCII));
          body.write(trace);
          body.write('}');
          return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, body.toByteArray());
        });
  }

  @Get("/v1/traces/search")
  @Blocking
  public HttpResponse search(RequestHeaders headers, QueryParams params) {
    return answer(
        () -> {
          SummaryQuery query = query(params, clock.instant());
          SummarySearch.Source source =
              SummarySearch.Source.parse(first(params, "source"), "source");
          SummarySearch.Answer answer = summaries.find(tenants.tenant(headers), query, source);
          ObjectNode body = JSON.createObjectNode();
          body.put("partial", answer.partial());
          answer.partialReason().ifPresent(r -> body.put("partialReason", r));
          ArrayNode out = body.putArray("traces");
          for (SummarySearch.Found found : answer.traces()) {
            FoundSummary s = found.summary();
            ObjectNode t = out.addObject();
            t.put("source", found.source());
            t.put("traceId", s.traceId().toHex());
            t.put("rootService", s.rootServiceName());
            t.put("rootOperation", s.rootSpanName());
            t.put("startTimeUnixNano", s.startEpochNanos());
            t.put("durationNanos", s.durationNanos());
            t.put("spanCount", s.spanCount());
            t.put("error", s.error());
            t.put("debug", s.debug());
            ArrayNode services = t.putArray("services");
            s.services().forEach(services::add);
          }
          return json(HttpStatus.OK, body);
        });
  }

  /**
   * "What is different": attribute values over-represented in a selection of the traces a search
   * finds (failed, or within a duration range) against the rest of them.
   */
  @Get("/v1/insights/compare")
  @Blocking
  public HttpResponse compare(RequestHeaders headers, QueryParams params) {
    return answer(
        () -> {
          Comparison c = comparison(params, clock.instant());
          AttributeComparison result =
              search.compareAttributes(
                  tenants.tenant(headers), c.selection(), c.baseline(), c.top());
          ObjectNode body = JSON.createObjectNode();
          body.putObject("selection").put("traces", result.selectionTraces());
          body.putObject("baseline").put("traces", result.baselineTraces());
          ArrayNode out = body.putArray("differences");
          for (AttributeDifference d : result.differences()) {
            out.addObject()
                .put("key", d.key())
                .put("value", d.value())
                .put("selectionTraces", d.selectionTraces())
                .put("baselineTraces", d.baselineTraces())
                .put("selectionShare", d.selectionShare())
                .put("baselineShare", d.baselineShare())
                .put("score", d.score());
          }
          return json(HttpStatus.OK, body);
        });
  }

  /** The two sides of {@code /v1/insights/compare} and how many differences to return. */
  record Comparison(SummaryQuery selection, SummaryQuery baseline, int top) {}

  /**
   * The baseline is the search of {@code /v1/traces/search} (the same parameters; {@code limit}
   * traces, default and at most 1 000); the selection is those of its traces that also meet {@code
   * select.status} ({@code error}/{@code ok}), {@code select.minDurationMs} and {@code
   * select.maxDurationMs}, at least one of them given. {@code top}: differences returned (default
   * 20, at most 200).
   */
  static Comparison comparison(QueryParams params, Instant now) {
    SummaryQuery base = query(params, now, MAX_LIMIT);
    Optional<Boolean> error = status(params, "select.status");
    Optional<Long> min = millis(params, "select.minDurationMs");
    Optional<Long> max = millis(params, "select.maxDurationMs");
    if (error.isEmpty() && min.isEmpty() && max.isEmpty()) {
      throw new BadParameter(
          "a selection is needed: select.status, select.minDurationMs or select.maxDurationMs");
    }
    if (min.isPresent() && max.isPresent() && min.get() > max.get()) {
      throw new BadParameter("select.minDurationMs must not be above select.maxDurationMs");
    }
    if (base.error().isPresent() && error.isPresent() && !base.error().equals(error)) {
      throw new BadParameter("select.status contradicts status: the selection would be empty");
    }
    SummaryQuery selection =
        new SummaryQuery(
            base.service(),
            base.operation(),
            error.isPresent() ? error : base.error(),
            min.isPresent()
                ? min.map(m -> Math.max(m, base.minDurationNanos().orElse(0L)))
                : base.minDurationNanos(),
            max.isPresent()
                ? max.map(m -> Math.min(m, base.maxDurationNanos().orElse(Long.MAX_VALUE)))
                : base.maxDurationNanos(),
            base.attributes(),
            base.spanStatus(),
            base.linkedTo(),
            base.fromEpochNanos(),
            base.toEpochNanos(),
            base.limit());
    return new Comparison(selection, base, count(params, 20, MAX_TOP, "top"));
  }

  @Get("/v1/services")
  @Blocking
  public HttpResponse services(RequestHeaders headers) {
    return answer(() -> list("services", search.services(tenants.tenant(headers))));
  }

  @Get("/v1/services/{service}/operations")
  @Blocking
  public HttpResponse operations(RequestHeaders headers, @Param("service") String service) {
    return answer(
        () ->
            list(
                "operations",
                search.operations(tenants.tenant(headers), service, Optional.empty()).stream()
                    .map(Operation::name)
                    .distinct()
                    .toList()));
  }

  @Get("/v1/dependencies")
  @Blocking
  public HttpResponse dependencies(RequestHeaders headers, QueryParams params) {
    return answer(
        () -> {
          TimeRange range = range(params, clock.instant(), Duration.ofHours(1));
          ObjectNode body = JSON.createObjectNode();
          ArrayNode out = body.putArray("dependencies");
          for (Dependency d : search.dependencies(tenants.tenant(headers), range)) {
            out.addObject()
                .put("parent", d.parent())
                .put("child", d.child())
                .put("callCount", d.callCount())
                .put("estimatedCallCount", d.estimatedCallCount());
          }
          return json(HttpStatus.OK, body);
        });
  }

  @Get("/v1/attributes")
  @Blocking
  public HttpResponse attributes(RequestHeaders headers, QueryParams params) {
    return answer(
        () ->
            list(
                "attributes",
                search.attributeKeys(tenants.tenant(headers), optionalRange(params))));
  }

  @Get("/v1/attributes/{key}/values")
  @Blocking
  public HttpResponse attributeValues(
      RequestHeaders headers, @Param("key") String key, QueryParams params) {
    return answer(
        () ->
            list(
                "values",
                search.attributeValues(tenants.tenant(headers), key, optionalRange(params))));
  }

  /** {@code from}/{@code to}, defaulting to the {@code span} before now. */
  static TimeRange range(QueryParams params, Instant now, Duration span) {
    Instant to = time(params, "to").orElse(now);
    Instant from = time(params, "from").orElse(to.minus(span));
    if (from.isAfter(to)) {
      throw new BadParameter("from must not be after to");
    }
    return new TimeRange(nanos(from), nanos(to));
  }

  /** {@code from}/{@code to} when either is given; else no bound (all hot data). */
  private static Optional<TimeRange> optionalRange(QueryParams params) {
    if (first(params, "from").isEmpty() && first(params, "to").isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(range(params, Instant.now(), Duration.ofHours(1)));
  }

  /** The search of {@code /v1/traces/search}; the time range defaults to the last hour. */
  static SummaryQuery query(QueryParams params, Instant now) {
    return query(params, now, 20);
  }

  /** As {@link #query(QueryParams, Instant)}, {@code limit} defaulting to {@code defaultLimit}. */
  private static SummaryQuery query(QueryParams params, Instant now, int defaultLimit) {
    TimeRange range = range(params, now, Duration.ofHours(1));
    Optional<Boolean> error = status(params, "status");
    Optional<Long> min = millis(params, "minDurationMs");
    Optional<Long> max = millis(params, "maxDurationMs");
    if (min.isPresent() && max.isPresent() && min.get() > max.get()) {
      throw new BadParameter("minDurationMs must not be above maxDurationMs");
    }
    int limit = count(params, defaultLimit, MAX_LIMIT, "limit");
    Map<String, String> attributes = new LinkedHashMap<>();
    for (String name : params.names()) {
      if (name.startsWith("attr.") && name.length() > 5) {
        attributes.put(name.substring(5), params.get(name));
      }
    }
    return new SummaryQuery(
        first(params, "service").filter(s -> !s.isEmpty()),
        first(params, "operation").filter(s -> !s.isEmpty()),
        error,
        min,
        max,
        attributes,
        Optional.empty(),
        linkTarget(params),
        range.fromEpochNanos(),
        range.toEpochNanos(),
        limit);
  }

  /**
   * {@code linkedTraceId} (1-32 hex chars) and, optionally, {@code linkedSpanId} (16 hex chars):
   * traces with a span that links to that trace (and span). Blank counts as absent.
   */
  private static Optional<LinkTarget> linkTarget(QueryParams params) {
    Optional<String> trace = first(params, "linkedTraceId").filter(t -> !t.isBlank());
    Optional<String> span = first(params, "linkedSpanId").filter(t -> !t.isBlank());
    if (trace.isEmpty()) {
      if (span.isPresent()) {
        throw new BadParameter("linkedSpanId needs linkedTraceId, the trace of that span");
      }
      return Optional.empty();
    }
    TraceId traceId = traceId(trace.get().strip(), "linkedTraceId");
    return Optional.of(
        span.map(s -> LinkTarget.span(traceId, spanId(s.strip(), "linkedSpanId")))
            .orElseGet(() -> LinkTarget.trace(traceId)));
  }

  /** {@code error} (true) or {@code ok} (false), any case. */
  private static Optional<Boolean> status(QueryParams params, String name) {
    return first(params, name)
        .map(
            s ->
                switch (s.toLowerCase(Locale.ROOT)) {
                  case "error" -> true;
                  case "ok" -> false;
                  default -> throw new BadParameter(name + " must be error or ok, was '" + s + "'");
                });
  }

  private static Optional<Long> millis(QueryParams params, String name) {
    Optional<String> text = first(params, name);
    if (text.isEmpty() || text.get().isBlank()) {
      return Optional.empty();
    }
    double ms;
    try {
      ms = Double.parseDouble(text.get());
    } catch (NumberFormatException e) {
      throw new BadParameter(name + " must be a number of milliseconds, was '" + text.get() + "'");
    }
    if (!(ms >= 0) || ms > 365L * 24 * 3600 * 1000) {
      throw new BadParameter(name + " must be between 0 and a year in milliseconds");
    }
    return Optional.of(Math.round(ms * 1_000_000));
  }

  private static byte[] load() {
    try (InputStream in = NativeApi.class.getResourceAsStream("/openapi.json")) {
      if (in == null) {
        throw new IllegalStateException("openapi.json is not on the classpath");
      }
      JsonNode parsed = JSON.readTree(in);
      return JSON.writeValueAsBytes(parsed);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
