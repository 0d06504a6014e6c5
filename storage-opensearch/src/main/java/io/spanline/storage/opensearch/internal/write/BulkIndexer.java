package io.spanline.storage.opensearch.internal.write;

import io.micrometer.core.instrument.Timer;
import io.spanline.storage.opensearch.BulkMetrics;
import io.spanline.storage.opensearch.BulkOutcome;
import io.spanline.storage.opensearch.BulkRejection;
import io.spanline.storage.opensearch.PendingAction;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.OpenSearchException;
import org.opensearch.client.opensearch.core.BulkRequest;
import org.opensearch.client.opensearch.core.BulkResponse;
import org.opensearch.client.opensearch.core.bulk.BulkResponseItem;
import org.opensearch.client.transport.httpclient5.ResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends pending actions as bulk requests of at most {@code maxActions} actions and {@code maxBytes}
 * estimated bytes, and sorts each item's result: done, to retry (OpenSearch overloaded or failing:
 * HTTP 429, 408, 409 after the update's own retries, 5xx, or the whole request failed) or refused
 * for good (any other 4xx, such as a mapping conflict).
 *
 * <p>A whole request OpenSearch answers with 413 (request entity too large, above its {@code
 * http.max_content_length}) is split in halves that are sent at once, down to single documents; a
 * document refused alone with 413 counts as refused for good. A document refused for good is sent
 * again (after the caller's backoff) until it was refused {@code refusedMaxAttempts} times, then
 * comes back as a {@link BulkRejection}. Never throws for OpenSearch's failures: they come back as
 * retries or rejections.
 */
public final class BulkIndexer {
  private static final Logger LOG = LoggerFactory.getLogger(BulkIndexer.class);

  private final OpenSearchClient client;
  private final int maxActions;
  private final long maxBytes;
  private final int refusedMaxAttempts;
  private final BulkMetrics metrics;

  /**
   * @param maxActions most actions per bulk request, at least 1
   * @param maxBytes most estimated bytes per bulk request, at least 1; a larger single action is
   *     sent alone
   * @param refusedMaxAttempts how many refusals for good a document gets before it is rejected, at
   *     least 1
   * @throws IllegalArgumentException if a limit is below 1
   */
  public BulkIndexer(
      OpenSearchClient client,
      int maxActions,
      long maxBytes,
      int refusedMaxAttempts,
      BulkMetrics metrics) {
    if (maxActions < 1 || maxBytes < 1 || refusedMaxAttempts < 1) {
      throw new IllegalArgumentException(
          "maxActions, maxBytes and refusedMaxAttempts must be >= 1, were "
              + maxActions
              + ", "
              + maxBytes
              + " and "
              + refusedMaxAttempts);
    }
    this.client = client;
    this.maxActions = maxActions;
    this.maxBytes = maxBytes;
    this.refusedMaxAttempts = refusedMaxAttempts;
    this.metrics = metrics;
  }

  /** Whether an item that failed with this HTTP status may succeed if sent again. */
  static boolean retryable(int status) {
    return status == 429 || status == 408 || status == 409 || status >= 500;
  }

  /**
   * Sends the actions and sorts their results.
   *
   * @param <O> what each action came from (e.g. its Kafka record), handed back with it
   */
  public <O> BulkOutcome<O> index(List<PendingAction<O>> actions) {
    List<PendingAction<O>> retry = new ArrayList<>();
    List<BulkRejection<O>> rejected = new ArrayList<>();
    for (List<PendingAction<O>> chunk : chunks(actions, maxActions, maxBytes)) {
      send(chunk, retry, rejected);
    }
    return new BulkOutcome<>(retry, rejected);
  }

  /**
   * Splits actions, in order, into requests of at most {@code maxActions} actions and {@code
   * maxBytes} estimated bytes; an action larger than {@code maxBytes} makes a request of its own.
   */
  static <O> List<List<PendingAction<O>>> chunks(
      List<PendingAction<O>> actions, int maxActions, long maxBytes) {
    List<List<PendingAction<O>>> chunks = new ArrayList<>();
    List<PendingAction<O>> chunk = new ArrayList<>();
    long bytes = 0;
    for (PendingAction<O> a : actions) {
      if (!chunk.isEmpty() && (chunk.size() >= maxActions || bytes + a.bytes() > maxBytes)) {
        chunks.add(chunk);
        chunk = new ArrayList<>();
        bytes = 0;
      }
      chunk.add(a);
      bytes += a.bytes();
    }
    if (!chunk.isEmpty()) {
      chunks.add(chunk);
    }
    return chunks;
  }

  private <O> void send(
      List<PendingAction<O>> chunk, List<PendingAction<O>> retry, List<BulkRejection<O>> rejected) {
    BulkRequest.Builder request = new BulkRequest.Builder();
    for (PendingAction<O> a : chunk) {
      request.operations(a.operation());
    }
    BulkResponse response;
    Timer.Sample sample = Timer.start();
    try {
      response = client.bulk(request.build());
    } catch (Exception e) { // IOException, OpenSearchException, TransportException
      sample.stop(metrics.bulkTimer());
      if (httpStatus(e).orElse(0) == BulkRejection.REQUEST_TOO_LARGE) {
        tooLarge(chunk, retry, rejected);
        return;
      }
      // OpenSearch down, slow, overloaded or failing: transient, whatever the status
      metrics.bulkError("request_failed", chunk.size());
      LOG.warn("Bulk request of {} documents failed; will retry: {}", chunk.size(), e.toString());
      retry.addAll(chunk);
      return;
    }
    sample.stop(metrics.bulkTimer());
    List<BulkResponseItem> items = response.items();
    if (items.size() != chunk.size()) {
      LOG.warn(
          "Bulk response has {} items for {} operations; will retry them all",
          items.size(),
          chunk.size());
      metrics.bulkError("item_count_mismatch", chunk.size());
      retry.addAll(chunk);
      return;
    }
    for (int i = 0; i < items.size(); i++) {
      BulkResponseItem item = items.get(i);
      PendingAction<O> action = chunk.get(i);
      if (item.error() == null) {
        metrics.indexed(action.kind());
        continue;
      }
      String type = item.error().type() == null ? "unknown" : item.error().type();
      metrics.bulkError(type, 1);
      if (retryable(item.status())) {
        retry.add(action);
      } else {
        refused(
            action, item.status(), type, String.valueOf(item.error().reason()), retry, rejected);
      }
    }
  }

  /** OpenSearch answered 413 for the whole request: halve it, or refuse a single document. */
  private <O> void tooLarge(
      List<PendingAction<O>> chunk, List<PendingAction<O>> retry, List<BulkRejection<O>> rejected) {
    long bytes = chunk.stream().mapToLong(PendingAction::bytes).sum();
    metrics.bulkError("request_too_large", chunk.size());
    if (chunk.size() > 1) {
      LOG.warn(
          "OpenSearch refused a bulk request of {} documents (~{} bytes) as too large (413);"
              + " sending it in halves (lower bulk.max-bytes below OpenSearch's"
              + " http.max_content_length)",
          chunk.size(),
          bytes);
      metrics.bulkSplit();
      int half = chunk.size() / 2;
      send(chunk.subList(0, half), retry, rejected);
      send(chunk.subList(half, chunk.size()), retry, rejected);
      return;
    }
    refused(
        chunk.get(0),
        BulkRejection.REQUEST_TOO_LARGE,
        "request_too_large",
        "a bulk request holding only this document (~"
            + bytes
            + " bytes) is larger than OpenSearch accepts (http.max_content_length)",
        retry,
        rejected);
  }

  private <O> void refused(
      PendingAction<O> action,
      int status,
      String type,
      String reason,
      List<PendingAction<O>> retry,
      List<BulkRejection<O>> rejected) {
    PendingAction<O> refused = action.refusedOnce();
    if (refused.refusals() >= refusedMaxAttempts) {
      rejected.add(new BulkRejection<>(refused, status, type, reason));
    } else {
      LOG.warn(
          "OpenSearch refused document {} ({} {}: {}); attempt {} of {}, will send it again",
          action.id(),
          status,
          type,
          reason,
          refused.refusals(),
          refusedMaxAttempts);
      retry.add(refused);
    }
  }

  /**
   * The HTTP status OpenSearch (or a proxy in front of it) answered with, if the failure has one.
   */
  static OptionalInt httpStatus(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof OpenSearchException e) {
        return OptionalInt.of(e.status());
      }
      if (t instanceof ResponseException e) {
        return OptionalInt.of(e.status());
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return OptionalInt.empty();
  }
}
