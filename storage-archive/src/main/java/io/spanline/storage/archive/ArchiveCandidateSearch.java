package io.spanline.storage.archive;

import io.spanline.schemas.model.TraceId;
import io.spanline.storage.AttributeComparison;
import io.spanline.storage.Dependency;
import io.spanline.storage.FoundSummary;
import io.spanline.storage.FoundTrace;
import io.spanline.storage.Operation;
import io.spanline.storage.SpanCondition;
import io.spanline.storage.SummaryQuery;
import io.spanline.storage.TimeRange;
import io.spanline.storage.TraceQuery;
import io.spanline.storage.TraceSearch;
import io.spanline.storage.TraceStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The archive as the {@link TraceSearch} a query language's search runs over (TraceQL: candidates
 * by span condition, then whole traces), for one query over one time range: {@link
 * #findTraceIds(String, SpanCondition, TimeRange, int, Optional)} asks {@link ArchiveTraceSearch}
 * (within this range, under its bounds) and {@link #traces} reads traces by ID through the cold
 * {@link TraceStore}, in parallel on the archive search's pool, at most {@code maxTraces} in all.
 * Whatever a bound or an unreadable file or trace left out is kept in {@link #partialReason()}.
 *
 * <p>It lists no attribute keys ({@link #attributeKeys} is empty), so a caller pushes no attribute
 * condition down and checks attributes on the traces it reads: the archive's attribute columns hold
 * neither events', links' and scopes' attributes nor array elements, and a pushed condition must
 * never reject a matching trace. The other {@link TraceSearch} methods throw {@link
 * UnsupportedOperationException}: the archive answers them through {@link ArchiveTraceSearch}.
 *
 * <p>One instance per query; thread-safe.
 */
public final class ArchiveCandidateSearch implements TraceSearch {
  private static final Logger LOG = LoggerFactory.getLogger(ArchiveCandidateSearch.class);

  private final ArchiveTraceSearch search;
  private final TraceStore traces;
  private final TimeRange range;
  private final int maxTraces;
  private final AtomicInteger read = new AtomicInteger();
  private final List<String> reasons = java.util.Collections.synchronizedList(new ArrayList<>());

  /**
   * @param traces trace by ID from the archive ({@link ArchiveTraceStore})
   * @param range the part of the archive searched (epoch nanoseconds); a caller's range is cut to
   *     it
   * @param maxTraces the most traces {@link #traces} reads over this query, at least 1
   * @throws IllegalArgumentException if {@code maxTraces} is below 1
   */
  public ArchiveCandidateSearch(
      ArchiveTraceSearch search, TraceStore traces, TimeRange range, int maxTraces) {
    this.search = Objects.requireNonNull(search, "search");
    this.traces = Objects.requireNonNull(traces, "traces");
    this.range = Objects.requireNonNull(range, "range");
    if (maxTraces < 1) {
      throw new IllegalArgumentException("maxTraces must be >= 1, was " + maxTraces);
    }
    this.maxTraces = maxTraces;
  }

  /** Why traces may be missing from what this search answered; empty when nothing was cut. */
  public Optional<String> partialReason() {
    synchronized (reasons) {
      return reasons.isEmpty()
          ? Optional.empty()
          : Optional.of("archive: " + String.join("; ", reasons));
    }
  }

  /**
   * {@link ArchiveTraceSearch#findTraceIds(String, SpanCondition, TimeRange, int, Optional)} over
   * the part of {@code range} within this search's range (none when they do not overlap).
   */
  @Override
  public List<TraceId> findTraceIds(
      String tenant,
      SpanCondition condition,
      TimeRange range,
      int limit,
      Optional<Set<TraceId>> within)
      throws IOException {
    long from = Math.max(range.fromEpochNanos(), this.range.fromEpochNanos());
    long to = Math.min(range.toEpochNanos(), this.range.toEpochNanos());
    if (from > to) {
      return List.of();
    }
    ArchiveTraceSearch.Result<TraceId> found =
        search.findTraceIds(tenant, condition, new TimeRange(from, to), limit, within);
    found.partialReason().ifPresent(reasons::add);
    return found.items();
  }

  /**
   * The archived traces of these IDs within this search's range, read in parallel, in the order of
   * {@code traceIds}; IDs not archived are left out, as are those past {@code maxTraces} read and
   * those that could not be read (both noted in {@link #partialReason()}).
   */
  @Override
  public Map<TraceId, FoundTrace> traces(String tenant, List<TraceId> traceIds) {
    Objects.requireNonNull(tenant, "tenant");
    List<CompletableFuture<Optional<FoundTrace>>> reads = new ArrayList<>();
    List<TraceId> asked = new ArrayList<>();
    for (TraceId id : traceIds) {
      if (read.incrementAndGet() > maxTraces) {
        reasons.add("read the most traces of one query (" + maxTraces + ")");
        break;
      }
      asked.add(id);
      reads.add(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return traces.trace(tenant, id, range);
                } catch (IOException e) {
                  throw new CompletionException(e);
                }
              },
              search.executor()));
    }
    Map<TraceId, FoundTrace> out = new LinkedHashMap<>();
    for (int i = 0; i < asked.size(); i++) {
      try {
        Optional<FoundTrace> t = reads.get(i).join();
        if (t.isPresent()) {
          out.put(asked.get(i), t.get());
        }
      } catch (CompletionException e) {
        LOG.warn("Cold TraceQL search skipped trace {}: {}", asked.get(i), e.getCause().toString());
        reasons.add("trace " + asked.get(i) + " could not be read");
      }
    }
    return out;
  }

  /** None: attribute conditions are checked on the traces read (see the class comment). */
  @Override
  public List<String> attributeKeys(String tenant, Optional<TimeRange> range) {
    return List.of();
  }

  @Override
  public List<TraceId> findTraceIds(String tenant, TraceQuery query) {
    throw unsupported("findTraceIds(TraceQuery): use ArchiveTraceSearch");
  }

  @Override
  public List<FoundSummary> findSummaries(String tenant, SummaryQuery query) {
    throw unsupported("findSummaries: use ArchiveTraceSearch");
  }

  @Override
  public List<String> services(String tenant) {
    throw unsupported("services");
  }

  @Override
  public List<String> spanNames(String tenant) {
    throw unsupported("spanNames");
  }

  @Override
  public List<Operation> operations(String tenant, String service, Optional<String> spanKind) {
    throw unsupported("operations");
  }

  @Override
  public List<Dependency> dependencies(String tenant, TimeRange range) {
    throw unsupported("dependencies");
  }

  @Override
  public List<String> attributeValues(String tenant, String key, Optional<TimeRange> range) {
    throw unsupported("attributeValues");
  }

  @Override
  public AttributeComparison compareAttributes(
      String tenant, SummaryQuery selection, SummaryQuery baseline, int maxValues) {
    throw unsupported("compareAttributes");
  }

  private static UnsupportedOperationException unsupported(String what) {
    return new UnsupportedOperationException(
        "the archive's candidate search answers only TraceQL's candidate and trace reads, not "
            + what);
  }
}
