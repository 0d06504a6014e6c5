package io.spanline.storage.opensearch;

/**
 * A bulk action OpenSearch refused for good, as often as allowed ({@link TraceIndexWriter#index}).
 *
 * @param <O> what the action came from
 * @param status the HTTP status of the item (or of the request holding only it)
 * @param type OpenSearch's error type, e.g. {@code mapper_parsing_exception}
 * @param reason OpenSearch's error message
 */
public record BulkRejection<O>(PendingAction<O> action, int status, String type, String reason) {
  /** HTTP 413: the request body is larger than OpenSearch accepts. */
  public static final int REQUEST_TOO_LARGE = 413;

  /** True when OpenSearch refused a request holding only this document as too large (413). */
  public boolean tooLarge() {
    return status == REQUEST_TOO_LARGE;
  }
}
