package io.spanline.storage.opensearch.internal.document;

import java.util.List;
import java.util.Objects;

/**
 * The documents one kept trace (or late fragment) becomes: its searchable span documents, the
 * fragment document holding its spans once, and its summary update.
 */
public record TraceDocuments(
    List<SpanDocument> spans, FragmentDocument fragment, TraceSummaryUpdate summary) {
  public TraceDocuments {
    spans = List.copyOf(spans);
    Objects.requireNonNull(fragment, "fragment");
    Objects.requireNonNull(summary, "summary");
  }
}
