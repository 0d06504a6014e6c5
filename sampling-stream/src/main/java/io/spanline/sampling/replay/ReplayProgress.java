package io.spanline.sampling.replay;

import io.spanline.service.process.ProgressLine;
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
  private final ProgressLine shown;
  private final long fromMillis;
  private final long toMillis;
  private final Map<Integer, Double> fractionByPartition = new HashMap<>();
  private long records;
  private long traces;
  private long recordsThisRun;
  private long recordsLeft;
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
      ProgressLine.Mode mode,
      Duration interval,
      LongSupplier nanoTime,
      Instant from,
      Instant to,
      long recordsRead,
      long tracesRead,
      long recordsLeft,
      Iterable<Integer> openPartitions,
      int partitions) {
    this.shown = new ProgressLine(err, mode, interval, nanoTime);
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
    shown.show(() -> line(shown.now()), false);
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
    shown.show(() -> line(shown.now()), false);
  }

  /** A partition was read to the end of the range. */
  void partitionDone(int partition) {
    fractionByPartition.put(partition, 1.0);
  }

  /** Prints the last line (ending it on a terminal). */
  void finish() {
    shown.show(() -> line(shown.now()), true);
  }

  /** The line as it would be printed now. */
  String line(long nowNanos) {
    double rate = recordsThisRun / shown.elapsedSeconds(nowNanos);
    double share =
        shareOverride >= 0
            ? shareOverride
            : fractionByPartition.values().stream()
                .mapToDouble(Double::doubleValue)
                .average()
                .orElse(1);
    String eta = ProgressLine.eta(recordsLeft, rate);
    return String.format(
        Locale.ROOT,
        "replay: %,d records, %,d traces read, %.1f %% of the range, %,.0f records/s, ETA %s",
        records,
        traces,
        share * 100,
        rate,
        eta);
  }
}
