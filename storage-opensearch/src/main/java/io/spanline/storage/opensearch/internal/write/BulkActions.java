package io.spanline.storage.opensearch.internal.write;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spanline.storage.opensearch.IndexLayout;
import io.spanline.storage.opensearch.PendingAction;
import io.spanline.storage.opensearch.internal.document.FragmentDocument;
import io.spanline.storage.opensearch.internal.document.SpanDocument;
import io.spanline.storage.opensearch.internal.document.SummaryScript;
import io.spanline.storage.opensearch.internal.document.TraceDocuments;
import io.spanline.storage.opensearch.internal.document.TraceSummaryUpdate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.opensearch.client.json.JsonData;
import org.opensearch.client.opensearch._types.Script;
import org.opensearch.client.opensearch.core.bulk.BulkOperation;
import org.opensearch.client.util.BinaryData;

/**
 * Turns a trace's documents into bulk actions with their estimated sizes (for {@code
 * bulk.max-bytes}): span and fragment documents are indexed under their deterministic IDs, so
 * writing a trace again overwrites them; the summary is a scripted upsert of the stored {@link
 * SummaryScript}, so fragments merge in any order and a fragment applied twice changes nothing.
 */
public final class BulkActions {
  private static final String JSON = "application/json";
  private static final ObjectMapper PARAMS_JSON = new ObjectMapper();

  /**
   * Bytes of a bulk action line besides index name and ID ({@code {"update":{"_index":"",
   * "_id":"","retry_on_conflict":5}}} and two newlines, rounded up).
   */
  private static final int ACTION_LINE_BYTES = 64;

  /** Bytes of a scripted upsert's body besides script ID and parameters, rounded up. */
  private static final int UPDATE_BODY_BYTES = 80;

  private final String summaryScriptId;

  public BulkActions(IndexLayout layout) {
    this.summaryScriptId = SummaryScript.id(layout.prefix());
  }

  /**
   * The bulk actions of one trace's documents: an index action per span document, one for the
   * fragment document and the summary's scripted upsert into its index.
   *
   * @param origin what the trace came from, handed back with each action (e.g. its Kafka record)
   * @param summaryIndex summary document ID → index, from {@link SummaryIndexResolver}
   * @throws IllegalArgumentException if {@code summaryIndex} has no index for the summary
   */
  public <O> List<PendingAction<O>> of(
      O origin, TraceDocuments docs, Map<String, String> summaryIndex) {
    List<PendingAction<O>> actions = new ArrayList<>(docs.spans().size() + 2);
    for (SpanDocument span : docs.spans()) {
      actions.add(
          indexAction(origin, PendingAction.Kind.SPAN, span.index(), span.id(), span.json()));
    }
    FragmentDocument fragment = docs.fragment();
    actions.add(
        indexAction(
            origin, PendingAction.Kind.FRAGMENT, fragment.index(), fragment.id(), fragment.json()));
    TraceSummaryUpdate summary = docs.summary();
    String index = summaryIndex.get(summary.id());
    if (index == null) {
      throw new IllegalArgumentException("no summary index for " + summary.id());
    }
    actions.add(
        new PendingAction<>(
            origin,
            index,
            summary.id(),
            PendingAction.Kind.SUMMARY,
            summaryOperation(index, summary),
            summaryBytes(index, summary)));
    return actions;
  }

  private static <O> PendingAction<O> indexAction(
      O origin, PendingAction.Kind kind, String index, String id, byte[] json) {
    return new PendingAction<>(
        origin,
        index,
        id,
        kind,
        BulkOperation.of(
            b -> b.index(ix -> ix.index(index).id(id).document(BinaryData.of(json, JSON)))),
        ACTION_LINE_BYTES + index.length() + id.length() + json.length);
  }

  /**
   * Estimated bytes of a summary update in a bulk body: its action line, the script reference and
   * the parameters as JSON.
   */
  private long summaryBytes(String index, TraceSummaryUpdate summary) {
    long params;
    try {
      params = PARAMS_JSON.writeValueAsBytes(summary.params()).length;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot size the summary update of " + summary.id(), e);
    }
    return ACTION_LINE_BYTES
        + UPDATE_BODY_BYTES
        + index.length()
        + summary.id().length()
        + summaryScriptId.length()
        + params;
  }

  private BulkOperation summaryOperation(String index, TraceSummaryUpdate summary) {
    Map<String, JsonData> params = new HashMap<>();
    summary.params().forEach((k, v) -> params.put(k, JsonData.of(v)));
    Script script = Script.of(s -> s.stored(st -> st.id(summaryScriptId).params(params)));
    return BulkOperation.of(
        b ->
            b.update(
                u ->
                    u.index(index)
                        .id(summary.id())
                        .retryOnConflict(5)
                        .script(script)
                        .scriptedUpsert(true)
                        .upsert(Map.of())));
  }
}
