package io.spanline.storage.opensearch.internal.document;

import java.util.Objects;

/**
 * The spans of one kept trace fragment, stored once, as an OpenSearch document.
 *
 * @param index the daily fragment index (by the fragment's earliest span start)
 * @param id deterministic document ID, see {@link
 *     io.spanline.storage.opensearch.IndexLayout#fragmentDocumentId}
 * @param json the document as UTF-8 JSON, field names as in {@link
 *     io.spanline.storage.opensearch.Fields}
 */
public record FragmentDocument(String index, String id, byte[] json) {
  public FragmentDocument {
    Objects.requireNonNull(index, "index");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(json, "json");
  }
}
