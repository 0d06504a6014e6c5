package io.spanline.gateway.ingest;

import io.micrometer.core.instrument.MeterRegistry;
import io.spanline.gateway.config.GatewayConfig;
import io.spanline.gateway.config.RedactionRule;
import io.spanline.gateway.config.TenantLimits;
import io.spanline.gateway.ingest.IngestOutcome.Accepted;
import io.spanline.gateway.ingest.IngestOutcome.Reason;
import io.spanline.gateway.ingest.IngestOutcome.Refused;
import io.spanline.gateway.kafka.InFlightBudget;
import io.spanline.gateway.kafka.SpanRecordWriter;
import io.spanline.gateway.tenancy.TenantRateLimiter;
import io.spanline.schemas.codec.MalformedOtlpException;
import io.spanline.schemas.codec.otlp.OtlpJsonCodec;
import io.spanline.schemas.codec.otlp.OtlpWireSplitter;
import io.spanline.schemas.codec.otlp.SpanRejection;
import io.spanline.schemas.codec.otlp.TracePart;
import io.spanline.schemas.codec.otlp.WireSplit;
import io.spanline.schemas.model.TraceId;
import io.spanline.service.logging.LogContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's work on one export request, shared by OTLP/gRPC and OTLP/HTTP: scan the request at
 * the wire level ({@link OtlpWireSplitter}), rejecting invalid spans (bad IDs, end before start,
 * start time outside the window around now), dropping spans of traces not head-sampled (unless
 * marked for debugging, {@link DebugMarks}), and decoding only the spans that break a limit or need
 * redaction; check the tenant's request and rate limits; split by trace ID and under the Kafka
 * record limit; write; and answer once every record is acknowledged.
 */
public final class TraceIngestor {
  private static final Logger LOG = LoggerFactory.getLogger(TraceIngestor.class);

  /** Room left in a record for its key, headers and record overhead. */
  private static final int RECORD_OVERHEAD_BYTES = 1024;

  /** The request header (HTTP, gRPC metadata) that marks a request's traces for debugging. */
  public static final String DEBUG_HEADER = DebugMarks.HEADER;

  /** Wire format of a request body. */
  public enum Encoding {
    PROTOBUF,
    JSON
  }

  private final GatewayConfig config;
  private final SpanRecordWriter writer;
  private final InFlightBudget budget;
  private final TenantRateLimiter rateLimiter;
  private final Redactor redactor;
  private final List<RedactionRule> stripDebugRules;
  private final Redactor stripDebug;
  private final HeadSampler sampler;
  private final IngestMetrics metrics;
  private final LoadShedder shedder;
  private final Clock clock;

  public TraceIngestor(
      GatewayConfig config,
      SpanRecordWriter writer,
      InFlightBudget budget,
      TenantRateLimiter rateLimiter,
      MeterRegistry registry) {
    this(config, writer, budget, rateLimiter, registry, Clock.systemUTC());
  }

  /**
   * @param clock the clock the accepted window of span start times ({@code span.start.max-age.ms},
   *     {@code span.start.max-future.ms}) is measured against
   */
  TraceIngestor(
      GatewayConfig config,
      SpanRecordWriter writer,
      InFlightBudget budget,
      TenantRateLimiter rateLimiter,
      MeterRegistry registry,
      Clock clock) {
    this.clock = clock;
    this.config = config;
    this.writer = writer;
    this.budget = budget;
    this.rateLimiter = rateLimiter;
    this.redactor = new Redactor(config.redaction());
    List<RedactionRule> strip = new ArrayList<>();
    strip.add(new RedactionRule(config.debugAttribute(), RedactionRule.Action.DROP, null, null));
    strip.addAll(config.redaction());
    this.stripDebugRules = List.copyOf(strip);
    this.stripDebug = new Redactor(stripDebugRules);
    this.sampler = new HeadSampler(config.headSamplingPercentage());
    this.metrics = new IngestMetrics(registry, budget);
    this.shedder =
        new LoadShedder(budget, config.maxInflightBytes(), config.shedInflightFraction());
    metrics.shedLevel(shedder);
  }

  /** The overload shedding of this gateway ({@code shed.inflight-fraction}). */
  public LoadShedder shedder() {
    return shedder;
  }

