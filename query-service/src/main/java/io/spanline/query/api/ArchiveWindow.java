package io.spanline.query.api;

import io.spanline.storage.TimeRange;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Which part of a search's range the archive is asked for, the rule every search that falls back to
 * the archive shares: in {@code auto} mode, the part older than the hot retention ({@code
 * search.hot-retention.ms} before now); with {@code source=archive}, the whole range; either way no
 * further back than the archive's retention ({@code archive.lookback.ms} before now). Times are
 * epoch nanoseconds.
 *
 * @param hotRetention how long the hot store keeps traces
 * @param archiveRetention how far back before now the archive is searched
 */
public record ArchiveWindow(Duration hotRetention, Duration archiveRetention, Clock clock) {
  public ArchiveWindow {
    Objects.requireNonNull(hotRetention, "hotRetention");
    Objects.requireNonNull(archiveRetention, "archiveRetention");
    Objects.requireNonNull(clock, "clock");
  }

  /**
   * The part of {@code [from, to]} past the hot retention and within the archive's; empty if none.
   */
  public Optional<TimeRange> pastHot(long from, long to) {
    long now = now();
    return range(
        Math.max(from, now - archiveRetention.toNanos()),
        Math.min(to, now - hotRetention.toNanos()));
  }

  /** The part of {@code [from, to]} within the archive's retention; empty if none. */
  public Optional<TimeRange> archived(long from, long to) {
    return range(Math.max(from, now() - archiveRetention.toNanos()), to);
  }

  private long now() {
    return clock.millis() * 1_000_000L;
  }

  private static Optional<TimeRange> range(long from, long to) {
    return from > to ? Optional.empty() : Optional.of(new TimeRange(from, to));
  }
}
