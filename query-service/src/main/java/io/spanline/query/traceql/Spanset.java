package io.spanline.query.traceql;

import java.util.BitSet;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A set of spans of one trace that a query selected, by index in its {@link TraceContext}, with the
 * values the pipeline attached ({@code by(…)} groups).
 */
record Spanset(BitSet spans, Map<String, Value> attributes) {
  Spanset {
    spans = (BitSet) spans.clone();
    attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
  }

  Spanset(BitSet spans) {
    this(spans, Map.of());
  }

  int matched() {
    return spans.cardinality();
  }
}