  /** The retry delay suggested to refused clients. */
  public Duration retryAfter() {
    return config.retryAfter();
  }

  /**
   * Handles one request body (already decompressed) without a debug header. CPU-bound and may block
   * on Kafka metadata, so call it off the event loop.
   */
  public CompletableFuture<IngestOutcome> ingest(String tenant, byte[] body, Encoding encoding) {
    return ingest(tenant, body, encoding, null);
  }

  /**
   * Handles one request body (already decompressed). CPU-bound and may block on Kafka metadata, so
   * call it off the event loop.
   *
   * @param debugHeader the value of the request's {@code spanline-debug} header, null when absent:
   *     {@code 1} or {@code true} marks every trace of the request for debugging (kept by head
   *     sampling, and given the debug attribute so tail sampling keeps it), {@code 0}, {@code
   *     false} or empty does not, anything else refuses the request as malformed. A tenant outside
   *     {@code debug.tenants} has the header ignored and its spans' debug attributes removed
   *     (counted in {@code spanline_gateway_debug_traces_total{result="refused"}}).
   */
  public CompletableFuture<IngestOutcome> ingest(
      String tenant, byte[] body, Encoding encoding, String debugHeader) {
    TenantLimits limits = config.limitsFor(tenant);
    boolean headerMarks;
    try {
      headerMarks = DebugMarks.headerMarks(debugHeader);
    } catch (IllegalArgumentException e) {
      return refused(tenant, Reason.MALFORMED, e.getMessage());
    }
    if (body.length > limits.maxRequestBytes()) {
      return refused(
          tenant,
          Reason.TOO_LARGE,
          "request of " + body.length + " bytes exceeds the limit of " + limits.maxRequestBytes());
    }
    byte[] tracesData;
    try {
      tracesData = encoding == Encoding.JSON ? OtlpJsonCodec.toProtobuf(body) : body;
    } catch (MalformedOtlpException e) {
      return refused(tenant, Reason.MALFORMED, e.getMessage());
    }
    WireSplit split;
    long nowNanos = nanos(clock.instant());
    boolean debugAllowed = config.debugAllowed(tenant);
    int shedLevel = shedder.level();
    IngestPolicy policy;
    try {
      // the scan matters when head sampling or shedding drops traces, and to count a refused
      // tenant's marks; with neither, an allowed tenant's marks pass as they are, unscanned
      Set<TraceId> marked =
          debugAllowed && sampler.keepsAll() && shedLevel == 0
              ? Set.of()
              : DebugMarks.markedTraces(tracesData, config.debugAttribute());
      // while shedding, a wire scan finds the request's traces with an error span
      Set<TraceId> errors =
          shedLevel == 0 ? Set.of() : OtlpWireSplitter.tracesWithErrors(tracesData);
      policy =
          new IngestPolicy(
              limits,
              debugAllowed ? config.redaction() : stripDebugRules,
              debugAllowed ? redactor : stripDebug,
              sampler,
              nowNanos - config.spanStartMaxAge().toNanos(),
              nowNanos + config.spanStartMaxFuture().toNanos(),
              debugAllowed ? marked : Set.of(),
              debugAllowed && headerMarks ? config.debugAttribute() : null,
              shedLevel,
              errors);
      split =
          OtlpWireSplitter.split(
              tracesData, policy, config.maxRecordBytes() - RECORD_OVERHEAD_BYTES);
      countDebug(tenant, debugAllowed, headerMarks, marked, split);
    } catch (MalformedOtlpException e) {
      return refused(tenant, Reason.MALFORMED, e.getMessage());
    }
    List<SpanRejection> rejections = split.rejections();
    int received = split.keptSpans() + split.droppedSpans() + rejections.size();
    metrics.received(tenant, received);
    if (received > limits.maxSpansPerRequest()) {
      return refused(
          tenant,
          Reason.TOO_LARGE,
          "request of " + received + " spans exceeds the limit of " + limits.maxSpansPerRequest());
    }
    Optional<Duration> wait = rateLimiter.tryAcquire(tenant, received, body.length);
    if (wait.isPresent()) {
      metrics.spansRefused(tenant, Reason.RATE_LIMITED, received);
      return refused(
          tenant,
          Reason.RATE_LIMITED,
          "tenant "
              + tenant
              + " is over its rate limit; retry in "
              + Math.max(1, wait.get().toSeconds())
              + " s");
    }
    rejections.forEach(r -> metrics.rejected(tenant, r.reason()));
    metrics.sampledOut(tenant, split.droppedSpans() - policy.shedSpans());
    metrics.shed(tenant, policy.shedSpans());
    List<TracePart> parts = split.parts();
    int accepted = split.keptSpans();
    String message = summarize(rejections);
    int acceptedSpans = accepted;
    if (parts.isEmpty()) {
      return CompletableFuture.completedFuture(new Accepted(0, rejections.size(), message));
    }
    long bytes = parts.stream().mapToLong(TracePart::sizeBytes).sum();
    if (!budget.tryAcquire(bytes)) {
      metrics.spansRefused(tenant, Reason.UNAVAILABLE, acceptedSpans);
      return refused(
          tenant,
          Reason.UNAVAILABLE,
          "too much data is waiting for Kafka; retry in " + config.retryAfter().toSeconds() + " s");
    }
    return writer
        .write(tenant, parts)
        .handle(
            (ok, error) -> {
              budget.release(bytes);
              if (error != null) {
                try (LogContext ignored = LogContext.of(tenant, traceIdOfOnly(parts))) {
                  LOG.warn(
                      "writing {} spans of tenant {} to Kafka failed: {}",
                      acceptedSpans,
                      tenant,
                      error.toString());
                }
                metrics.refused(tenant, Reason.UNAVAILABLE);
                metrics.spansRefused(tenant, Reason.UNAVAILABLE, acceptedSpans);
                return new Refused(
                    Reason.UNAVAILABLE,
                    "Kafka did not acknowledge the spans: " + error.getMessage());
              }
              metrics.accepted(tenant, acceptedSpans);
              return new Accepted(acceptedSpans, rejections.size(), message);
            });
  }

