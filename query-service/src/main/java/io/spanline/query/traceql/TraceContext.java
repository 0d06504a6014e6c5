package io.spanline.query.traceql;

import io.spanline.schemas.model.Span;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One trace prepared for evaluation: its spans by index (sorted by start), each span's parent index
 * and children, the root span, and the trace's start and end (epoch nanoseconds).
 */
final class TraceContext {
  final List<Span> spans;

  /** The parent's index, or -1 for a root span or a parent not in the trace. */
  final int[] parent;

  final List<List<Integer>> children;

  /** The root span's index (the earliest span without a parent), or -1. */
  final int root;

  final long startEpochNanos;
  final long endEpochNanos;

  TraceContext(List<Span> spans) {
    this.spans = List.copyOf(spans);
    int n = this.spans.size();
    Map<Long, Integer> byId = new HashMap<>(n * 2);
    for (int i = 0; i < n; i++) {
      byId.putIfAbsent(this.spans.get(i).spanId().value(), i);
    }
    parent = new int[n];
    children = new ArrayList<>(n);
    int rootIndex = -1;
    long start = Long.MAX_VALUE;
    long end = Long.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      children.add(new ArrayList<>());
    }
    for (int i = 0; i < n; i++) {
      Span s = this.spans.get(i);
      Integer p = s.parentSpanId() == null ? null : byId.get(s.parentSpanId().value());
      parent[i] = p == null || p == i ? -1 : p;
      if (parent[i] >= 0) {
        children.get(parent[i]).add(i);
      }
      if (s.parentSpanId() == null && rootIndex < 0) {
        rootIndex = i;
      }
      start = Math.min(start, s.startEpochNanos());
      end = Math.max(end, s.endEpochNanos());
    }
    root = rootIndex;
    startEpochNanos = n == 0 ? 0 : start;
    endEpochNanos = n == 0 ? 0 : end;
  }

  int size() {
    return spans.size();
  }

  BitSet all() {
    BitSet b = new BitSet(size());
    b.set(0, size());
    return b;
  }

  /** The ancestors of span {@code i}, nearest first; a parent cycle ends the walk. */
  List<Integer> ancestors(int i) {
    List<Integer> out = new ArrayList<>();
    BitSet seen = new BitSet(size());
    seen.set(i);
    for (int p = parent[i]; p >= 0 && !seen.get(p); p = parent[p]) {
      seen.set(p);
      out.add(p);
    }
    return out;
  }
}
