package io.spanline.query.trace;

import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanId;
import io.spanline.schemas.model.SpanKind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The parent–child structure of one trace's spans: roots (no parent, or a parent that is not in the
 * trace, as after a late fragment), children by start time, and the spans whose ID occurs twice
 * (left out of the tree: which copy is the parent is unknown).
 */
final class SpanTree {
  private final Map<SpanId, Span> byId = new HashMap<>();
  private final Map<SpanId, List<Span>> children = new HashMap<>();
  private final List<Span> roots = new ArrayList<>();
  private final Set<SpanId> duplicated = new LinkedHashSet<>();

  SpanTree(List<Span> spans) {
    for (Span s : spans) {
      if (byId.putIfAbsent(s.spanId(), s) != null) {
        duplicated.add(s.spanId());
      }
    }
    duplicated.forEach(byId::remove);
    List<Span> ordered = new ArrayList<>(byId.values());
    ordered.sort(Comparator.comparingLong(Span::startEpochNanos));
    for (Span s : ordered) {
      Optional<Span> parent = parent(s);
      if (parent.isPresent()) {
        children.computeIfAbsent(parent.get().spanId(), k -> new ArrayList<>()).add(s);
      } else {
        roots.add(s);
      }
    }
  }

  /** Spans without a parent in the trace, earliest first. */
  List<Span> roots() {
    return roots;
  }

  /** Direct children, earliest first. */
  List<Span> children(Span span) {
    return children.getOrDefault(span.spanId(), List.of());
  }

  Optional<Span> parent(Span span) {
    return span.parent().map(byId::get);
  }

  /** Span IDs that occur more than once; such spans are in no tree. */
  Set<SpanId> duplicated() {
    return duplicated;
  }

  /**
   * Whether the child does not hold up its parent: a CONSUMER span, or any child of a PRODUCER span
   * (OpenTelemetry messaging conventions; Jaeger's FOLLOWS_FROM).
   */
  static boolean asynchronous(Span parent, Span child) {
    return child.kind() == SpanKind.CONSUMER || parent.kind() == SpanKind.PRODUCER;
  }
}
