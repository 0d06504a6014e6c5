package io.spanline.index.bulk;

import io.micrometer.core.instrument.Timer;
import io.spanline.index.metrics.IndexSinkMetrics;
import java.util.ArrayList;
import java.util.List;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.core.BulkRequest;
import org.opensearch.client.opensearch.core.BulkResponse;
import org.opensearch.client.opensearch.core.bulk.BulkResponseItem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends pending actions as bulk requests of at most {@code maxActions} and sorts each item's
 * result: done, to retry (OpenSearch overloaded or failing: HTTP 429, 408, 409 after the update's
 * own retries, 5xx, or the whole request failed) or rejected for good (any other 4xx, such as a
 * mapping conflict). Never throws for OpenSearch's failures: they come back as retries.
 */
public final class BulkIndexer {
  private static final Logger LOG = LoggerFactory.getLogger(BulkIndexer.class);

  private final OpenSearchClient client;
  private final int maxActions;
  private final IndexSinkMetrics metrics;

  public BulkIndexer(OpenSearchClient client, int maxActions, IndexSinkMetrics metrics) {
    if (maxActions < 1) {
      throw new IllegalArgumentException("maxActions must be >= 1, was " + maxActions);
    }
    this.client = client;
    this.maxActions = maxActions;
    this.metrics = metrics;
  }

  /** An item OpenSearch refused for good. */
  public record Rejection(PendingAction action, int status, String type, String reason) {}

  /** What is left after one pass: actions to send again, and actions refused for good. */
  public record Outcome(List<PendingAction> retry, List<Rejection> rejected) {
    public boolean done() {
      return retry.isEmpty();
    }
  }

  /** Whether an item that failed with this HTTP status may succeed if sent again. */
  public static boolean retryable(int status) {
    return status == 429 || status == 408 || status == 409 || status >= 500;
  }

  public Outcome index(List<PendingAction> actions) {
    List<PendingAction> retry = new ArrayList<>();
    List<Rejection> rejected = new ArrayList<>();
    for (int from = 0; from < actions.size(); from += maxActions) {
      List<PendingAction> chunk =
          actions.subList(from, Math.min(actions.size(), from + maxActions));
      send(chunk, retry, rejected);
    }
    return new Outcome(retry, rejected);
  }

  private void send(
      List<PendingAction> chunk, List<PendingAction> retry, List<Rejection> rejected) {
    BulkRequest.Builder request = new BulkRequest.Builder();
    for (PendingAction a : chunk) {
      request.operations(a.operation());
    }
    BulkResponse response;
    Timer.Sample sample = Timer.start();
    try {
      response = client.bulk(request.build());
    } catch (Exception e) { // IOException, OpenSearchException, TransportException: all transient
      sample.stop(metrics.bulkTimer());
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
      PendingAction action = chunk.get(i);
      if (item.error() == null) {
        metrics.indexed(action.summary());
        continue;
      }
      String type = item.error().type() == null ? "unknown" : item.error().type();
      metrics.bulkError(type, 1);
      if (retryable(item.status())) {
        retry.add(action);
      } else {
        rejected.add(
            new Rejection(action, item.status(), type, String.valueOf(item.error().reason())));
      }
    }
  }
}
