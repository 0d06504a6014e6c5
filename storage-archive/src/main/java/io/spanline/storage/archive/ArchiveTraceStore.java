package io.spanline.storage.archive;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.spanline.schemas.model.TraceId;
import io.spanline.storage.FoundTrace;
import io.spanline.storage.TimeRange;
import io.spanline.storage.TraceStore;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;

/**
 * The cold store: trace by ID from the Parquet archive through a {@link ColdTraceReader}, looking
 * only in the hour folders of the range and, within them, through the hour trace-ID indexes only in
 * the files that hold the trace, so a range as long as the cold retention stays cheap. Each read is
 * measured.
 */
public final class ArchiveTraceStore implements TraceStore {
  /** {@link FoundTrace#source} of this store's answers. */
  public static final String SOURCE = "archive";

  private final ColdTraceReader reader;
  private final MeterRegistry metrics;
  private final Counter archiveBytes;
  private final Counter archiveRequests;
  private final Counter indexRequests;

  /**
   * @param metrics gets {@code spanline_query_s3_seconds{outcome}} (one read, its listing and all
   *     its ranged GETs) and {@code spanline_query_archive_bytes_total} / {@code
   *     spanline_query_archive_requests_total} (bytes and ranged GETs of Parquet files fetched),
   *     {@code spanline_query_archive_index_requests_total} (listings, hour-index and manifest
   *     GETs)
   */
  public ArchiveTraceStore(ColdTraceReader reader, MeterRegistry metrics) {
    this.reader = Objects.requireNonNull(reader, "reader");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.archiveBytes =
        Counter.builder("spanline.query.archive.bytes")
            .description("Bytes the cold reader fetched from the archive")
            .register(metrics);
    this.archiveRequests =
        Counter.builder("spanline.query.archive.requests")
            .description("Ranged GETs the cold reader made")
            .register(metrics);
    this.indexRequests =
        Counter.builder("spanline.query.archive.index.requests")
            .description("Listings, hour-index and manifest GETs the cold reader made")
            .register(metrics);
  }

  @Override
  public Optional<FoundTrace> trace(String tenant, TraceId traceId, TimeRange range)
      throws IOException {
    Timer.Sample sample = Timer.start(metrics);
    String outcome = "error";
    ColdTraceReader.ColdTrace archived;
    try {
      archived = reader.find(tenant, traceId, range.fromEpochNanos(), range.toEpochNanos());
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
    indexRequests.increment(archived.lists() + archived.indexGets() + archived.manifestGets());
    if (!archived.found()) {
      return Optional.empty();
    }
    return Optional.of(new FoundTrace(archived.spans(), archived.truncated(), SOURCE));
  }
}
