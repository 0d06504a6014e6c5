package io.spanline.storage.opensearch;

import io.micrometer.core.instrument.Timer;

/**
 * What a {@link TraceIndexWriter} reports of its bulk requests; the index sink's metrics implement
 * it.
 */
public interface BulkMetrics {
  /** Times each bulk request, from send to answer. */
  Timer bulkTimer();

  /** One document indexed: a span, a trace fragment or a trace summary ({@code kind}). */
  void indexed(PendingAction.Kind kind);

  /**
   * @param type OpenSearch's error type (e.g. {@code mapper_parsing_exception}) or, for a failed
   *     request, {@code request_failed}
   * @param count failed items
   */
  void bulkError(String type, int count);

  /** One request sent again in halves after OpenSearch answered 413. */
  void bulkSplit();
}
