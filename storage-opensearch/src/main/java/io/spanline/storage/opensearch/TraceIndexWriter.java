package io.spanline.storage.opensearch;

import io.spanline.schemas.model.SampledTrace;
import io.spanline.storage.opensearch.internal.document.SpanDocumentMapper;
import io.spanline.storage.opensearch.internal.document.TraceDocuments;
import io.spanline.storage.opensearch.internal.write.BulkActions;
import io.spanline.storage.opensearch.internal.write.BulkIndexer;
import io.spanline.storage.opensearch.internal.write.SummaryIndexResolver;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.opensearch.client.opensearch.OpenSearchClient;

/**
 * The write path of the span, trace fragment and summary indices, for the index sink: kept traces
 * become span documents and one fragment document holding their spans once (under deterministic
 * IDs, so a trace written again overwrites them) and one scripted upsert of the trace's summary (so
 * fragments merge in any order, and a fragment applied twice changes nothing), sent as bulk
 * requests. Retrying and giving up are the caller's: {@link #index} hands back what to send again
 * and what OpenSearch refused for good, each action with what it came from.
 *
 * <p>Not thread-safe: one writer per consumer thread.
 */
public final class TraceIndexWriter {
  /**
   * Attribute keys indexed by default (the index sink's {@code index.attributes}): OpenTelemetry
   * semantic-convention keys on-call engineers search by (HTTP, RPC, database, messaging, errors,
   * deployment, Kubernetes), in current and previous naming.
   */
  public static final List<String> DEFAULT_ALLOWLIST = SpanDocumentMapper.DEFAULT_ALLOWLIST;

  /** The allowlist entry that indexes every attribute key (no cardinality guard). */
  public static final String ALL_KEYS = SpanDocumentMapper.ALL_KEYS;

  private final SpanDocumentMapper mapper;
  private final SummaryIndexResolver summaries;
  private final BulkActions actions;
  private final BulkIndexer indexer;

  /**
   * @param layout the indices written (prefix); the templates must be installed ({@link
   *     IndexTemplates#install})
   * @param attributeAllowlist attribute keys indexed as typed fields ({@link #DEFAULT_ALLOWLIST},
   *     or {@link #ALL_KEYS})
   * @param bulkMaxActions most actions per bulk request, at least 1
   * @param bulkMaxBytes most estimated bytes per bulk request, at least 1; a larger single action
   *     is sent alone
   * @param refusedMaxAttempts how many refusals for good a document gets before it comes back as a
   *     {@link BulkRejection}, at least 1
   * @param metrics told of every bulk request, indexed document, error and 413 split
   * @throws IllegalArgumentException if a limit is below 1
   */
  public TraceIndexWriter(
      OpenSearchClient client,
      IndexLayout layout,
      Set<String> attributeAllowlist,
      int bulkMaxActions,
      long bulkMaxBytes,
      int refusedMaxAttempts,
      BulkMetrics metrics) {
    this(
        client,
        new SpanDocumentMapper(layout, attributeAllowlist),
        layout,
        bulkMaxActions,
        bulkMaxBytes,
        refusedMaxAttempts,
        metrics);
  }

  /**
   * Like the constructor above, with an allowlist per tenant.
   *
   * @param attributeAllowlists tenant → the attribute keys indexed for its traces ({@link
   *     #ALL_KEYS} for every key), asked once per trace (so a changed answer applies to traces
   *     mapped after it): it should answer quickly, with a set that does not change
   * @throws IllegalArgumentException if a limit is below 1
   */
  public TraceIndexWriter(
      OpenSearchClient client,
      IndexLayout layout,
      Function<String, Set<String>> attributeAllowlists,
      int bulkMaxActions,
      long bulkMaxBytes,
      int refusedMaxAttempts,
      BulkMetrics metrics) {
    this(
        client,
        new SpanDocumentMapper(layout, attributeAllowlists),
        layout,
        bulkMaxActions,
        bulkMaxBytes,
        refusedMaxAttempts,
        metrics);
  }

  private TraceIndexWriter(
      OpenSearchClient client,
      SpanDocumentMapper mapper,
      IndexLayout layout,
      int bulkMaxActions,
      long bulkMaxBytes,
      int refusedMaxAttempts,
      BulkMetrics metrics) {
    this.mapper = mapper;
    this.summaries = new SummaryIndexResolver(client, layout);
    this.actions = new BulkActions(layout);
    this.indexer =
        new BulkIndexer(client, bulkMaxActions, bulkMaxBytes, refusedMaxAttempts, metrics);
  }

  /**
   * A new, empty batch.
   *
   * @param <O> what each trace came from (e.g. its Kafka record), handed back with its actions
   */
  public <O> Batch<O> batch() {
    return new Batch<>();
  }

  /** The kept traces of one batch, mapped to their documents, with what each came from. */
  public final class Batch<O> {
    private final List<O> origins = new ArrayList<>();
    private final List<TraceDocuments> documents = new ArrayList<>();

    private Batch() {}

    /**
     * Maps a kept trace (or late fragment) to its documents and adds them.
     *
     * @throws RuntimeException if the trace cannot be mapped; nothing is added then
     */
    public void add(O origin, SampledTrace kept) {
      Objects.requireNonNull(origin, "origin");
      TraceDocuments docs = mapper.map(kept);
      documents.add(docs);
      origins.add(origin);
    }

    /**
     * The batch's bulk actions, in the order the traces were added: an index action per span
     * document, one for the fragment document and the summary's upsert into its daily index.
     * Finding the summary index of a late fragment takes one realtime multi-get (the summary lives
     * in the index of its trace's start day, which a fragment alone does not know); may be called
     * again after a failure.
     *
     * @throws IOException if OpenSearch cannot be reached (nothing changed; call again)
     */
    public List<PendingAction<O>> actions() throws IOException {
      Map<String, String> summaryIndex =
          summaries.resolve(documents.stream().map(TraceDocuments::summary).toList());
      List<PendingAction<O>> all = new ArrayList<>();
      for (int i = 0; i < documents.size(); i++) {
        all.addAll(actions.of(origins.get(i), documents.get(i), summaryIndex));
      }
      return all;
    }
  }

  /**
   * Sends the actions as bulk requests and sorts each item's result: done, to retry (OpenSearch
   * overloaded or failing: HTTP 429, 408, 409 after the update's own retries, 5xx, or the whole
   * request failed) or refused for good (any other 4xx, such as a mapping conflict; a document
   * refused for good comes back for a retry until it was refused {@code refusedMaxAttempts} times).
   * A request OpenSearch answers with 413 is split in halves, down to single documents. Never
   * throws for OpenSearch's failures: they come back in the {@link BulkOutcome}.
   *
   * @param <O> what each action came from, handed back with it
   */
  public <O> BulkOutcome<O> index(List<PendingAction<O>> actions) {
    return indexer.index(actions);
  }
}
