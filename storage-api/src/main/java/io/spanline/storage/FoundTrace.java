package io.spanline.storage;

import io.spanline.schemas.model.Span;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A trace as a store returns it.
 *
 * @param spans the trace's spans, each span ID once, by start time
 * @param truncated whether spans were left out to stay within the store's span limit
 * @param source which store answered, e.g. {@code opensearch} or {@code archive}
 */
public record FoundTrace(List<Span> spans, boolean truncated, String source) {
  public FoundTrace {
    spans = List.copyOf(spans);
    Objects.requireNonNull(source, "source");
  }

  /**
   * The spans as a store answers them: a span ID seen twice (a span written again after a retry)
   * counts once, spans sorted by start, at most {@code maxSpans} of them.
   *
   * @param maxSpans at least 1
   */
  public static FoundTrace capped(List<Span> spans, int maxSpans, String source) {
    Map<Long, Span> unique = new LinkedHashMap<>();
    for (Span s : spans) {
      unique.putIfAbsent(s.spanId().value(), s);
    }
    List<Span> out = new ArrayList<>(unique.values());
    out.sort(Comparator.comparingLong(Span::startEpochNanos));
    boolean truncated = out.size() > maxSpans;
    return new FoundTrace(truncated ? out.subList(0, maxSpans) : out, truncated, source);
  }
}
