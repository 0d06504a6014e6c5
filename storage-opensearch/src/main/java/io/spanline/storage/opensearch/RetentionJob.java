package io.spanline.storage.opensearch;

import io.spanline.service.retention.DailyRetention;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntConsumer;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.ExpandWildcard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes daily span, trace fragment and trace summary indices past the hot retention, as Jaeger's
 * index cleaner does: with a retention of N days, on UTC day D the indices of days before D − N + 1
 * go, so N whole days (today included) stay. Only this layout's indices (its prefix, a parseable
 * day) are touched. Runs on the sink's scheduler whether or not ISM is installed; deleting an index
 * that is already gone is not an error.
 */
public final class RetentionJob implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(RetentionJob.class);

  private final OpenSearchClient client;
  private final IndexLayout layout;
  private final DailyRetention retention;
  private final IntConsumer deleted;

  /**
   * @param retention whole days to keep (at least one)
   * @param deleted told how many indices each run deleted (e.g. a counter)
   * @throws IllegalArgumentException if the retention is shorter than a day
   */
  public RetentionJob(
      OpenSearchClient client,
      IndexLayout layout,
      Duration retention,
      Clock clock,
      IntConsumer deleted) {
    this.client = client;
    this.layout = layout;
    this.retention = new DailyRetention(retention, clock);
    this.deleted = deleted;
  }

  /** The first day kept: indices of earlier days are deleted. */
  LocalDate firstDayKept() {
    return retention.firstDayKept();
  }

  /**
   * Deletes the expired indices now.
   *
   * @return the names of the indices deleted
   * @throws IOException if OpenSearch cannot be reached
   */
  List<String> deleteExpired() throws IOException {
    LocalDate firstKept = firstDayKept();
    List<String> expired = new ArrayList<>();
    for (String pattern :
        List.of(
            layout.spanIndexPattern(), layout.fragmentIndexPattern(), layout.traceIndexPattern())) {
      for (String index :
          client
              .indices()
              .get(
                  g -> g.index(pattern).expandWildcards(ExpandWildcard.Open, ExpandWildcard.Closed))
              .result()
              .keySet()) {
        Optional<LocalDate> day = layout.dayOfIndex(index);
        if (day.isPresent() && day.get().isBefore(firstKept)) {
          expired.add(index);
        }
      }
    }
    for (String index : expired) {
      client.indices().delete(d -> d.index(index).ignoreUnavailable(true));
      LOG.info("Retention: deleted index {} (older than {})", index, firstKept);
    }
    deleted.accept(expired.size());
    return expired;
  }

  /** For a scheduler: runs {@link #deleteExpired()}, logging instead of throwing. */
  @Override
  public void run() {
    try {
      deleteExpired();
    } catch (IOException | RuntimeException e) {
      LOG.warn("Retention run failed; the next run tries again: {}", e.toString());
    }
  }
}
