package io.spanline.storage.opensearch.internal.write;

import io.spanline.storage.opensearch.IndexLayout;
import io.spanline.storage.opensearch.internal.document.TraceSummaryUpdate;
import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.core.MgetResponse;
import org.opensearch.client.opensearch.core.mget.MultiGetOperation;
import org.opensearch.client.opensearch.core.mget.MultiGetResponseItem;

/**
 * Decides which daily summary index each trace's summary update goes to. A summary lives in the
 * index of its trace's start day, which fragment 0 knows. A late fragment alone does not (its spans
 * may start after midnight while the trace started before), so its summary is looked up by ID in
 * the indices of the day before, the day of and the day after the fragment's start, with a realtime
 * multi-get (no refresh needed); when none holds it, the fragment's own start day is used.
 */
public final class SummaryIndexResolver {
  private final OpenSearchClient client;
  private final IndexLayout layout;

  public SummaryIndexResolver(OpenSearchClient client, IndexLayout layout) {
    this.client = client;
    this.layout = layout;
  }

  /**
   * @param updates summary updates of one batch, in record order
   * @return summary document ID → index, for every ID in {@code updates}
   * @throws IOException if OpenSearch cannot be reached (the caller retries)
   */
  public Map<String, String> resolve(List<TraceSummaryUpdate> updates) throws IOException {
    Map<String, String> indexById = new HashMap<>();
    Map<String, TraceSummaryUpdate> lateOnly = new LinkedHashMap<>();
    for (TraceSummaryUpdate u : updates) {
      if (u.fragment() == 0) {
        indexById.put(u.id(), layout.traceIndex(IndexLayout.dayOf(u.startEpochNanos())));
        lateOnly.remove(u.id());
      } else if (!indexById.containsKey(u.id())) {
        lateOnly.putIfAbsent(u.id(), u);
      }
    }
    if (lateOnly.isEmpty()) {
      return indexById;
    }
    List<MultiGetOperation> docs = new ArrayList<>();
    for (TraceSummaryUpdate u : lateOnly.values()) {
      LocalDate day = IndexLayout.dayOf(u.startEpochNanos());
      for (LocalDate d : List.of(day.minusDays(1), day, day.plusDays(1))) {
        String index = layout.traceIndex(d);
        docs.add(MultiGetOperation.of(m -> m.index(index).id(u.id()).source(s -> s.fetch(false))));
      }
    }
    MgetResponse<Void> found = client.mget(m -> m.docs(docs), Void.class);
    for (MultiGetResponseItem<Void> item : found.docs()) {
      if (item.isResult() && item.result().found()) {
        indexById.putIfAbsent(item.result().id(), item.result().index());
      }
    }
    for (TraceSummaryUpdate u : lateOnly.values()) {
      indexById.putIfAbsent(u.id(), layout.traceIndex(IndexLayout.dayOf(u.startEpochNanos())));
    }
    return indexById;
  }
}
