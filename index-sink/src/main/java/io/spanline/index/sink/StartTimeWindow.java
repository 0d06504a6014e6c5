package io.spanline.index.sink;

import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.Span;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which spans the index takes: those that started within {@code retention} before the sink's clock
 * and at most {@code maxFuture} after it. A span's start time picks its daily index, so a start
 * time far off would create (and, past the retention, have the retention job delete again) an index
 * per day it names, exhausting the cluster's shards for every tenant. The gateway refuses such
 * spans already; records written straight to Kafka by a Collector reach the sink without that
 * check.
 */
final class StartTimeWindow {
  private final Clock clock;
  private final Duration retention;
  private final Duration maxFuture;

  StartTimeWindow(Clock clock, Duration retention, Duration maxFuture) {
    this.clock = clock;
    this.retention = retention;
    this.maxFuture = maxFuture;
  }

  /** What the outcome was for one trace. */
  record Filtered(Optional<SampledTrace> kept, int leftOut) {}

  /**
   * The trace with only its spans inside the window (its summary recomputed), or empty when none
   * is; the same instance when every span is inside.
   */
  Filtered apply(SampledTrace sampled) {
    Instant now = clock.instant();
    long nowNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    long from = nowNanos - retention.toNanos();
    long to = nowNanos + maxFuture.toNanos();
    AssembledTrace trace = sampled.trace();
    List<Span> inside = new ArrayList<>(trace.spans().size());
    for (Span s : trace.spans()) {
      if (s.startEpochNanos() >= from && s.startEpochNanos() <= to) {
        inside.add(s);
      }
    }
    int leftOut = trace.spans().size() - inside.size();
    if (leftOut == 0) {
      return new Filtered(Optional.of(sampled), 0);
    }
    if (inside.isEmpty()) {
      return new Filtered(Optional.empty(), leftOut);
    }
    AssembledTrace narrowed =
        AssembledTrace.of(trace.tenant(), trace.traceId(), trace.fragment(), inside);
    return new Filtered(Optional.of(new SampledTrace(narrowed, sampled.decision())), leftOut);
  }
}
