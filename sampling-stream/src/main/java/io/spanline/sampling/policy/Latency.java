package io.spanline.sampling.policy;

import io.spanline.schemas.model.TraceView;

/**
 * {@code latency}: keeps a trace whose duration — earliest span start to latest span end, in whole
 * milliseconds (truncated), as the Collector's {@code internal/sampling/latency.go} measures it —
 * is at least {@code threshold_ms} and, when {@code upper_threshold_ms} is set (non-zero), at most
 * {@code upper_threshold_ms}. A trace exactly at the threshold is kept in both cases; the Collector
 * excludes it when an upper threshold is set (and, since v0.157, always).
 */
final class Latency implements SamplingPolicy {
  private final long thresholdMs;
  private final long upperThresholdMs;

  Latency(long thresholdMs, long upperThresholdMs) {
    this.thresholdMs = thresholdMs;
    this.upperThresholdMs = upperThresholdMs;
  }

  @Override
  public Vote evaluate(TraceView trace, long nowEpochNanos) {
    long ms = (trace.endEpochNanos() - trace.startEpochNanos()) / 1_000_000;
    return Vote.of(ms >= thresholdMs && (upperThresholdMs == 0 || ms <= upperThresholdMs));
  }
}
