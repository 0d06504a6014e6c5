package io.spanline.storage;

import io.spanline.schemas.model.TraceId;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Searches over stored traces: by span conditions (Jaeger's semantics, {@link TraceQuery}) or by
 * trace summary ({@link SummaryQuery}), and the lists a search form offers (services, operations,
 * attribute keys and values), the dependency graph, and the comparison of two sets of traces by
 * their attribute values. Every call names its tenant; nothing of another tenant is found, listed
 * or counted.
 */
public interface TraceSearch {
  /**
   * IDs of the traces matching the query, most recent first, at most {@link TraceQuery#limit}.
   *
   * @throws IOException if the store cannot be read
   */
  List<TraceId> findTraceIds(String tenant, TraceQuery query) throws IOException;

  /**
   * IDs of the traces with a span that started in the range and matches the condition, the trace
   * whose matching span started last first, at most {@code limit}.
   *
   * @param within when present, only these traces are considered (to intersect candidate sets)
   * @throws IOException if the store cannot be read
   */
  List<TraceId> findTraceIds(
      String tenant,
      SpanCondition condition,
      TimeRange range,
      int limit,
      Optional<Set<TraceId>> within)
      throws IOException;

  /**
   * The traces of a search's result, in the order of {@code traceIds}; IDs the store does not hold
   * are left out.
   *
   * @throws IOException if the store cannot be read
   */
  Map<TraceId, FoundTrace> traces(String tenant, List<TraceId> traceIds) throws IOException;

  /**
   * Summaries of the traces matching the query, most recent first, at most {@link
   * SummaryQuery#limit}.
   *
   * @throws IOException if the store cannot be read
   */
  List<FoundSummary> findSummaries(String tenant, SummaryQuery query) throws IOException;

  /** Services with spans stored, sorted. */
  List<String> services(String tenant) throws IOException;

  /** Span names over every service, sorted. */
  List<String> spanNames(String tenant) throws IOException;

  /**
   * The operations of a service, sorted by name then kind.
   *
   * @param spanKind only those of this span kind ({@code SERVER}, …); empty for all
   */
  List<Operation> operations(String tenant, String service, Optional<String> spanKind)
      throws IOException;

  /** Service-to-service calls of spans that started in the range, sorted by parent then child. */
  List<Dependency> dependencies(String tenant, TimeRange range) throws IOException;

  /**
   * Attribute keys that can be searched, sorted; with a range, only on spans that started in it.
   */
  List<String> attributeKeys(String tenant, Optional<TimeRange> range) throws IOException;

  /** Values (in string form) of one attribute key, sorted. */
  List<String> attributeValues(String tenant, String key, Optional<TimeRange> range)
      throws IOException;

  /**
   * "What is different": the attribute values (of spans, events, links, resources and scopes; the
   * searchable ones) over-represented in the traces {@code selection} finds against those {@code
   * baseline} finds, ranked by {@link AttributeScoring}. Each side is at most its query's limit of
   * traces, the most recent; a trace both find counts in the selection only. A trace has a value
   * when any of its spans carries it.
   *
   * @param maxValues most differences returned, at least 1
   * @throws IOException if the store cannot be read
   * @throws IllegalArgumentException if {@code maxValues} is below 1
   */
  AttributeComparison compareAttributes(
      String tenant, SummaryQuery selection, SummaryQuery baseline, int maxValues)
      throws IOException;
}
