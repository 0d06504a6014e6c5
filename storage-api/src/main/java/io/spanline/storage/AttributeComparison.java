package io.spanline.storage;

import java.util.List;

/**
 * The answer of {@link TraceSearch#compareAttributes}: how many traces each side held, and the
 * attribute values over-represented in the selection, highest score first.
 *
 * @param selectionTraces traces of the selection compared (at most its query's limit)
 * @param baselineTraces traces of the baseline compared, the selection's left out
 */
public record AttributeComparison(
    long selectionTraces, long baselineTraces, List<AttributeDifference> differences) {
  public AttributeComparison {
    differences = List.copyOf(differences);
  }
}
