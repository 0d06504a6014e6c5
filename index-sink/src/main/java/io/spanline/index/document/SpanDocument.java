package io.spanline.index.document;

import java.util.Map;
import java.util.Objects;

/**
 * One span as an OpenSearch document.
 *
 * @param index the daily span index (by the span's start)
 * @param id deterministic document ID, see {@link io.spanline.index.layout.IndexLayout}
 * @param source the document, field names as in {@link io.spanline.index.layout.Fields}
 */
public record SpanDocument(String index, String id, Map<String, Object> source) {
  public SpanDocument {
    Objects.requireNonNull(index, "index");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(source, "source");
  }
}
