package io.spanline.query.api;

import io.spanline.schemas.model.TraceId;
import io.spanline.storage.FoundTrace;
import io.spanline.storage.TimeRange;
import io.spanline.storage.TraceQuery;
import io.spanline.storage.TraceSearch;
import io.spanline.storage.TraceStore;
import io.spanline.storage.archive.ArchiveTraceSearch;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Jaeger's span search ({@code /api/v3/traces}) over the hot store and the archive: the hot store
 * answers; when the range starts before the hot retention ({@code search.hot-retention.ms} before
 * now) and the hot store found fewer traces than the search depth, the archive's cold search
 * ({@link ArchiveTraceSearch#findTraceIds}) is asked for the part of the range up to that boundary
 * (and no further back than {@code archive.lookback.ms}), and the traces it finds that the hot
 * store did not are read whole from the archive (trace by ID, within that range), after the hot
 * ones.
 */
public final class TraceQuerySearch {
  /**
   * @param traces the hot store's first, then the archive's
   * @param partial the archive's search stopped at a bound or skipped unreadable files
   * @param partialReason why, when partial
   */
  public record Answer(List<FoundTrace> traces, boolean partial, Optional<String> partialReason) {
    public Answer {
      traces = List.copyOf(traces);
    }
  }

  private final TraceSearch hot;
  private final Optional<ArchiveTraceSearch> cold;
  private final Optional<TraceStore> coldTraces;
  private final ArchiveWindow window;

  /**
   * @param cold the archive's search; empty when the archive is off
   * @param coldTraces trace by ID from the archive; empty when the archive is off
   */
  public TraceQuerySearch(
      TraceSearch hot,
      Optional<ArchiveTraceSearch> cold,
      Optional<TraceStore> coldTraces,
      Duration hotRetention,
      Duration archiveRetention,
      Clock clock) {
    this.hot = Objects.requireNonNull(hot, "hot");
    this.cold = Objects.requireNonNull(cold, "cold");
    this.coldTraces = Objects.requireNonNull(coldTraces, "coldTraces");
    this.window = new ArchiveWindow(hotRetention, archiveRetention, clock);
  }

  /**
   * @throws IOException if a store cannot be read
   */
  public Answer find(String tenant, TraceQuery query) throws IOException {
    List<TraceId> hotIds = hot.findTraceIds(tenant, query);
    List<FoundTrace> out = new ArrayList<>(hot.traces(tenant, hotIds).values());
    Optional<TimeRange> range =
        window.pastHot(query.startMinEpochNanos(), query.startMaxEpochNanos());
    if (cold.isEmpty()
        || coldTraces.isEmpty()
        || range.isEmpty()
        || query.linkedTo().isPresent()
        || hotIds.size() >= query.limit()) {
      return new Answer(out, false, Optional.empty());
    }
    ArchiveTraceSearch.Result<TraceId> found =
        cold.get()
            .findTraceIds(
                tenant,
                new TraceQuery(
                    query.service(),
                    query.operation(),
                    query.attributes(),
                    query.spanStatus(),
                    query.linkedTo(),
                    range.get().fromEpochNanos(),
                    range.get().toEpochNanos(),
                    query.durationMinNanos(),
                    query.durationMaxNanos(),
                    query.limit()));
    Set<TraceId> seen = new LinkedHashSet<>(hotIds);
    for (TraceId id : found.items()) {
      if (seen.size() >= query.limit()) {
        break;
      }
      if (seen.add(id)) {
        coldTraces.get().trace(tenant, id, range.get()).ifPresent(out::add);
      }
    }
    return new Answer(out, found.partial(), found.partialReason());
  }
}
