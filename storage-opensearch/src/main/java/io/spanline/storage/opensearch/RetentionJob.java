package io.spanline.storage.opensearch;

import io.spanline.service.retention.DailyRetention;
import io.spanline.service.retention.TenantRetention;
import io.spanline.service.tenancy.TenantLimitsFile;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.IntConsumer;
import java.util.function.ObjLongConsumer;
import java.util.function.Supplier;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.Conflicts;
import org.opensearch.client.opensearch._types.ExpandWildcard;
import org.opensearch.client.opensearch._types.FieldValue;
import org.opensearch.client.opensearch._types.OpenSearchException;
import org.opensearch.client.opensearch._types.Refresh;
import org.opensearch.client.opensearch._types.query_dsl.Query;
import org.opensearch.client.opensearch.core.DeleteByQueryResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes daily span, trace fragment and trace summary indices past the hot retention, as Jaeger's
 * index cleaner does: with a retention of N days, on UTC day D the indices of days before D − N + 1
 * go, so N whole days (today included) stay. Only this layout's indices (its prefix, a parseable
 * day) are touched. Runs on the sink's scheduler whether or not ISM is installed; deleting an index
 * that is already gone is not an error.
 *
 * <p>Tenants share the daily indices, so a tenant whose {@code hot-retention-days} (tenant-limits
 * file) is shorter than the global retention loses its older documents by {@code _delete_by_query}:
 * per such tenant (a term on {@code tenant}) over the span, fragment and summary indices of each of
 * its expired days that has indices, one day per request, and likewise for every tenant without a
 * value of its own when the file's {@code defaults} shorten it (all tenants but those with their
 * own value). Each request deletes at most {@code deleteBatch} documents and refreshes the indices;
 * a run repeats it until fewer come back, so every request stays short and a run leaves nothing
 * expired behind. Whole indices still go at the global retention, which is the longest any tenant
 * keeps (a longer tenant value is lowered to it).
 */
