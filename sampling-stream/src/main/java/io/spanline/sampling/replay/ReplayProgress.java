package io.spanline.sampling.replay;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The live progress line of a replay or dry run on standard error: records and traces read, the
 * share of the time range covered (by record timestamp, averaged over the partitions; a finished
 * partition counts as 100 %), the rate of this run and the time left (from the records left in the
 * range's offsets at that rate). Printed at most once per {@code interval}; on a terminal the line
 * is rewritten in place ({@code \r}), otherwise each refresh is a line of its own. Not thread-safe.
 */
final class ReplayProgress {
  /** How progress is shown. */
  enum Mode {
    /** One line rewritten in place. */
    TERMINAL,
    /** A line per refresh, for logs and pipes. */
    PLAIN,
    /** Nothing. */
    NONE
  }

  private final PrintStream err;
  private final Mode mode;
  private final long intervalNanos;
  private final LongSupplier nanoTime;
  private final long fromMillis;
  private final long toMillis;
  private final long startNanos;
  private final Map<Integer, Double> fractionByPartition = new HashMap<>();
  private long records;
  private long traces;
  private long recordsThisRun;
  private long recordsLeft;
  private long lastPrintNanos;
  private int lastWidth;
  private double shareOverride = -1;

  /**
   * @param recordsRead records read by earlier runs of a resumed dry run
   * @param tracesRead traces read by earlier runs
   * @param recordsLeft records left in the range's offsets
   * @param openPartitions partitions with records left (the others count as done)
   * @param partitions all partitions of the topic
   */
  ReplayProgress(
      PrintStream err,
      Mode mode,
      Duration interval,
      LongSupplier nanoTime,
      Instant from,
      Instant to,
      long recordsRead,
      long tracesRead,
      long recordsLeft,
      Iterable<Integer> openPartitions,
      int partitions) {
    this.err = err;
    this.mode = mode;
    this.intervalNanos = interval.toNanos();
    this.nanoTime = nanoTime;
    this.fromMillis = from.toEpochMilli();
    this.toMillis = to.toEpochMilli();
    this.records = recordsRead;
    this.traces = tracesRead;
    this.recordsLeft = recordsLeft;
    for (int p = 0; p < partitions; p++) {
      fractionByPartition.put(p, 1.0);
    }
    for (int p : openPartitions) {
      fractionByPartition.put(p, 0.0);
    }
    this.startNanos = nanoTime.getAsLong();
    this.lastPrintNanos = startNanos;
  }

  /** One record of {@code partition} read, written at {@code timestampMillis}. */
  void record(int partition, long timestampMillis, boolean isTrace) {
    records++;
    recordsThisRun++;
    recordsLeft = Math.max(0, recordsLeft - 1);
    if (isTrace) {
      traces++;
    }
    double f = (double) (timestampMillis - fromMillis) / (toMillis - fromMillis);
    fractionByPartition.put(partition, Math.max(0, Math.min(1, f)));
    long now = nanoTime.getAsLong();
    if (now - lastPrintNanos >= intervalNanos) {
      print(now, false);
    }
  }

  /**
   * Where a replay run by Kafka Streams stands: {@code records} and {@code traces} so far, {@code
   * share} of the range (0 to 1) and {@code left} records to go. Prints when the interval is up.
   */
  void update(long records, long traces, long recordsThisRun, double share, long left) {
    this.records = records;
    this.traces = traces;
    this.recordsThisRun = recordsThisRun;
    this.recordsLeft = left;
    this.shareOverride = share;
    long now = nanoTime.getAsLong();
    if (now - lastPrintNanos >= intervalNanos) {
      print(now, false);
    }
  }

  /** A partition was read to the end of the range. */
  void partitionDone(int partition) {
    fractionByPartition.put(partition, 1.0);
  }

  /** Prints the last line (ending it on a terminal). */
  void finish() {
    print(nanoTime.getAsLong(), true);
  }

  /** The line as it would be printed now. */
  String line(long nowNanos) {
    double elapsed = Math.max(1e-9, (nowNanos - startNanos) / 1e9);
    double rate = recordsThisRun / elapsed;
    double share =
        shareOverride >= 0
            ? shareOverride
            : fractionByPartition.values().stream()
                .mapToDouble(Double::doubleValue)
                .average()
                .orElse(1);
    String eta;
    if (recordsLeft == 0) {
      eta = "0:00:00";
    } else if (rate <= 0) {
      eta = "?";
    } else {
      long s = (long) Math.ceil(recordsLeft / rate);
      eta = String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }
    return String.format(
        Locale.ROOT,
        "replay: %,d records, %,d traces read, %.1f %% of the range, %,.0f records/s, ETA %s",
        records,
        traces,
        share * 100,
        rate,
        eta);
  }

  private void print(long now, boolean last) {
    lastPrintNanos = now;
    if (mode == Mode.NONE) {
      return;
    }
    String line = line(now);
    if (mode == Mode.TERMINAL) {
      String pad = " ".repeat(Math.max(0, lastWidth - line.length()));
      lastWidth = line.length();
      err.print("\r" + line + pad + (last ? System.lineSeparator() : ""));
    } else {
      err.println(line);
    }
    err.flush();
  }
}
