package io.spanline.storage.opensearch.internal.document;

import java.util.List;
import java.util.Objects;

/** The documents one kept trace (or late fragment) becomes: its spans and its summary update. */
public record TraceDocuments(List<SpanDocument> spans, TraceSummaryUpdate summary) {
  public TraceDocuments {
    spans = List.copyOf(spans);
    Objects.requireNonNull(summary, "summary");
  }
}
