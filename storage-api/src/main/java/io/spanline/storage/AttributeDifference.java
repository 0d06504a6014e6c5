package io.spanline.storage;

import java.util.Objects;

/**
 * One attribute value and how over-represented it is in a selection of traces against a baseline
 * ({@link TraceSearch#compareAttributes}). A trace has the value when any of its spans carries it
 * as a span, event, link, resource or scope attribute (the key's string form of the value, as
 * searched).
 *
 * @param selectionTraces traces of the selection with the value
 * @param baselineTraces traces of the baseline with the value
 * @param selectionShare {@code selectionTraces} over the selection's traces, 0 to 1
 * @param baselineShare {@code baselineTraces} over the baseline's traces, 0 to 1 (0 for an empty
 *     baseline)
 * @param score how over-represented the value is, {@link AttributeScoring#score}: above 0, at most
 *     1
 */
public record AttributeDifference(
    String key,
    String value,
    long selectionTraces,
    long baselineTraces,
    double selectionShare,
    double baselineShare,
    double score) {
  public AttributeDifference {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
  }
}
