package io.spanline.schemas.model;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Trace-level facts computed once from a trace's (or fragment's) spans.
 *
 * @param rootServiceName {@code service.name} of the root span; "" when unknown
 * @param rootSpanName name of the root span
 * @param startEpochNanos earliest span start, epoch nanoseconds
 * @param endEpochNanos latest span end, epoch nanoseconds
 * @param spanCount number of spans
 * @param error true when any span has status ERROR
 * @param services distinct non-empty service names, sorted
 * @param missingParentSpanCount spans whose parent span ID names no span of the same set
 */
public record TraceSummary(
    String rootServiceName,
    String rootSpanName,
    long startEpochNanos,
    long endEpochNanos,
    int spanCount,
    boolean error,
    List<String> services,
    int missingParentSpanCount) {

  public TraceSummary {
    Objects.requireNonNull(rootServiceName, "rootServiceName");
    Objects.requireNonNull(rootSpanName, "rootSpanName");
    services = List.copyOf(services);
  }

  /** {@code endEpochNanos - startEpochNanos}, in nanoseconds. */
  public long durationNanos() {
    return endEpochNanos - startEpochNanos;
  }

  /**
   * Summarises a set of spans of one trace. The root is the earliest-starting span without a
   * parent; when every span has a parent (a fragment, or a trace whose root never arrived) it is
   * the earliest-starting span. Ties on start time go to the earlier span in the list.
   *
   * @throws IllegalArgumentException if {@code spans} is empty
   */
  public static TraceSummary of(List<Span> spans) {
    if (spans.isEmpty()) {
      throw new IllegalArgumentException("cannot summarise a trace with no spans");
    }
    Set<SpanId> ids = new HashSet<>(spans.size() * 2);
    for (Span s : spans) {
      ids.add(s.spanId());
    }
    Span root = null;
    Span earliest = null;
    long start = Long.MAX_VALUE;
    long end = Long.MIN_VALUE;
    boolean error = false;
    int missingParents = 0;
    Set<String> services = new TreeSet<>();
    for (Span s : spans) {
      start = Math.min(start, s.startEpochNanos());
      end = Math.max(end, s.endEpochNanos());
      error |= s.status().isError();
      String service = s.serviceName();
      if (!service.isEmpty()) {
        services.add(service);
      }
      if (s.isRoot()) {
        if (root == null || s.startEpochNanos() < root.startEpochNanos()) {
          root = s;
        }
      } else if (!ids.contains(s.parentSpanId())) {
        missingParents++;
      }
      if (earliest == null || s.startEpochNanos() < earliest.startEpochNanos()) {
        earliest = s;
      }
    }
    Span chosen = root != null ? root : earliest;
    return new TraceSummary(
        chosen.serviceName(),
        chosen.name(),
        start,
        end,
        spans.size(),
        error,
        List.copyOf(services),
        missingParents);
  }
}
