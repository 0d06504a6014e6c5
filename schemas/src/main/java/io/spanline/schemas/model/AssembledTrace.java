package io.spanline.schemas.model;

import java.util.List;
import java.util.Objects;

/**
 * A closed trace of one tenant (fragment 0) or a late fragment of it (1, 2, …), with its summary.
 * The value of topic {@code spanline.traces.assembled}.
 *
 * @param fragment 0 for the trace as first closed; 1, 2, … for late fragments in order
 * @param spans the spans, every one with {@link #traceId()}
 */
public record AssembledTrace(
    String tenant, TraceId traceId, int fragment, TraceSummary summary, List<Span> spans) {

  /**
   * @throws IllegalArgumentException if the fragment is negative, there are no spans, or a span
   *     belongs to another trace
   */
  public AssembledTrace {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(traceId, "traceId");
    Objects.requireNonNull(summary, "summary");
    spans = List.copyOf(spans);
    if (fragment < 0) {
      throw new IllegalArgumentException("fragment must be >= 0, was " + fragment);
    }
    if (spans.isEmpty()) {
      throw new IllegalArgumentException("trace " + traceId + " has no spans");
    }
    for (Span s : spans) {
      if (!s.traceId().equals(traceId)) {
        throw new IllegalArgumentException(
            "span " + s.spanId() + " of trace " + s.traceId() + " is not in trace " + traceId);
      }
    }
  }

  /** Builds the trace, computing its summary with {@link TraceSummary#of(List)}. */
  public static AssembledTrace of(String tenant, TraceId traceId, int fragment, List<Span> spans) {
    return new AssembledTrace(tenant, traceId, fragment, TraceSummary.of(spans), spans);
  }
}
