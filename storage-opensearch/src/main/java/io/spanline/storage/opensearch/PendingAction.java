package io.spanline.storage.opensearch;

import java.util.Objects;
import org.opensearch.client.opensearch.core.bulk.BulkOperation;

/**
 * One bulk operation still to be done, with what it came from (the index sink keeps the Kafka
 * record, for dead-lettering and for dropping work of partitions its consumer no longer owns).
 *
 * @param <O> the type of {@code origin}
 * @param kind what the operation writes: a span document, a trace fragment document or a trace
 *     summary update
 * @param bytes the operation's estimated size in a bulk request body (action line and document), in
 *     bytes
 * @param refusals how many times OpenSearch refused this operation for good so far (not counting
 *     transient failures)
 */
public record PendingAction<O>(
    O origin,
    String index,
    String id,
    Kind kind,
    BulkOperation operation,
    long bytes,
    int refusals) {
  /** What a bulk operation writes. */
  public enum Kind {
    /** A span document (searched). */
    SPAN,
    /** A trace fragment document (the fragment's spans, stored once). */
    FRAGMENT,
    /** A trace summary update (scripted upsert). */
    SUMMARY
  }

  public PendingAction {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(index, "index");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(operation, "operation");
    if (bytes < 0 || refusals < 0) {
      throw new IllegalArgumentException(
          "bytes and refusals must be >= 0, were " + bytes + " and " + refusals);
    }
  }

  /** A new operation, not refused yet. */
  public PendingAction(
      O origin, String index, String id, Kind kind, BulkOperation operation, long bytes) {
    this(origin, index, id, kind, operation, bytes, 0);
  }

  /** This operation after one more refusal for good (what the bulk writer hands back to retry). */
  public PendingAction<O> refusedOnce() {
    return new PendingAction<>(origin, index, id, kind, operation, bytes, refusals + 1);
  }
}
