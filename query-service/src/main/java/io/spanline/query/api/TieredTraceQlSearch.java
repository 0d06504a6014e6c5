package io.spanline.query.api;

import io.spanline.query.api.Responses.BadParameter;
import io.spanline.query.api.SummarySearch.Source;
import io.spanline.query.traceql.TraceQlSearch;
import io.spanline.query.traceql.TraceQlSearch.MatchedTrace;
import io.spanline.schemas.model.TraceId;
import io.spanline.storage.TimeRange;
import io.spanline.storage.TraceSearch;
import io.spanline.storage.TraceStore;
import io.spanline.storage.archive.ArchiveCandidateSearch;
import io.spanline.storage.archive.ArchiveTraceSearch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * TraceQL search ({@link TraceQlSearch}) over the hot store and the archive, as the native search
 * ({@link SummarySearch}) does it: by default ({@link Source#AUTO}) the hot store answers, and when
 * the hot answer has fewer traces than the limit the same query runs over the archive ({@link
 * ArchiveCandidateSearch}) for the part of the range past the hot retention ({@link
 * ArchiveWindow#pastHot}); its traces the hot answer does not hold follow the hot ones, up to the
 * limit. {@link Source#ARCHIVE} runs it on the archive alone over the whole range (within the
 * archive's retention), {@link Source#HOT} on the hot store alone. Each store's run reads at most
 * {@code traceql.max-traces-inspected} candidates. The answer is partial when either run was cut by
 * that bound, or the archive's search stopped at one of its bounds or skipped unreadable files or
 * traces.
 */
public final class TieredTraceQlSearch {
  private final TraceQlSearch hotTraceQl;
  private final Optional<ArchiveTraceSearch> cold;
  private final Optional<TraceStore> coldTraces;
  private final int maxTracesInspected;
  private final ArchiveWindow window;

  /**
   * @param cold the archive's search; empty when the archive is off
   * @param coldTraces trace by ID from the archive; empty when the archive is off
   * @param maxTracesInspected the most candidate traces one run reads, at least 1
   * @throws IllegalArgumentException if {@code maxTracesInspected} is below 1
   */
  public TieredTraceQlSearch(
      TraceSearch hot,
      Optional<ArchiveTraceSearch> cold,
      Optional<TraceStore> coldTraces,
      int maxTracesInspected,
      ArchiveWindow window) {
    this.hotTraceQl = new TraceQlSearch(Objects.requireNonNull(hot, "hot"), maxTracesInspected);
    this.cold = Objects.requireNonNull(cold, "cold");
    this.coldTraces = Objects.requireNonNull(coldTraces, "coldTraces");
    this.maxTracesInspected = maxTracesInspected;
    this.window = Objects.requireNonNull(window, "window");
  }

  /**
   * The tenant's traces with a span in the range that match the query: the hot store's first (most
   * recent first), then the archive's, at most {@code limit}.
   *
   * @throws io.spanline.query.traceql.TraceQlException if the query does not parse
   * @throws BadParameter if the archive is asked for while it is off
   * @throws IOException if a store cannot be read
   */
  public TraceQlSearch.Result search(
      String tenant, String query, TimeRange range, int limit, Source source) throws IOException {
    if (source == Source.ARCHIVE) {
      if (cold.isEmpty() || coldTraces.isEmpty()) {
        throw new BadParameter("source=archive: the archive is not enabled");
      }
      TraceQlSearch.validate(query);
      Optional<TimeRange> archived = window.archived(range.fromEpochNanos(), range.toEpochNanos());
      if (archived.isEmpty()) {
        return new TraceQlSearch.Result(List.of(), 0, 0, 0, false, "");
      }
      return merge(empty(), Optional.of(archive(tenant, query, archived.get(), limit)), limit);
    }
    TraceQlSearch.Result hotFound = hotTraceQl.search(tenant, query, range, limit);
    Optional<TimeRange> pastHot = window.pastHot(range.fromEpochNanos(), range.toEpochNanos());
    if (source == Source.HOT
        || cold.isEmpty()
        || coldTraces.isEmpty()
        || pastHot.isEmpty()
        || hotFound.traces().size() >= limit) {
      return hotFound;
    }
    return merge(hotFound, Optional.of(archive(tenant, query, pastHot.get(), limit)), limit);
  }

  private TraceQlSearch.Result archive(String tenant, String query, TimeRange range, int limit)
      throws IOException {
    ArchiveCandidateSearch archive =
        new ArchiveCandidateSearch(cold.get(), coldTraces.get(), range, maxTracesInspected);
    TraceQlSearch.Result found =
        new TraceQlSearch(archive, maxTracesInspected).search(tenant, query, range, limit);
    Optional<String> cut = archive.partialReason();
    if (cut.isEmpty()) {
      return found;
    }
    return new TraceQlSearch.Result(
        found.traces(),
        found.inspectedTraces(),
        found.inspectedSpans(),
        found.truncatedTraces(),
        true,
        reasons(found.partialReason(), cut.get()));
  }

  private static TraceQlSearch.Result empty() {
    return new TraceQlSearch.Result(List.of(), 0, 0, 0, false, "");
  }

  private static TraceQlSearch.Result merge(
      TraceQlSearch.Result hotFound, Optional<TraceQlSearch.Result> coldFound, int limit) {
    if (coldFound.isEmpty()) {
      return hotFound;
    }
    TraceQlSearch.Result c = coldFound.get();
    List<MatchedTrace> out = new ArrayList<>();
    Set<TraceId> seen = new HashSet<>();
    for (MatchedTrace t : hotFound.traces()) {
      if (out.size() < limit && seen.add(t.traceId())) {
        out.add(t);
      }
    }
    for (MatchedTrace t : c.traces()) {
      if (out.size() < limit && seen.add(t.traceId())) {
        out.add(t);
      }
    }
    boolean partial = hotFound.partial() || c.partial();
    return new TraceQlSearch.Result(
        out,
        hotFound.inspectedTraces() + c.inspectedTraces(),
        hotFound.inspectedSpans() + c.inspectedSpans(),
        hotFound.truncatedTraces() + c.truncatedTraces(),
        partial,
        partial ? reasons(hotFound.partialReason(), c.partialReason()) : "");
  }

  private static String reasons(String a, String b) {
    if (a.isEmpty()) {
      return b;
    }
    return b.isEmpty() ? a : a + "; " + b;
  }
}