  /** Counts the traces the debug switch marked in a request, kept or refused. */
  private void countDebug(
      String tenant, boolean allowed, boolean header, Set<TraceId> marked, WireSplit split) {
    if (header) {
      Set<TraceId> traces = new HashSet<>();
      split.parts().forEach(p -> traces.add(p.traceId()));
      traces.addAll(marked);
      metrics.debugTraces(tenant, "header", allowed, traces.size());
    } else if (!marked.isEmpty()) {
      metrics.debugTraces(tenant, "attribute", allowed, marked.size());
    }
  }

  /** The trace ID when every part belongs to one trace, else null (a batch of many traces). */
  private static String traceIdOfOnly(List<TracePart> parts) {
    String id = null;
    for (TracePart p : parts) {
      String t = p.traceId().toHex();
      if (id != null && !id.equals(t)) {
        return null;
      }
      id = t;
    }
    return id;
  }

  private static long nanos(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  /**
   * Counts and logs a refused request: at warn when Spanline cannot take it (Kafka slow or down),
   * at debug for the client's own faults (malformed, over a limit), which the counters already
   * show.
   */
  private CompletableFuture<IngestOutcome> refused(String tenant, Reason reason, String message) {
    metrics.refused(tenant, reason);
    try (LogContext ignored = LogContext.of(tenant, null)) {
      if (reason == Reason.UNAVAILABLE) {
        LOG.warn("Refused a request ({}): {}", reason, message);
      } else {
        LOG.debug("Refused a request ({}): {}", reason, message);
      }
    }
    return CompletableFuture.completedFuture(new Refused(reason, message));
  }

  /** OTLP's partial-success message: counts by reason and the first detail. */
  static String summarize(List<SpanRejection> rejections) {
    if (rejections.isEmpty()) {
      return "";
    }
    Map<String, Integer> byReason = new LinkedHashMap<>();
    rejections.forEach(r -> byReason.merge(r.reason(), 1, Integer::sum));
    StringBuilder out = new StringBuilder();
    out.append(rejections.size())
        .append(rejections.size() == 1 ? " span" : " spans")
        .append(" rejected (");
    byReason.forEach((reason, n) -> out.append(reason).append(": ").append(n).append(", "));
    out.setLength(out.length() - 2);
    return out.append("); first: ").append(rejections.get(0).detail()).toString();
  }
}
