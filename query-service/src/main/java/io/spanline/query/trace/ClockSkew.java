package io.spanline.query.trace;

import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanEvent;
import io.spanline.schemas.model.SpanId;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Clock-skew adjustment of a trace, as the Jaeger query service's adjuster does it
 * (jaeger/cmd/query/app/querysvc/adjuster/clockskew.go): spans from different hosts have different
 * clocks, so a server span may seem to start before the client span that called it.
 *
 * <p>The host of a span is the first of its resource's {@code host.id}, {@code host.ip} (a string,
 * or the first of an array) and {@code host.name} (OpenTelemetry semantic conventions). A child
 * from the same host as its parent keeps the parent's correction: they share a clock. A child from
 * another host, or from an unknown one, that does not fit inside its (already corrected) parent is
 * moved: centred in the parent when it is shorter (network latency taken as equal both ways), or
 * moved to start with the parent when it is longer. Its subtree on its host moves with it. Start,
 * end and event times move together, so durations never change.
 *
 * <p>Two departures from Jaeger: asynchronous children (a {@code CONSUMER} span, or any child of a
 * {@code PRODUCER}: the messaging case of Jaeger's FOLLOWS_FROM) are never pulled into their
 * parent, since they may rightly run after it; and the end time moves with the start time.
 */
public final class ClockSkew {
  private ClockSkew() {}

  /**
   * The correction of one span.
   *
   * @param spanId the span
   * @param deltaNanos what was added to its start, end and event times, nanoseconds; 0 when the
   *     span was not moved (see the warning)
   * @param warning what was done or why not, for the UI
   */
  public record Adjustment(SpanId spanId, long deltaNanos, String warning) {}

  /**
   * A corrected trace.
   *
   * @param spans the spans in their original order, corrected ones replaced
   * @param adjustments one per span that was moved or that could not be, in tree order
   */
  public record Result(List<Span> spans, List<Adjustment> adjustments) {}

  /**
   * Corrects the spans of one trace.
   *
   * @param maxDelta corrections larger than this are not applied, only reported
   */
  public static Result adjust(List<Span> spans, Duration maxDelta) {
    Objects.requireNonNull(maxDelta, "maxDelta");
    SpanTree tree = new SpanTree(spans);
    Map<SpanId, Span> corrected = new HashMap<>();
    List<Adjustment> adjustments = new ArrayList<>();
    for (SpanId duplicate : tree.duplicated()) {
      adjustments.add(
          new Adjustment(duplicate, 0, "duplicate span IDs; skipping clock skew adjustment"));
    }
    long max = maxDelta.toNanos();
    Deque<Step> steps = new ArrayDeque<>();
    for (Span root : tree.roots()) {
      root.parent()
          .ifPresent(
              missing ->
                  adjustments.add(
                      new Adjustment(
                          root.spanId(),
                          0,
                          "parent span "
                              + missing.toHex()
                              + " is not in the trace; skipping clock skew adjustment")));
      steps.push(new Step(root, null, new Skew(host(root), 0)));
    }
    while (!steps.isEmpty()) {
      Step step = steps.pop();
      Span span = step.span();
      Skew skew = step.skew();
      String host = host(span);
      if (step.parent() != null && (host.isEmpty() || !host.equals(skew.host()))) {
        long delta = SpanTree.asynchronous(step.parent(), span) ? 0 : skewOf(span, step.parent());
        skew = new Skew(host, delta);
      }
      Span result = span;
      if (skew.delta() != 0) {
        if (Math.abs(skew.delta()) > max) {
          adjustments.add(
              new Adjustment(
                  span.spanId(),
                  0,
                  "max clock skew adjustment delta of "
                      + format(max)
                      + " exceeded; not applying calculated delta of "
                      + format(skew.delta())));
        } else {
          result = shifted(span, skew.delta());
          corrected.put(span.spanId(), result);
          adjustments.add(
              new Adjustment(
                  span.spanId(),
                  skew.delta(),
                  "This span's timestamps were adjusted by " + format(skew.delta())));
        }
      }
      List<Span> children = tree.children(span);
      for (int i = children.size() - 1; i >= 0; i--) {
        steps.push(new Step(children.get(i), result, skew));
      }
    }
    List<Span> out = new ArrayList<>(spans.size());
    for (Span s : spans) {
      out.add(tree.duplicated().contains(s.spanId()) ? s : corrected.getOrDefault(s.spanId(), s));
    }
    return new Result(out, adjustments);
  }

  private record Skew(String host, long delta) {}

  private record Step(Span span, Span parent, Skew skew) {}

  /** The correction that puts {@code child} (as recorded) inside {@code parent} (corrected). */
  static long skewOf(Span child, Span parent) {
    long parentDuration = parent.durationNanos();
    long childDuration = child.durationNanos();
    if (childDuration > parentDuration) {
      // longer than its parent: only make sure it does not start before it
      return child.startEpochNanos() < parent.startEpochNanos()
          ? parent.startEpochNanos() - child.startEpochNanos()
          : 0;
    }
    if (child.startEpochNanos() >= parent.startEpochNanos()
        && child.endEpochNanos() <= parent.endEpochNanos()) {
      return 0;
    }
    long latency = (parentDuration - childDuration) / 2;
    return parent.startEpochNanos() + latency - child.startEpochNanos();
  }

  /** The span's host: {@code host.id}, {@code host.ip} or {@code host.name}; "" when none. */
  static String host(Span span) {
    List<Attribute> resource = span.resource().attributes();
    Optional<AnyValue> id = Attribute.find(resource, "host.id");
    if (id.isPresent()) {
      return id.get().asText();
    }
    Optional<AnyValue> ip = Attribute.find(resource, "host.ip");
    if (ip.isPresent()) {
      if (ip.get() instanceof AnyValue.ArrayValue array) {
        if (!array.values().isEmpty()) {
          return array.values().get(0).asText();
        }
      } else {
        return ip.get().asText();
      }
    }
    return Attribute.find(resource, "host.name").map(AnyValue::asText).orElse("");
  }

  private static Span shifted(Span span, long delta) {
    List<SpanEvent> events = new ArrayList<>(span.events().size());
    for (SpanEvent e : span.events()) {
      events.add(
          new SpanEvent(
              e.epochNanos() + delta, e.name(), e.attributes(), e.droppedAttributesCount()));
    }
    return span.toBuilder()
        .time(span.startEpochNanos() + delta, span.endEpochNanos() + delta)
        .events(events)
        .build();
  }

  /** A duration as Go prints one: {@code 1.5ms}, {@code -250µs}, {@code 4.999999975s}. */
  static String format(long nanos) {
    long abs = Math.abs(nanos);
    String sign = nanos < 0 ? "-" : "";
    if (abs >= 1_000_000_000L) {
      return sign + exact(abs, 9) + "s";
    }
    if (abs >= 1_000_000L) {
      return sign + exact(abs, 6) + "ms";
    }
    if (abs >= 1_000L) {
      return sign + exact(abs, 3) + "µs";
    }
    return sign + abs + "ns";
  }

  private static String exact(long nanos, int scale) {
    return BigDecimal.valueOf(nanos, scale).stripTrailingZeros().toPlainString();
  }
}
