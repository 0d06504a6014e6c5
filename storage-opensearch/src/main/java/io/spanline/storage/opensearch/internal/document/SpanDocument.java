package io.spanline.storage.opensearch.internal.document;

import java.util.Objects;

/**
 * One span as an OpenSearch document.
 *
 * @param index the daily span index (by the span's start)
 * @param id deterministic document ID, see {@link io.spanline.storage.opensearch.IndexLayout}
 * @param json the document as UTF-8 JSON, field names as in {@link
 *     io.spanline.storage.opensearch.Fields}
 */
public record SpanDocument(String index, String id, byte[] json) {
  public SpanDocument {
    Objects.requireNonNull(index, "index");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(json, "json");
  }
}