public final class RetentionJob implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(RetentionJob.class);

  /** The {@code tenant} label of documents deleted by the file's {@code defaults}. */
  public static final String OTHER_TENANTS = "*";

  /** Documents one {@code _delete_by_query} request deletes at most, by default. */
  public static final int DEFAULT_DELETE_BATCH = 50_000;

  private final OpenSearchClient client;
  private final IndexLayout layout;
  private final DailyRetention retention;
  private final TenantRetention tenantRetention;
  private final int deleteBatch;
  private final IntConsumer deleted;
  private final ObjLongConsumer<String> deletedDocuments;
  private final Runnable failed;

  /**
   * Without per-tenant retention.
   *
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
    this(
        client,
        layout,
        retention,
        clock,
        () -> TenantLimitsFile.EMPTY,
        DEFAULT_DELETE_BATCH,
        deleted,
        (tenant, documents) -> {},
        () -> {});
  }

  /**
   * @param retention whole days every tenant keeps at most (at least one)
   * @param tenantLimits the tenant limits in force, read at each run ({@code hot-retention-days})
   * @param deleteBatch most documents one {@code _delete_by_query} request deletes, at least 1
   * @param deletedIndices told how many indices each run deleted (e.g. a counter)
   * @param deletedDocuments told, per tenant (or {@link #OTHER_TENANTS} for those the file's
   *     defaults shorten), how many documents a run deleted by tenant retention, when any
   * @param failed told each time work was left for the next run: a run that failed (OpenSearch
   *     unreachable, an index deletion refused), or a tenant's documents OpenSearch refused to
   *     delete (e.g. a counter an alert watches)
   * @throws IllegalArgumentException if the retention is shorter than a day or the batch below 1
   */
  public RetentionJob(
      OpenSearchClient client,
      IndexLayout layout,
      Duration retention,
      Clock clock,
      Supplier<TenantLimitsFile> tenantLimits,
      int deleteBatch,
      IntConsumer deletedIndices,
      ObjLongConsumer<String> deletedDocuments,
      Runnable failed) {
    if (deleteBatch < 1) {
      throw new IllegalArgumentException("deleteBatch must be at least 1, was " + deleteBatch);
    }
    this.client = Objects.requireNonNull(client, "client");
    this.layout = Objects.requireNonNull(layout, "layout");
    this.retention = new DailyRetention(retention, clock);
    this.tenantRetention =
        new TenantRetention(
            retention, clock, tenantLimits, TenantLimitsFile.Limits::hotRetentionDays);
    this.deleteBatch = deleteBatch;
    this.deleted = Objects.requireNonNull(deletedIndices, "deletedIndices");
    this.deletedDocuments = Objects.requireNonNull(deletedDocuments, "deletedDocuments");
    this.failed = Objects.requireNonNull(failed, "failed");
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
    for (List<String> indices : indicesByDay().headMap(firstKept).values()) {
      expired.addAll(indices);
    }
    for (String index : expired) {
      client.indices().delete(d -> d.index(index).ignoreUnavailable(true));
      LOG.info("Retention: deleted index {} (older than {})", index, firstKept);
    }
    deleted.accept(expired.size());
    return expired;
  }

  /** This layout's span, fragment and summary indices, by day, oldest first. */
  private SortedMap<LocalDate, List<String>> indicesByDay() throws IOException {
    SortedMap<LocalDate, List<String>> byDay = new TreeMap<>();
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
        if (day.isPresent()) {
          byDay.computeIfAbsent(day.get(), d -> new ArrayList<>()).add(index);
        }
      }
    }
    return byDay;
  }

  /**
   * Deletes the documents of tenants whose hot retention is shorter than the global one, in the
   * days between the global first day kept and theirs.
   *
   * @return documents deleted, per tenant (or {@link #OTHER_TENANTS}), only those with a deletion
   *     to run
   * @throws IOException if OpenSearch cannot be reached
   */
  Map<String, Long> deleteExpiredTenantDocuments() throws IOException {
    TenantRetention.Plan plan = tenantRetention.plan();
    Map<String, Long> out = new LinkedHashMap<>();
    if (plan.shortened().isEmpty() && plan.others().isEmpty()) {
      return out;
    }
    SortedMap<LocalDate, List<String>> indices = indicesByDay();
    for (Map.Entry<String, LocalDate> t : plan.shortened().entrySet()) {
      Query ofTenant =
          Query.of(q -> q.term(m -> m.field(Fields.TENANT).value(FieldValue.of(t.getKey()))));
      out.put(
          t.getKey(), delete(t.getKey(), ofTenant, indices, plan.globalFirstKept(), t.getValue()));
    }
    if (plan.others().isPresent()) {
      List<FieldValue> own = plan.ownValue().stream().sorted().map(FieldValue::of).toList();
      Query others =
          own.isEmpty()
              ? Query.of(q -> q.matchAll(m -> m))
              : Query.of(
                  q ->
                      q.bool(
                          b ->
                              b.mustNot(
                                  n ->
                                      n.terms(
                                          m -> m.field(Fields.TENANT).terms(v -> v.value(own))))));
      out.put(
          OTHER_TENANTS,
          delete(OTHER_TENANTS, others, indices, plan.globalFirstKept(), plan.others().get()));
    }
    return out;
  }

  /**
   * Deletes {@code query}'s documents in the existing indices of the days [from, until): one day's
   * indices per request (short request lines however many days), batch by batch.
   */
  private long delete(
      String tenant,
      Query query,
      SortedMap<LocalDate, List<String>> indicesByDay,
      LocalDate from,
      LocalDate until)
      throws IOException {
    long total = 0;
    for (List<String> indices : indicesByDay.subMap(from, until).values()) {
      long n = deleteIn(tenant, query, indices);
      if (n < 0) {
        break;
      }
      total += n;
    }
    if (total > 0) {
      deletedDocuments.accept(tenant, total);
      LOG.info(
          "Tenant retention: deleted {} document(s) of {} from {} to {} (exclusive)",
          total,
          tenant.equals(OTHER_TENANTS) ? "the tenants the defaults shorten" : tenant,
          from,
          until);
    }
    return total;
  }

  /**
   * Deletes {@code query}'s documents in {@code indices}, batch by batch.
   *
   * @return the documents deleted, or -1 when OpenSearch refused the first request (logged; the
   *     next run tries again)
   */
  private long deleteIn(String tenant, Query query, List<String> indices) throws IOException {
    long total = 0;
    while (true) {
      DeleteByQueryResponse r;
      try {
        r =
            client.deleteByQuery(
                d ->
                    d.index(indices)
                        .query(query)
                        .ignoreUnavailable(true)
                        .allowNoIndices(true)
                        .conflicts(Conflicts.Proceed)
                        .maxDocs(deleteBatch)
                        .refresh(Refresh.True));
      } catch (OpenSearchException e) {
        failed.run();
        LOG.warn(
            "Tenant retention: deleting documents of {} in {} failed; the next run tries again:"
                + " {}",
            tenant,
            indices,
            e.toString());
        return total == 0 ? -1 : total;
      }
      long n = r.deleted() == null ? 0 : r.deleted();
      total += n;
      if (!r.failures().isEmpty()) {
        failed.run();
        LOG.warn(
            "Tenant retention: {} document(s) of {} in {} not deleted, the next run tries again:"
                + " {}",
            r.failures().size(),
            tenant,
            indices,
            r.failures().get(0).cause().reason());
        return total;
      }
      if (n < deleteBatch) {
        return total;
      }
    }
  }

  /**
   * For a scheduler: runs {@link #deleteExpired()} then {@link #deleteExpiredTenantDocuments()},
   * logging instead of throwing.
   */
  @Override
  public void run() {
    try {
      deleteExpired();
      deleteExpiredTenantDocuments();
    } catch (IOException | RuntimeException e) {
      failed.run();
      LOG.warn("Retention run failed; the next run tries again: {}", e.toString());
    }
  }
}
