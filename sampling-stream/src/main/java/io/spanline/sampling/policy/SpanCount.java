package io.spanline.sampling.policy;

import io.spanline.schemas.model.TraceView;

/**
 * {@code span_count}: keeps a trace with at least {@code min_spans} spans and, when {@code
 * max_spans} is non-zero, at most {@code max_spans}.
 */
final class SpanCount implements SamplingPolicy {
  private final int minSpans;
  private final int maxSpans;

  SpanCount(int minSpans, int maxSpans) {
    this.minSpans = minSpans;
    this.maxSpans = maxSpans;
  }

  @Override
  public Vote evaluate(TraceView trace, long nowEpochNanos) {
    int n = trace.spanCount();
    return Vote.of(n >= minSpans && (maxSpans == 0 || n <= maxSpans));
  }
}
