package io.spanline.sampling.metrics;

import io.prometheus.metrics.tracer.common.SpanContext;

/**
 * Where the RED metrics' exemplars come from: while the spans of a kept trace are recorded, the
 * Prometheus client's exemplar sampler sees that trace's ID (and its root span's) as "the current
 * span"; while a dropped trace's are recorded, it sees none, so every exemplar names a trace
 * Spanline actually kept, and Grafana's jump from a latency bucket to a trace always lands.
 * Exemplars appear in the OpenMetrics exposition ({@code Accept: application/openmetrics-text}),
 * one per histogram bucket, refreshed as the Prometheus client's sampler decides.
 */
public final class KeptTraceExemplars implements SpanContext {
  private static final ThreadLocal<String[]> CURRENT = new ThreadLocal<>();

  /**
   * Runs {@code recording} with the kept trace as the current span of this thread.
   *
   * @param traceIdHex the trace ID, 32 lower-case hex digits
   * @param spanIdHex a span of it (its root, when it has one), 16 lower-case hex digits
   */
  public void during(String traceIdHex, String spanIdHex, Runnable recording) {
    CURRENT.set(new String[] {traceIdHex, spanIdHex});
    try {
      recording.run();
    } finally {
      CURRENT.remove();
    }
  }

  @Override
  public String getCurrentTraceId() {
    String[] current = CURRENT.get();
    return current == null ? null : current[0];
  }

  @Override
  public String getCurrentSpanId() {
    String[] current = CURRENT.get();
    return current == null ? null : current[1];
  }

  @Override
  public boolean isCurrentSpanSampled() {
    return CURRENT.get() != null;
  }

  @Override
  public void markCurrentSpanAsExemplar() {
    // nothing to mark: the trace is already kept
  }
}
