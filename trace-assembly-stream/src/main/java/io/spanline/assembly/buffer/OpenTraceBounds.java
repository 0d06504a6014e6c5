package io.spanline.assembly.buffer;

import io.spanline.assembly.metrics.AssemblyMetrics;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The instance-wide bounds on open traces ({@code trace.max.open}) and their buffered OTLP bytes
 * ({@code trace.max.open.bytes}), shared by the trace buffers of every task on the instance.
 *
 * <p>A task may only close its own traces (its store belongs to its thread), so the bound is
 * enforced by fair shares: while the instance is over a bound, a task holding more than its share
 * (the bound divided by the tasks running) closes its traces due soonest until it is back within
 * its share. A partition that receives a burst sheds its own excess; the traces of the other tasks,
 * each within its share, are not closed early for it. Thread-safe.
 */
final class OpenTraceBounds {
  private final long maxOpen;
  private final long maxBytes;
  private final AssemblyMetrics metrics;
  private final AtomicInteger tasks = new AtomicInteger();

  /** The tasks running on the instance, shared with {@link TenantBounds}. */
  AtomicInteger tasks() {
    return tasks;
  }

  OpenTraceBounds(long maxOpen, long maxBytes, AssemblyMetrics metrics) {
    this.maxOpen = maxOpen;
    this.maxBytes = maxBytes;
    this.metrics = metrics;
  }

  void taskStarted() {
    tasks.incrementAndGet();
  }

  void taskClosed() {
    tasks.decrementAndGet();
  }

  /**
   * Whether a task holding {@code taskOpen} traces of {@code taskBytes} buffered OTLP bytes must
   * close its trace due soonest now.
   */
  boolean mustShed(long taskOpen, long taskBytes) {
    int n = Math.max(1, tasks.get());
    return mustShed(
        taskOpen, taskBytes, metrics.openTraces(), metrics.bufferedBytes(), n, maxOpen, maxBytes);
  }

  /**
   * How full the bounds are for a task holding {@code taskOpen} traces of {@code taskBytes} bytes:
   * for each bound the smaller of the instance's share of it and the task's share of its fair
   * share, the larger of the two bounds' figures (1 = at the bound). Overload shedding ({@link
   * TraceShedder}) rises with it.
   */
  double fill(long taskOpen, long taskBytes) {
    return fill(
        taskOpen,
        taskBytes,
        metrics.openTraces(),
        metrics.bufferedBytes(),
        Math.max(1, tasks.get()),
        maxOpen,
        maxBytes);
  }

  /** How full the instance is, whatever its tasks hold: what {@code /readyz} reports. */
  double instanceFill() {
    return Math.max(
        (double) metrics.openTraces() / maxOpen, (double) metrics.bufferedBytes() / maxBytes);
  }

  long openTraces() {
    return metrics.openTraces();
  }

  long bufferedBytes() {
    return metrics.bufferedBytes();
  }

  long maxOpen() {
    return maxOpen;
  }

  long maxBytes() {
    return maxBytes;
  }

  /** {@link #fill(long, long)} on given figures. */
  static double fill(
      long taskOpen,
      long taskBytes,
      long instanceOpen,
      long instanceBytes,
      int tasks,
      long maxOpen,
      long maxBytes) {
    double open = Math.min((double) instanceOpen / maxOpen, (double) taskOpen * tasks / maxOpen);
    double bytes =
        Math.min((double) instanceBytes / maxBytes, (double) taskBytes * tasks / maxBytes);
    return Math.max(open, bytes);
  }

  /** The rule itself, on given figures. */
  static boolean mustShed(
      long taskOpen,
      long taskBytes,
      long instanceOpen,
      long instanceBytes,
      int tasks,
      long maxOpen,
      long maxBytes) {
    boolean overTraces = instanceOpen > maxOpen && taskOpen > maxOpen / tasks;
    boolean overBytes = instanceBytes > maxBytes && taskBytes > maxBytes / tasks;
    return overTraces || overBytes;
  }
}
