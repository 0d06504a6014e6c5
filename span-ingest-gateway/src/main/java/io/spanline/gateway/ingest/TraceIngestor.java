package io.spanline.gateway.ingest;

import io.micrometer.core.instrument.MeterRegistry;
import io.spanline.gateway.config.GatewayConfig;
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
import io.spanline.service.logging.LogContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's work on one export request, shared by OTLP/gRPC and OTLP/HTTP: scan the request at
 * the wire level ({@link OtlpWireSplitter}), rejecting invalid spans (bad IDs, end before start,
 * start time outside the window around now), dropping spans of traces not head-sampled, and
 * decoding only the spans that break a limit or need redaction; check the tenant's request and rate
 * limits; split by trace ID and under the Kafka record limit; write; and answer once every record
 * is acknowledged.
 */
public final class TraceIngestor {
  private static final Logger LOG = LoggerFactory.getLogger(TraceIngestor.class);

  /** Room left in a record for its key, headers and record overhead. */
  private static final int RECORD_OVERHEAD_BYTES = 1024;

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
  private final HeadSampler sampler;
  private final IngestMetrics metrics;
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
    this.sampler = new HeadSampler(config.headSamplingPercentage());
    this.metrics = new IngestMetrics(registry, budget);
  }

  /** The retry delay suggested to refused clients. */
  public Duration retryAfter() {
    return config.retryAfter();
  }

  /**
   * Handles one request body (already decompressed). CPU-bound and may block on Kafka metadata, so
   * call it off the event loop.
   */
  public CompletableFuture<IngestOutcome> ingest(String tenant, byte[] body, Encoding encoding) {
    TenantLimits limits = config.limitsFor(tenant);
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
    try {
      split =
          OtlpWireSplitter.split(
              tracesData,
              new IngestPolicy(
                  limits,
                  config.redaction(),
                  redactor,
                  sampler,
                  nowNanos - config.spanStartMaxAge().toNanos(),
                  nowNanos + config.spanStartMaxFuture().toNanos()),
              config.maxRecordBytes() - RECORD_OVERHEAD_BYTES);
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
    metrics.sampledOut(tenant, split.droppedSpans());
    List<TracePart> parts = split.parts();
    int accepted = split.keptSpans();
    String message = summarize(rejections);
    int acceptedSpans = accepted;
    if (parts.isEmpty()) {
      return CompletableFuture.completedFuture(new Accepted(0, rejections.size(), message));
    }
    long bytes = parts.stream().mapToLong(TracePart::sizeBytes).sum();
    if (!budget.tryAcquire(bytes)) {
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
                return new Refused(
                    Reason.UNAVAILABLE,
                    "Kafka did not acknowledge the spans: " + error.getMessage());
              }
              metrics.accepted(tenant, acceptedSpans);
              return new Accepted(acceptedSpans, rejections.size(), message);
            });
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
