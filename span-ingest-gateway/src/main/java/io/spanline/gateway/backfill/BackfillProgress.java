package io.spanline.gateway.backfill;

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
  /** How progress is shown. */
  enum Mode {
    TERMINAL,
    PLAIN,
    NONE
  }

  private final PrintStream err;
  private final Mode mode;
  private final long intervalNanos;
  private final LongSupplier nanoTime;
  private final long startNanos;
  private long lastPrintNanos;
  private int lastWidth;

  BackfillProgress(PrintStream err, Mode mode, Duration interval, LongSupplier nanoTime) {
    this.err = err;
    this.mode = mode;
    this.intervalNanos = interval.toNanos();
    this.nanoTime = nanoTime;
    this.startNanos = nanoTime.getAsLong();
    this.lastPrintNanos = startNanos;
  }

  /** Prints the line when the interval is up (or {@code last}, ending it on a terminal). */
  void show(BackfillCounts c, long done, long total, boolean last) {
    long now = nanoTime.getAsLong();
    if (!last && now - lastPrintNanos < intervalNanos) {
      return;
    }
    lastPrintNanos = now;
    if (mode == Mode.NONE) {
      return;
    }
    String line = line(c, done, total, now);
    if (mode == Mode.TERMINAL) {
      String pad = " ".repeat(Math.max(0, lastWidth - line.length()));
      lastWidth = line.length();
      err.print("\r" + line + pad + (last ? System.lineSeparator() : ""));
    } else {
      err.println(line);
    }
    err.flush();
  }

  String line(BackfillCounts c, long done, long total, long nowNanos) {
    double elapsed = Math.max(1e-9, (nowNanos - startNanos) / 1e9);
    double share = total <= 0 ? 1 : Math.min(1, (double) done / total);
    String eta;
    if (done >= total) {
      eta = "0:00:00";
    } else if (done == 0) {
      eta = "?";
    } else {
      long s = (long) Math.ceil((total - done) / (done / elapsed));
      eta = String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }
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
