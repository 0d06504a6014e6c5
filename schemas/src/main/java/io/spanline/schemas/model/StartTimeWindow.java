package io.spanline.schemas.model;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The span start times a sink accepts: from {@code fromEpochNanos} to {@code toEpochNanos}, both
 * inclusive. A span's start time picks where a sink stores it (a daily index, an hourly archive
 * prefix), so a start time far from now would create storage per day or hour it names. The gateway
 * refuses such spans already; records written straight to Kafka by a Collector reach the sinks
 * without that check, so the sinks narrow each trace to this window.
 *
 * @param fromEpochNanos earliest accepted start, epoch nanoseconds
 * @param toEpochNanos latest accepted start, epoch nanoseconds
 */
public record StartTimeWindow(long fromEpochNanos, long toEpochNanos) {
  /**
   * @throws IllegalArgumentException if the window ends before it starts
   */
  public StartTimeWindow {
    if (toEpochNanos < fromEpochNanos) {
      throw new IllegalArgumentException(
          "window ends (" + toEpochNanos + ") before it starts (" + fromEpochNanos + ")");
    }
  }

  /** The window from {@code back} before {@code now} to {@code ahead} after it. */
  public static StartTimeWindow around(Instant now, Duration back, Duration ahead) {
    long nowNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    return new StartTimeWindow(nowNanos - back.toNanos(), nowNanos + ahead.toNanos());
  }

  /** Whether a span starting at {@code startEpochNanos} is inside. */
  public boolean contains(long startEpochNanos) {
    return startEpochNanos >= fromEpochNanos && startEpochNanos <= toEpochNanos;
  }

  /**
   * What is left of a trace inside the window.
   *
   * @param kept the trace with its spans inside the window (its summary recomputed), empty when
   *     none is; the same instance when every span is inside
   * @param leftOut how many spans were outside
   */
  public record Narrowed(Optional<SampledTrace> kept, int leftOut) {}

  /** The trace narrowed to its spans inside the window. */
  public Narrowed narrow(SampledTrace sampled) {
    AssembledTrace trace = sampled.trace();
    List<Span> inside = new ArrayList<>(trace.spans().size());
    for (Span s : trace.spans()) {
      if (contains(s.startEpochNanos())) {
        inside.add(s);
      }
    }
    int leftOut = trace.spans().size() - inside.size();
    if (leftOut == 0) {
      return new Narrowed(Optional.of(sampled), 0);
    }
    if (inside.isEmpty()) {
      return new Narrowed(Optional.empty(), leftOut);
    }
    AssembledTrace narrowed =
        AssembledTrace.of(trace.tenant(), trace.traceId(), trace.fragment(), inside);
    return new Narrowed(Optional.of(new SampledTrace(narrowed, sampled.decision())), leftOut);
  }
}
