package io.spanline.query.api;

import io.spanline.query.api.Responses.BadParameter;
import io.spanline.schemas.model.TraceId;
import io.spanline.storage.FoundSummary;
import io.spanline.storage.SummaryQuery;
import io.spanline.storage.TimeRange;
import io.spanline.storage.TraceSearch;
import io.spanline.storage.archive.ArchiveTraceSearch;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The native summary search over the hot store and the archive: by default ({@link Source#AUTO})
 * the hot store answers, and when the range starts before the hot retention ({@code
 * search.hot-retention.ms} before now) and the hot answer has fewer traces than the limit, the
 * archive's cold search ({@link ArchiveTraceSearch}) is asked for the part of the range up to that
 * boundary; its traces the hot answer does not hold follow the hot ones, up to the limit. {@link
 * Source#ARCHIVE} asks the archive alone over the whole range, {@link Source#HOT} the hot store
 * alone. The archive is searched no further back than {@code archive.lookback.ms} before now (its
 * retention). A cold answer cut by its bounds, or missing unreadable files, makes the answer
 * partial.
 */
public final class SummarySearch {
  /** Which store a search asks. */
  public enum Source {
    /** The hot store, then the archive for the range past the hot retention. */
    AUTO,
    /** The hot store only. */
    HOT,
    /** The archive only. */
    ARCHIVE;

    /**
     * {@code auto} (also when absent), {@code hot} or {@code archive}, any case.
     *
     * @throws BadParameter naming the parameter and the bad value
     */
    public static Source parse(Optional<String> text, String name) {
      if (text.isEmpty() || text.get().isBlank()) {
        return AUTO;
      }
      switch (text.get().strip().toLowerCase(Locale.ROOT)) {
        case "auto":
          return AUTO;
        case "hot":
          return HOT;
        case "archive":
          return ARCHIVE;
        default:
          throw new BadParameter(
              name + " must be auto, hot or archive, was '" + text.get().strip() + "'");
      }
    }
  }

  /**
   * One trace found and which store found it.
   *
   * @param source {@code opensearch} or {@code archive}
   */
  public record Found(FoundSummary summary, String source) {}

  /**
   * The answer: hot traces first, then the archive's.
   *
   * @param partial the archive's search stopped at a bound or skipped unreadable files
   * @param partialReason why, when partial
   */
  public record Answer(List<Found> traces, boolean partial, Optional<String> partialReason) {
    public Answer {
      traces = List.copyOf(traces);
    }
  }

  /** {@link Found#source} of the hot store's traces. */
  public static final String HOT_SOURCE = "opensearch";

  /** {@link Found#source} of the archive's traces. */
  public static final String ARCHIVE_SOURCE = "archive";

  private final TraceSearch hot;
  private final Optional<ArchiveTraceSearch> cold;
  private final ArchiveWindow window;

  /**
   * @param cold empty when the archive is off
   * @param hotRetention how long the hot store keeps traces
   * @param archiveRetention how far back before now the archive is searched
   */
  public SummarySearch(
      TraceSearch hot,
      Optional<ArchiveTraceSearch> cold,
      Duration hotRetention,
      Duration archiveRetention,
      Clock clock) {
    this.hot = Objects.requireNonNull(hot, "hot");
    this.cold = Objects.requireNonNull(cold, "cold");
    this.window = new ArchiveWindow(hotRetention, archiveRetention, clock);
  }

  /** The archive's search, shared with other searches; empty when the archive is off. */
  public Optional<ArchiveTraceSearch> archive() {
    return cold;
  }

  /**
   * @throws BadParameter if the archive is asked for while it is off, or with a link condition
   * @throws IOException if a store cannot be read
   */
  public Answer find(String tenant, SummaryQuery query, Source source) throws IOException {
    if (source == Source.ARCHIVE) {
      ArchiveTraceSearch archive =
          cold.orElseThrow(() -> new BadParameter("source=archive: the archive is not enabled"));
      if (query.linkedTo().isPresent()) {
        throw new BadParameter("source=archive does not support linkedTraceId");
      }
      Optional<TimeRange> range = window.archived(query.fromEpochNanos(), query.toEpochNanos());
      if (range.isEmpty()) {
        return new Answer(List.of(), false, Optional.empty());
      }
      return merge(
          List.of(),
          Optional.of(archive.findSummaries(tenant, within(query, range.get()))),
          query.limit());
    }
    List<FoundSummary> hotFound = hot.findSummaries(tenant, query);
    Optional<TimeRange> range = window.pastHot(query.fromEpochNanos(), query.toEpochNanos());
    if (source == Source.HOT
        || cold.isEmpty()
        || range.isEmpty()
        || query.linkedTo().isPresent()
        || hotFound.size() >= query.limit()) {
      return merge(hotFound, Optional.empty(), query.limit());
    }
    return merge(
        hotFound,
        Optional.of(cold.get().findSummaries(tenant, within(query, range.get()))),
        query.limit());
  }

  private static SummaryQuery within(SummaryQuery query, TimeRange range) {
    return new SummaryQuery(
        query.service(),
        query.operation(),
        query.error(),
        query.minDurationNanos(),
        query.maxDurationNanos(),
        query.attributes(),
        query.spanStatus(),
        query.linkedTo(),
        range.fromEpochNanos(),
        range.toEpochNanos(),
        query.limit());
  }

  private static Answer merge(
      List<FoundSummary> hotFound,
      Optional<ArchiveTraceSearch.Result<FoundSummary>> coldFound,
      int limit) {
    List<Found> out = new ArrayList<>();
    Set<TraceId> seen = new HashSet<>();
    for (FoundSummary s : hotFound) {
      if (out.size() < limit && seen.add(s.traceId())) {
        out.add(new Found(s, HOT_SOURCE));
      }
    }
    if (coldFound.isEmpty()) {
      return new Answer(out, false, Optional.empty());
    }
    for (FoundSummary s : coldFound.get().items()) {
      if (out.size() < limit && seen.add(s.traceId())) {
        out.add(new Found(s, ARCHIVE_SOURCE));
      }
    }
    return new Answer(out, coldFound.get().partial(), coldFound.get().partialReason());
  }
}
