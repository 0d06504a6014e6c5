package io.spanline.gateway.backfill;

import io.spanline.service.process.ProgressLine;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The live progress line of a backfill on standard error: requests read, spans written and
 * rejected, requests refused, the share of the input read (bytes of a file, records of a topic),
 * the span rate and the time left at the input rate. Printed at most once per {@code interval}; on
 * a terminal rewritten in place, otherwise a line per refresh. Not thread-safe.
 */
final class BackfillProgress {
  private final ProgressLine shown;

  BackfillProgress(
      PrintStream err, ProgressLine.Mode mode, Duration interval, LongSupplier nanoTime) {
    this.shown = new ProgressLine(err, mode, interval, nanoTime);
  }

  /** Prints the line when the interval is up (or {@code last}, ending it on a terminal). */
  void show(BackfillCounts c, long done, long total, boolean last) {
    shown.show(() -> line(c, done, total, shown.now()), last);
  }

  String line(BackfillCounts c, long done, long total, long nowNanos) {
    double elapsed = shown.elapsedSeconds(nowNanos);
    double share = total <= 0 ? 1 : Math.min(1, (double) done / total);
    String eta = ProgressLine.eta(total - done, done / elapsed);
    return String.format(
        Locale.ROOT,
        "backfill: %,d requests, %,d spans written, %,d rejected, %,d requests refused, %.1f %%"
            + " of the input, %,.0f spans/s, ETA %s",
        c.requests,
        c.spans,
        c.rejectedSpans,
        c.refusedRequests,
        share * 100,
        c.spans / elapsed,
        eta);
  }

  /** What a backfill has done so far. */
  static final class BackfillCounts {
    long requests;
    long spans;
    long rejectedSpans;
    long refusedRequests;
    long retries;
  }
}
