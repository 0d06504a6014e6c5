package io.spanline.storage;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Ranks attribute values by how over-represented they are in a selection of traces against a
 * baseline ("what is different"), from per-value trace counts on each side.
 *
 * <p>The score is the difference of the two shares: the fraction of selected traces that have the
 * value minus the fraction of baseline traces that have it, from -1 to 1 (Honeycomb's BubbleUp
 * compares the same two percentages). It reads directly ("in 100 % of the slow traces, in 3 % of
 * the others"), needs no background frequency of the whole index (what {@code significant_terms}'
 * heuristics weigh against, counted in span documents rather than traces), and a value common to
 * both sides — the route every request takes — scores near 0 however frequent it is. Only values
 * scoring above 0 are listed. A value in a single selected trace is left out when the selection
 * holds more than one: identifiers (order and request IDs) are unique to one trace and would
 * otherwise fill the list with shares of 1/n. Ties go to the value rarer in the baseline, then the
 * one in more selected traces, then key and value in order, so the ranking is stable.
 */
public final class AttributeScoring {
  private AttributeScoring() {}

  /** The trace counts of one attribute value on each side. */
  public record Counted(String key, String value, long selectionTraces, long baselineTraces) {}

  /**
   * The share of the selection with the value minus the share of the baseline with it; an empty
   * side has a share of 0.
   *
   * @throws IllegalArgumentException if a count is negative or above its total
   */
  public static double score(
      long selectionTraces, long selectionTotal, long baselineTraces, long baselineTotal) {
    return share(selectionTraces, selectionTotal) - share(baselineTraces, baselineTotal);
  }

  /**
   * The values scoring above 0, best first, at most {@code max}.
   *
   * @throws IllegalArgumentException if {@code max} is below 1 or a count is out of range
   */
  public static List<AttributeDifference> rank(
      List<Counted> counts, long selectionTotal, long baselineTotal, int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be >= 1, was " + max);
    }
    List<AttributeDifference> out = new ArrayList<>();
    for (Counted c : counts) {
      if (c.selectionTraces() < 2 && selectionTotal > 1) {
        continue;
      }
      double score = score(c.selectionTraces(), selectionTotal, c.baselineTraces(), baselineTotal);
      if (score > 0) {
        out.add(
            new AttributeDifference(
                c.key(),
                c.value(),
                c.selectionTraces(),
                c.baselineTraces(),
                share(c.selectionTraces(), selectionTotal),
                share(c.baselineTraces(), baselineTotal),
                score));
      }
    }
    out.sort(
        Comparator.comparingDouble(AttributeDifference::score)
            .reversed()
            .thenComparingDouble(AttributeDifference::baselineShare)
            .thenComparing(
                Comparator.comparingLong(AttributeDifference::selectionTraces).reversed())
            .thenComparing(AttributeDifference::key)
            .thenComparing(AttributeDifference::value));
    return out.size() > max ? List.copyOf(out.subList(0, max)) : out;
  }

  private static double share(long count, long total) {
    if (count < 0 || total < 0 || count > total) {
      throw new IllegalArgumentException("count " + count + " is not within 0.." + total);
    }
    return total == 0 ? 0 : (double) count / total;
  }
}
