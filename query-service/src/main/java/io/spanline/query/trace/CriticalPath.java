package io.spanline.query.trace;

import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The critical path of a trace: the chain of span sections that determined its end-to-end latency,
 * computed as the Jaeger UI computes it (jaeger-ui TracePage/CriticalPath): from the root, follow
 * the child that finished last; when a span has no child left that finished before the point
 * reached, its own time back to its start is on the path, and the walk returns to its parent, which
 * now looks for the child that finished last before that start.
 *
 * <p>Before the walk, as in the Jaeger UI, each child is clipped to its parent's time range (a
 * child wholly outside it is dropped with its subtree), and asynchronous children (a {@code
 * CONSUMER} span, any child of a {@code PRODUCER}) are left out: they do not hold up their parent.
 * A trace with several roots (fragments whose parent is missing) has one walk per root, earliest
 * root first.
 */
public final class CriticalPath {
  private CriticalPath() {}

  /**
   * One stretch of one span on the critical path.
   *
   * @param spanId the span
   * @param startEpochNanos where the stretch starts, epoch nanoseconds
   * @param endEpochNanos where it ends, epoch nanoseconds
   */
  public record Section(SpanId spanId, long startEpochNanos, long endEpochNanos) {}

  /** The sections, latest first (the order of the walk back from the trace's end). */
  public static List<Section> of(List<Span> spans) {
    SpanTree tree = new SpanTree(spans);
    List<Section> path = new ArrayList<>();
    for (Span root : tree.roots()) {
      walk(clipped(tree, root), root.spanId(), path);
    }
    return path;
  }

  /** A span of the walk: its clipped times, its parent and its blocking children. */
  private record Node(SpanId id, long start, long end, SpanId parent, List<SpanId> children) {}

  /** The root's subtree, children clipped to their parents, async and outside children dropped. */
  private static Map<SpanId, Node> clipped(SpanTree tree, Span root) {
    Map<SpanId, Node> nodes = new HashMap<>();
    nodes.put(
        root.spanId(),
        new Node(
            root.spanId(), root.startEpochNanos(), root.endEpochNanos(), null, new ArrayList<>()));
    Deque<Span> todo = new ArrayDeque<>();
    todo.push(root);
    while (!todo.isEmpty()) {
      Span span = todo.pop();
      Node parent = nodes.get(span.spanId());
      for (Span child : tree.children(span)) {
        if (SpanTree.asynchronous(span, child)
            || child.startEpochNanos() >= parent.end()
            || child.endEpochNanos() <= parent.start()) {
          continue;
        }
        long start = Math.max(child.startEpochNanos(), parent.start());
        long end = Math.min(child.endEpochNanos(), parent.end());
        nodes.put(
            child.spanId(), new Node(child.spanId(), start, end, span.spanId(), new ArrayList<>()));
        parent.children().add(child.spanId());
        todo.push(child);
      }
    }
    return nodes;
  }

  /** The Jaeger UI's recursion, as a loop: deep traces must not exhaust the stack. */
  private static void walk(Map<SpanId, Node> nodes, SpanId rootId, List<Section> path) {
    Node current = nodes.get(rootId);
    Long returningChildStart = null;
    while (current != null) {
      Node lastFinishing = lastFinishingChild(nodes, current, returningChildStart);
      long sectionEnd = returningChildStart != null ? returningChildStart : current.end();
      if (lastFinishing != null) {
        add(path, current.id(), lastFinishing.end(), sectionEnd);
        current = lastFinishing;
        returningChildStart = null;
      } else {
        add(path, current.id(), current.start(), sectionEnd);
        returningChildStart = current.start();
        current = current.parent() == null ? null : nodes.get(current.parent());
      }
    }
  }

  private static void add(List<Section> path, SpanId id, long start, long end) {
    if (start != end) {
      path.add(new Section(id, start, end));
    }
  }

  /** The child that finished last, or last before {@code before} when given. */
  private static Node lastFinishingChild(Map<SpanId, Node> nodes, Node span, Long before) {
    Node last = null;
    for (SpanId id : span.children()) {
      Node child = nodes.get(id);
      if ((before == null || child.end() < before) && (last == null || child.end() > last.end())) {
        last = child;
      }
    }
    return last;
  }
}
