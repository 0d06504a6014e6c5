package io.spanline.query.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.TraceId;
import io.spanline.storage.archive.read.ColdTraceReader;
import io.spanline.storage.opensearch.read.HotTraceStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Trace by ID: OpenSearch first; when it holds none of the trace (past hot retention, or never
 * indexed), the Parquet archive through the cold reader over the given time range. At most {@code
 * maxSpans} spans come back, with a flag when the trace was cut.
 */
public final class TraceService {
  private final HotTraceStore hot;
  private final Optional<ColdTraceReader> cold;
  private final int maxSpans;
  private final MeterRegistry metrics;
  private final Counter archiveBytes;
  private final Counter archiveRequests;

  /**
   * @param metrics gets {@code spanline_query_s3_seconds{outcome}} (one cold read, all its ranged
   *     GETs) and {@code spanline_query_archive_bytes_total} / {@code _requests_total} fetched
   */
  public TraceService(
      HotTraceStore hot, Optional<ColdTraceReader> cold, int maxSpans, MeterRegistry metrics) {
    this.hot = hot;
    this.cold = cold;
    this.maxSpans = maxSpans;
    this.metrics = metrics;
    this.archiveBytes =
        Counter.builder("spanline.query.archive.bytes")
            .description("Bytes the cold reader fetched from the archive")
            .register(metrics);
    this.archiveRequests =
        Counter.builder("spanline.query.archive.requests")
            .description("Ranged GETs the cold reader made")
            .register(metrics);
  }

  /** A trace as returned: spans by start, and whether spans were left out. */
  public record FoundTrace(List<Span> spans, boolean truncated, String source) {}

  /**
   * @param fromEpochNanos start of the range the cold reader looks in
   * @param toEpochNanos its end
   * @return empty when neither store holds the trace
   * @throws IOException if a store cannot be read
   */
  public Optional<FoundTrace> trace(
      String tenant, TraceId traceId, long fromEpochNanos, long toEpochNanos) throws IOException {
    List<Span> spans = hot.trace(tenant, traceId, maxSpans);
    if (!spans.isEmpty()) {
      return Optional.of(cap(spans, "opensearch"));
    }
    if (cold.isEmpty()) {
      return Optional.empty();
    }
    Timer.Sample sample = Timer.start(metrics);
    String outcome = "error";
    ColdTraceReader.ColdTrace archived;
    try {
      archived = cold.get().find(tenant, traceId, fromEpochNanos, toEpochNanos);
      outcome = "success";
    } finally {
      sample.stop(
          Timer.builder("spanline.query.s3")
              .description("Cold trace read latency (listing plus ranged GETs)")
              .tag("outcome", outcome)
              .publishPercentileHistogram()
              .register(metrics));
    }
    archiveBytes.increment(archived.bytesFetched());
    archiveRequests.increment(archived.requests());
    if (!archived.found()) {
      return Optional.empty();
    }
    return Optional.of(new FoundTrace(archived.spans(), archived.truncated(), "archive"));
  }

  /**
   * Traces found by a search, from OpenSearch in one round trip (a search only finds indexed
   * traces), each capped as {@link #trace} caps it; in the order of {@code traceIds}.
   *
   * @throws IOException if OpenSearch cannot be read
   */
  public List<FoundTrace> hotTraces(String tenant, List<TraceId> traceIds) throws IOException {
    List<FoundTrace> out = new ArrayList<>(traceIds.size());
    for (List<Span> spans : hot.traces(tenant, traceIds, maxSpans).values()) {
      out.add(cap(spans, "opensearch"));
    }
    return out;
  }

  public HotTraceStore hot() {
    return hot;
  }

  private FoundTrace cap(List<Span> spans, String source) {
    Map<Long, Span> unique = new LinkedHashMap<>();
    for (Span s : spans) {
      unique.putIfAbsent(s.spanId().value(), s);
    }
    List<Span> out = new ArrayList<>(unique.values());
    out.sort(Comparator.comparingLong(Span::startEpochNanos));
    boolean truncated = out.size() > maxSpans;
    return new FoundTrace(truncated ? out.subList(0, maxSpans) : out, truncated, source);
  }
}
