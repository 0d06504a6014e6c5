package io.spanline.storage.opensearch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.spanline.schemas.codec.otlp.OtlpProtoCodec;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.TraceId;
import io.spanline.storage.AttributeComparison;
import io.spanline.storage.AttributeScoring;
import io.spanline.storage.Dependency;
import io.spanline.storage.FoundSummary;
import io.spanline.storage.FoundTrace;
import io.spanline.storage.LinkTarget;
import io.spanline.storage.Operation;
import io.spanline.storage.SpanCondition;
import io.spanline.storage.SummaryQuery;
import io.spanline.storage.TimeRange;
import io.spanline.storage.TraceQuery;
import io.spanline.storage.TraceSearch;
import io.spanline.storage.TraceStore;
import io.spanline.storage.opensearch.internal.document.SpanDocumentMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.opensearch.client.json.JsonData;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.FieldValue;
import org.opensearch.client.opensearch._types.SortOrder;
import org.opensearch.client.opensearch._types.aggregations.Aggregate;
import org.opensearch.client.opensearch._types.aggregations.Aggregation;
import org.opensearch.client.opensearch._types.aggregations.StringTermsBucket;
import org.opensearch.client.opensearch._types.aggregations.TermsAggregationExecutionHint;
import org.opensearch.client.opensearch._types.query_dsl.Query;
import org.opensearch.client.opensearch.core.MsearchResponse;
import org.opensearch.client.opensearch.core.SearchRequest;
import org.opensearch.client.opensearch.core.SearchResponse;
import org.opensearch.client.opensearch.core.msearch.MultiSearchResponseItem;
import org.opensearch.client.opensearch.core.msearch.RequestItem;
import org.opensearch.client.opensearch.core.search.Hit;
import org.opensearch.client.util.ObjectBuilder;

/**
 * The hot store: reads the span, trace fragment and trace summary indices the index sink writes
 * ({@link IndexLayout}, {@link Fields}). Every query goes through {@link #inTenant}, the one place
 * that adds the tenant filter. Values from callers go into term and range queries only (never query
 * strings), so they cannot change a query's shape.
 */
public final class OpenSearchTraceStore implements TraceStore, TraceSearch {
  /** Most values one list (services, operations, attribute keys or values) returns. */
  public static final int MAX_TERMS = 10_000;

  /** {@link FoundTrace#source} of this store's answers. */
  public static final String SOURCE = "opensearch";

  private final OpenSearchClient client;
  private final IndexLayout layout;
  private final int maxSpans;
  private final MeterRegistry metrics;

  /**
   * @param maxSpans most spans returned for one trace, at least 1
   * @param metrics gets {@code spanline_query_opensearch_seconds{operation, outcome}}
   * @throws IllegalArgumentException if {@code maxSpans} is below 1
   */
  public OpenSearchTraceStore(
      OpenSearchClient client, IndexLayout layout, int maxSpans, MeterRegistry metrics) {
    if (maxSpans < 1) {
      throw new IllegalArgumentException("maxSpans must be >= 1, was " + maxSpans);
    }
    this.client = client;
    this.layout = layout;
    this.maxSpans = maxSpans;
    this.metrics = metrics;
  }

  /**
   * Longest list of index names (in characters, commas included) a search names; past it, the
   * search names the wildcard pattern instead. OpenSearch refuses a request line over 4 KB ({@code
   * http.max_initial_line_length}), and the daily indices of a range of a few months already make
   * one (found by QueryHttpFuzzTest: a 376-day range was answered 503).
   */
  static final int MAX_INDEX_LIST_CHARS = 2_000;

  /** The span indices of the range, or all span indices when they are too many to name. */
  private List<String> spanIndices(long fromEpochNanos, long toEpochNanos) {
    return within(layout.spanIndices(fromEpochNanos, toEpochNanos), layout.spanIndexPattern());
  }

  /**
   * {@code daily}, or {@code pattern} alone when naming every daily index would exceed {@link
   * #MAX_INDEX_LIST_CHARS}. Either gives the same hits: every search also filters on the start time
   * range; the daily names only spare OpenSearch the other days' indices.
   */
  static List<String> within(List<String> daily, String pattern) {
    int chars = 0;
    for (String name : daily) {
      // a comma may be sent percent-encoded
      chars += name.length() + 3;
    }
    return chars <= MAX_INDEX_LIST_CHARS ? daily : List.of(pattern);
  }

  /**
   * The buckets of a terms aggregation; none when the response has no such aggregation (OpenSearch
   * leaves it out when no index matched, e.g. a range without data: found by QueryHttpFuzzTest as a
   * 503 for {@code /v1/dependencies}) or when the field is unmapped in every index searched.
   */
  private static List<StringTermsBucket> buckets(Map<String, Aggregate> aggregations, String name) {
    Aggregate a = aggregations.get(name);
    return a != null && a.isSterms() ? a.sterms().buckets().array() : List.of();
  }

  private <T> SearchResponse<T> search(
      String operation,
      Function<SearchRequest.Builder, ObjectBuilder<SearchRequest>> request,
      Class<T> documentType)
      throws IOException {
    return timed(operation, () -> client.search(request, documentType));
  }

  /** A call to OpenSearch. */
  @FunctionalInterface
  private interface Call<T> {
    T run() throws IOException;
  }

  /** Runs {@code call}, recording its latency as {@code spanline_query_opensearch_seconds}. */
  private <T> T timed(String operation, Call<T> call) throws IOException {
    Timer.Sample sample = Timer.start(metrics);
    String outcome = "error";
    try {
      T result = call.run();
      outcome = "success";
      return result;
    } finally {
      sample.stop(
          Timer.builder("spanline.query.opensearch")
              .description("OpenSearch search latency of the query service")
              .tag("operation", operation)
              .tag("outcome", outcome)
              .publishPercentileHistogram()
              .register(metrics));
    }
  }

  /**
   * Every fragment index and span index, whatever the range: a trace is found by its ID alone. The
   * trace's spans are in its fragment documents ({@link Fields#SPANS}) and, for spans written
   * before those existed, in their span documents ({@link Fields#OTLP}): one {@code _msearch} of
   * two searches.
   */
  @Override
  public Optional<FoundTrace> trace(String tenant, TraceId traceId, TimeRange range)
      throws IOException {
    return Optional.ofNullable(traces(tenant, List.of(traceId), "trace").get(traceId));
  }

  /**
   * Several traces in one {@code _msearch} round trip (two searches per trace).
   *
   * @throws IOException if OpenSearch cannot be read or refuses one of the searches
   */
  @Override
  public Map<TraceId, FoundTrace> traces(String tenant, List<TraceId> traceIds) throws IOException {
    return traces(tenant, traceIds, "traces");
  }

  private Map<TraceId, FoundTrace> traces(String tenant, List<TraceId> traceIds, String operation)
      throws IOException {
    Map<TraceId, FoundTrace> out = new LinkedHashMap<>();
    if (traceIds.isEmpty()) {
      return out;
    }
    List<RequestItem> searches = new ArrayList<>(traceIds.size() * 2);
    for (TraceId id : traceIds) {
      searches.add(spanHolders(layout.fragmentIndexPattern(), tenant, id, Fields.SPANS));
      searches.add(spanHolders(layout.spanIndexPattern(), tenant, id, Fields.OTLP));
    }
    MsearchResponse<ObjectNode> response =
        timed(operation, () -> client.msearch(m -> m.searches(searches), ObjectNode.class));
    for (int i = 0; i < traceIds.size(); i++) {
      List<Span> spans = new ArrayList<>();
      for (int part = 0; part < 2; part++) {
        MultiSearchResponseItem<ObjectNode> item = response.responses().get(2 * i + part);
        if (item.isFailure()) {
          throw new IOException(
              "OpenSearch refused a trace search: " + item.failure().error().type());
        }
        spans.addAll(spans(item.result().hits().hits()));
      }
      if (!spans.isEmpty()) {
        out.put(traceIds.get(i), FoundTrace.capped(spans, maxSpans, SOURCE));
      }
    }
    return out;
  }

  /**
   * The documents of a trace in {@code indices} with the field holding its spans, earliest start
   * first, at most {@code maxSpans + 1}: a fragment's start is its earliest span's, so documents
   * past the size hold only spans past the cap. Span documents written since fragment documents
   * exist come back without a source (they hold no spans); a binary field cannot be filtered on
   * with {@code exists} (no doc values, not indexed), so they are skipped when read.
   */
  private RequestItem spanHolders(String indices, String tenant, TraceId traceId, String field) {
    return RequestItem.of(
        r ->
            r.header(h -> h.index(indices).ignoreUnavailable(true).allowNoIndices(true))
                .body(
                    b ->
                        b.query(inTenant(tenant, term(Fields.TRACE_ID, traceId.toHex())))
                            .source(src -> src.filter(f -> f.includes(field)))
                            .sort(
                                o ->
                                    o.field(
                                        f ->
                                            f.field(Fields.START_TIME_UNIX_NANO)
                                                .order(SortOrder.Asc)))
                            .size(maxSpans + 1)));
  }

  /** The spans of fragment documents (gzip OTLP) and of span documents with their own copy. */
  private static List<Span> spans(List<Hit<ObjectNode>> hits) {
    List<Span> spans = new ArrayList<>();
    for (Hit<ObjectNode> hit : hits) {
      ObjectNode source = hit.source();
      if (source == null) {
        continue;
      }
      if (source.hasNonNull(Fields.SPANS)) {
        spans.addAll(
            SpanDocumentMapper.decodeFragment(
                Base64.getDecoder().decode(source.get(Fields.SPANS).asText())));
      } else if (source.hasNonNull(Fields.OTLP)) {
        spans.addAll(
            OtlpProtoCodec.decode(Base64.getDecoder().decode(source.get(Fields.OTLP).asText())));
      }
    }
    return spans;
  }

  @Override
  public List<TraceId> findTraceIds(String tenant, TraceQuery q) throws IOException {
    List<Query> filters = new ArrayList<>();
    if (!q.service().isEmpty()) {
      filters.add(term(Fields.SERVICE, q.service()));
    }
    q.operation().ifPresent(op -> filters.add(term(Fields.NAME, op)));
    q.spanStatus().ifPresent(st -> filters.add(term(Fields.STATUS, st)));
    q.linkedTo().ifPresent(l -> filters.add(linkedTo(l)));
    for (Map.Entry<String, String> a : q.attributes().entrySet()) {
      filters.add(term(Fields.TAGS, Fields.tag(a.getKey(), a.getValue())));
    }
    filters.add(startRange(q.startMinEpochNanos(), q.startMaxEpochNanos()));
    durationRange(q.durationMinNanos(), q.durationMaxNanos()).ifPresent(filters::add);
    return latestTraceIds(
        "search",
        spanIndices(q.startMinEpochNanos(), q.startMaxEpochNanos()),
        inTenant(tenant, filters),
        q.limit());
  }

  /**
   * The IDs of the traces whose spans match the query, the trace whose matching span started last
   * first, at most {@code limit}: a terms aggregation on the trace ID ordered by the latest start.
   */
  private List<TraceId> latestTraceIds(
      String operation, List<String> indices, Query query, int limit) throws IOException {
    Aggregation byTrace =
        Aggregation.of(
            a ->
                a.terms(
                        t ->
                            t.field(Fields.TRACE_ID)
                                .size(limit)
                                .order(List.of(Map.of("latest", SortOrder.Desc))))
                    .aggregations(
                        "latest",
                        Aggregation.of(m -> m.max(x -> x.field(Fields.START_TIME_UNIX_NANO)))));
    SearchResponse<Void> response =
        search(
            operation,
            s ->
                s.index(indices)
                    .ignoreUnavailable(true)
                    .allowNoIndices(true)
                    .size(0)
                    .query(query)
                    .aggregations("traces", byTrace),
            Void.class);
    List<TraceId> ids = new ArrayList<>();
    for (StringTermsBucket b : buckets(response.aggregations(), "traces")) {
      ids.add(TraceId.fromHex(b.key()));
    }
    return ids;
  }

  @Override
  public List<TraceId> findTraceIds(
      String tenant,
      SpanCondition condition,
      TimeRange range,
      int limit,
      Optional<Set<TraceId>> within)
      throws IOException {
    if (limit < 1) {
      throw new IllegalArgumentException("the limit must be positive, was " + limit);
    }
    if (within.isPresent() && within.get().isEmpty()) {
      return List.of();
    }
    List<Query> filters = new ArrayList<>();
    filters.add(startRange(range.fromEpochNanos(), range.toEpochNanos()));
    filters.add(query(condition));
    within.ifPresent(
        ids -> {
          List<FieldValue> hex = new ArrayList<>(ids.size());
          for (TraceId id : ids) {
            hex.add(FieldValue.of(id.toHex()));
          }
          filters.add(
              Query.of(q -> q.terms(t -> t.field(Fields.TRACE_ID).terms(v -> v.value(hex)))));
        });
    return latestTraceIds(
        "candidates",
        spanIndices(range.fromEpochNanos(), range.toEpochNanos()),
        inTenant(tenant, filters),
        limit);
  }

  /** The span documents' query for a condition. */
  static Query query(SpanCondition condition) {
    if (condition instanceof SpanCondition.AllOf all) {
      List<Query> parts = new ArrayList<>();
      for (SpanCondition c : all.conditions()) {
        parts.add(query(c));
      }
      return Query.of(q -> q.bool(b -> b.filter(parts)));
    }
    if (condition instanceof SpanCondition.AnyOf any) {
      List<Query> parts = new ArrayList<>();
      for (SpanCondition c : any.conditions()) {
        parts.add(query(c));
      }
      return parts.isEmpty()
          ? Query.of(q -> q.bool(b -> b.mustNot(m -> m.matchAll(x -> x))))
          : Query.of(q -> q.bool(b -> b.should(parts).minimumShouldMatch("1")));
    }
    if (condition instanceof SpanCondition.Compare c) {
      return compare(c);
    }
    if (condition instanceof SpanCondition.Root) {
      return Query.of(
          q -> q.bool(b -> b.mustNot(m -> m.exists(e -> e.field(Fields.PARENT_SPAN_ID)))));
    }
    if (condition instanceof SpanCondition.AttributeEquals a) {
      return term(Fields.TAGS, Fields.tag(a.key(), a.text()));
    }
    if (condition instanceof SpanCondition.HasAttribute a) {
      return term(Fields.TAG_KEYS, a.key());
    }
    if (condition instanceof SpanCondition.LinksTo l) {
      return term(Fields.LINKED_TRACE_IDS, l.traceId().toHex());
    }
    return Query.of(q -> q.matchAll(m -> m));
  }

  private static Query compare(SpanCondition.Compare c) {
    String field =
        switch (c.field()) {
          case NAME -> Fields.NAME;
          case SERVICE -> Fields.SERVICE;
          case KIND -> Fields.KIND;
          case STATUS -> Fields.STATUS;
          case DURATION_NANOS -> Fields.DURATION_NANOS;
          case SPAN_ID -> Fields.SPAN_ID;
          case PARENT_SPAN_ID -> Fields.PARENT_SPAN_ID;
          case TRACE_ID -> Fields.TRACE_ID;
        };
    JsonData value = JsonData.of(c.value());
    return switch (c.operator()) {
      case EQ -> Query.of(q -> q.term(t -> t.field(field).value(fieldValue(c.value()))));
      case NE ->
          Query.of(
              q ->
                  q.bool(
                      b ->
                          b.filter(f -> f.exists(e -> e.field(field)))
                              .mustNot(
                                  m -> m.term(t -> t.field(field).value(fieldValue(c.value()))))));
      case GT -> Query.of(q -> q.range(r -> r.field(field).gt(value)));
      case GE -> Query.of(q -> q.range(r -> r.field(field).gte(value)));
      case LT -> Query.of(q -> q.range(r -> r.field(field).lt(value)));
      case LE -> Query.of(q -> q.range(r -> r.field(field).lte(value)));
    };
  }

  private static FieldValue fieldValue(Object value) {
    return value instanceof Long l ? FieldValue.of(l) : FieldValue.of((String) value);
  }

  /**
   * A span with a link to the target: to the trace ({@link Fields#LINKED_TRACE_IDS}) or, with a
   * span ID, to that span ({@link Fields#LINKED_SPANS}). Spans indexed before these fields existed
   * have neither and are never found by it.
   */
  private static Query linkedTo(LinkTarget target) {
    return target
        .spanId()
        .map(span -> term(Fields.LINKED_SPANS, Fields.linkedSpan(target.traceId(), span)))
        .orElseGet(() -> term(Fields.LINKED_TRACE_IDS, target.traceId().toHex()));
  }

  /**
   * Span conditions (operation, attributes, span status, link target) first pick up to 1 000
   * candidate traces from the span indices; the summary indices then apply the trace-level
   * conditions.
   */
  @Override
  public List<FoundSummary> findSummaries(String tenant, SummaryQuery q) throws IOException {
    List<Query> filters = new ArrayList<>();
    q.service().ifPresent(s -> filters.add(term(Fields.SERVICES, s)));
    q.error()
        .ifPresent(
            e ->
                filters.add(
                    Query.of(b -> b.term(t -> t.field(Fields.ERROR).value(FieldValue.of(e))))));
    durationRange(q.minDurationNanos(), q.maxDurationNanos()).ifPresent(filters::add);
    filters.add(startRange(q.fromEpochNanos(), q.toEpochNanos()));
    if (q.hasSpanConditions()) {
      List<TraceId> candidates =
          findTraceIds(
              tenant,
              new TraceQuery(
                  // the operation is the service's; otherwise the service is any of the trace's,
                  // checked on the summary, and the attributes may sit on another service's span
                  q.operation().isPresent() ? q.service().orElse("") : "",
                  q.operation(),
                  q.attributes(),
                  q.spanStatus(),
                  q.linkedTo(),
                  q.fromEpochNanos(),
                  q.toEpochNanos() + 3_600_000_000_000L,
                  Optional.empty(),
                  Optional.empty(),
                  1000));
      if (candidates.isEmpty()) {
        return List.of();
      }
      List<FieldValue> ids = candidates.stream().map(id -> FieldValue.of(id.toHex())).toList();
      filters.add(Query.of(b -> b.terms(t -> t.field(Fields.TRACE_ID).terms(v -> v.value(ids)))));
    }
    SearchResponse<ObjectNode> response =
        search(
            "summaries",
            s ->
                s.index(
                        within(
                            layout.traceIndices(q.fromEpochNanos(), q.toEpochNanos()),
                            layout.traceIndexPattern()))
                    .ignoreUnavailable(true)
                    .allowNoIndices(true)
                    .query(inTenant(tenant, filters))
                    .sort(
                        o ->
                            o.field(
                                f -> f.field(Fields.START_TIME_UNIX_NANO).order(SortOrder.Desc)))
                    .size(q.limit()),
            ObjectNode.class);
    List<FoundSummary> out = new ArrayList<>();
    for (Hit<ObjectNode> h : response.hits().hits()) {
      out.add(summary(h.source()));
    }
    return out;
  }

  /** A summary document as the index sink's {@code SummaryScript} leaves it. */
  private static FoundSummary summary(ObjectNode doc) {
    List<String> services = new ArrayList<>();
    doc.path(Fields.SERVICES).forEach(s -> services.add(s.asText()));
    boolean debug = false;
    for (com.fasterxml.jackson.databind.JsonNode p : doc.path(Fields.SAMPLING_POLICIES)) {
      debug |= p.asText().equals(FoundSummary.DEBUG_POLICY);
    }
    return new FoundSummary(
        TraceId.fromHex(doc.path(Fields.TRACE_ID).asText()),
        doc.path(Fields.ROOT_SERVICE).asText(),
        doc.path(Fields.ROOT_NAME).asText(),
        doc.path(Fields.START_TIME_UNIX_NANO).asLong(),
        doc.path(Fields.DURATION_NANOS).asLong(),
        doc.path(Fields.SPAN_COUNT).asInt(),
        doc.path(Fields.ERROR).asBoolean(),
        services,
        debug);
  }

  @Override
  public List<String> services(String tenant) throws IOException {
    return terms(inTenant(tenant, List.of()), Fields.SERVICE);
  }

  @Override
  public List<String> spanNames(String tenant) throws IOException {
    return terms(inTenant(tenant, List.of()), Fields.NAME);
  }

  @Override
  public List<Operation> operations(String tenant, String service, Optional<String> spanKind)
      throws IOException {
    List<Query> filters = new ArrayList<>(List.of(term(Fields.SERVICE, service)));
    spanKind.ifPresent(k -> filters.add(term(Fields.KIND, k)));
    SearchResponse<Void> response =
        search(
            "terms",
            s ->
                s.index(layout.spanIndexPattern())
                    .ignoreUnavailable(true)
                    .allowNoIndices(true)
                    .size(0)
                    .query(inTenant(tenant, filters))
                    .aggregations(
                        "names",
                        Aggregation.of(
                            a ->
                                a.terms(t -> t.field(Fields.NAME).size(MAX_TERMS))
                                    .aggregations(
                                        "kinds",
                                        Aggregation.of(
                                            k -> k.terms(t -> t.field(Fields.KIND).size(10)))))),
            Void.class);
    List<Operation> out = new ArrayList<>();
    for (StringTermsBucket name : buckets(response.aggregations(), "names")) {
      for (StringTermsBucket kind : buckets(name.aggregations(), "kinds")) {
        out.add(new Operation(name.key(), kind.key()));
      }
    }
    out.sort(Comparator.comparing(Operation::name).thenComparing(Operation::kind));
    return out;
  }

  /**
   * A span whose parent span (in the same trace fragment) belongs to another service is one call
   * from that service.
   */
  @Override
  public List<Dependency> dependencies(String tenant, TimeRange range) throws IOException {
    long fromEpochNanos = range.fromEpochNanos();
    long toEpochNanos = range.toEpochNanos();
    Query query =
        inTenant(
            tenant,
            List.of(
                startRange(fromEpochNanos, toEpochNanos),
                Query.of(e -> e.exists(f -> f.field(Fields.PARENT_SERVICE)))));
    Aggregation calls =
        Aggregation.of(
            a ->
                a.terms(t -> t.field(Fields.PARENT_SERVICE).size(MAX_TERMS))
                    .aggregations(
                        "children",
                        Aggregation.of(
                            c ->
                                c.terms(t -> t.field(Fields.SERVICE).size(MAX_TERMS))
                                    .aggregations(
                                        "estimated",
                                        Aggregation.of(
                                            e ->
                                                e.sum(
                                                    x ->
                                                        x.field(Fields.ADJUSTED_COUNT)
                                                            .missing(FieldValue.of(1.0))))))));
    SearchResponse<Void> response =
        search(
            "dependencies",
            s ->
                s.index(spanIndices(fromEpochNanos, toEpochNanos))
                    .ignoreUnavailable(true)
                    .allowNoIndices(true)
                    .size(0)
                    .query(query)
                    .aggregations("parents", calls),
            Void.class);
    List<Dependency> out = new ArrayList<>();
    for (StringTermsBucket parent : buckets(response.aggregations(), "parents")) {
      for (StringTermsBucket child : buckets(parent.aggregations(), "children")) {
        Aggregate estimated = child.aggregations().get("estimated");
        double estimatedCalls =
            estimated != null && estimated.isSum()
                ? estimated.sum().value()
                : (double) child.docCount();
        out.add(new Dependency(parent.key(), child.key(), child.docCount(), estimatedCalls));
      }
    }
    out.sort(Comparator.comparing(Dependency::parent).thenComparing(Dependency::child));
    return out;
  }

  /**
   * Most attribute values compared: the selection's most frequent tags (by span count). Each is
   * then counted in the baseline by exact value.
   */
  static final int MAX_COMPARED_VALUES = 1_000;

  /**
   * Two summary searches give the trace IDs of each side; then, per side, one terms aggregation
   * over the {@link Fields#TAGS} of those traces' spans with the number of distinct traces per
   * value (a {@code cardinality} of {@link Fields#TRACE_ID} with a precision threshold above the
   * number of traces, where OpenSearch counts exactly but for hash collisions). The baseline counts
   * only the selection's values.
   */
  @Override
  public AttributeComparison compareAttributes(
      String tenant, SummaryQuery selection, SummaryQuery baseline, int maxValues)
      throws IOException {
    if (maxValues < 1) {
      throw new IllegalArgumentException("maxValues must be >= 1, was " + maxValues);
    }
    Set<TraceId> selected = new LinkedHashSet<>();
    findSummaries(tenant, selection).forEach(s -> selected.add(s.traceId()));
    List<TraceId> others = new ArrayList<>();
    for (FoundSummary s : findSummaries(tenant, baseline)) {
      if (!selected.contains(s.traceId())) {
        others.add(s.traceId());
      }
    }
    if (selected.isEmpty()) {
      return new AttributeComparison(0, others.size(), List.of());
    }
    Map<String, Long> inSelection =
        tracesPerTag(
            tenant,
            List.copyOf(selected),
            selection.fromEpochNanos(),
            selection.toEpochNanos(),
            null);
    Map<String, Long> inBaseline =
        others.isEmpty() || inSelection.isEmpty()
            ? Map.of()
            : tracesPerTag(
                tenant,
                others,
                baseline.fromEpochNanos(),
                baseline.toEpochNanos(),
                List.copyOf(inSelection.keySet()));
    List<AttributeScoring.Counted> counts = new ArrayList<>(inSelection.size());
    for (Map.Entry<String, Long> e : inSelection.entrySet()) {
      String tag = e.getKey();
      int at = tag.indexOf('=');
      if (at < 0) {
        continue;
      }
      counts.add(
          new AttributeScoring.Counted(
              tag.substring(0, at),
              tag.substring(at + 1),
              Math.min(e.getValue(), selected.size()),
              Math.min(inBaseline.getOrDefault(tag, 0L), others.size())));
    }
    return new AttributeComparison(
        selected.size(),
        others.size(),
        AttributeScoring.rank(counts, selected.size(), others.size(), maxValues));
  }

  /** For each tag of the traces' spans, the number of those traces with it. */
  private Map<String, Long> tracesPerTag(
      String tenant,
      List<TraceId> traceIds,
      long fromEpochNanos,
      long toEpochNanos,
      List<String> onlyTags)
      throws IOException {
    List<FieldValue> ids = traceIds.stream().map(id -> FieldValue.of(id.toHex())).toList();
    int threshold = Math.min(40_000, Math.max(100, traceIds.size() * 2));
    Aggregation perTag =
        Aggregation.of(
            a ->
                a.terms(
                        t -> {
                          t.field(Fields.TAGS)
                              .size(onlyTags == null ? MAX_COMPARED_VALUES : onlyTags.size());
                          if (onlyTags != null) {
                            // map execution, as for the regexp include of attributeValues
                            t.include(i -> i.terms(onlyTags))
                                .executionHint(TermsAggregationExecutionHint.Map);
                          }
                          return t;
                        })
                    .aggregations(
                        "traces",
                        Aggregation.of(
                            c ->
                                c.cardinality(
                                    x -> x.field(Fields.TRACE_ID).precisionThreshold(threshold)))));
    SearchResponse<Void> response =
        search(
            "compare",
            s ->
                s.index(
                        within(
                            layout.spanIndices(fromEpochNanos, toEpochNanos + 3_600_000_000_000L),
                            layout.spanIndexPattern()))
                    .ignoreUnavailable(true)
                    .allowNoIndices(true)
                    .size(0)
                    .query(
                        inTenant(
                            tenant,
                            Query.of(
                                b ->
                                    b.terms(
                                        t -> t.field(Fields.TRACE_ID).terms(v -> v.value(ids))))))
                    .aggregations("tags", perTag),
            Void.class);
    Map<String, Long> out = new LinkedHashMap<>();
    for (StringTermsBucket b : buckets(response.aggregations(), "tags")) {
      Aggregate traces = b.aggregations().get("traces");
      out.put(b.key(), traces != null && traces.isCardinality() ? traces.cardinality().value() : 0);
    }
    return out;
  }

  /** The keys the index sink indexes as tags (its attribute allowlist). */
  @Override
  public List<String> attributeKeys(String tenant, Optional<TimeRange> range) throws IOException {
    return terms(inTenant(tenant, inRange(range)), Fields.TAG_KEYS, range, null);
  }

  /** At most {@value #MAX_TERMS} values. */
  @Override
  public List<String> attributeValues(String tenant, String key, Optional<TimeRange> range)
      throws IOException {
    String prefix = Fields.tag(key, "");
    List<String> tags =
        terms(inTenant(tenant, inRange(range)), Fields.TAGS, range, literalRegex(prefix) + ".*");
    List<String> values = new ArrayList<>(tags.size());
    for (String t : tags) {
      values.add(t.substring(prefix.length()));
    }
    return values;
  }

  /**
   * A Lucene regular expression matching {@code text} literally: every non-alphanumeric escaped.
   */
  static String literalRegex(String text) {
    StringBuilder out = new StringBuilder(text.length() * 2);
    text.codePoints()
        .forEach(
            c -> {
              if (!Character.isLetterOrDigit(c)) {
                out.append('\\');
              }
              out.appendCodePoint(c);
            });
    return out.toString();
  }

  private static List<Query> inRange(Optional<TimeRange> range) {
    return range
        .map(r -> List.of(startRange(r.fromEpochNanos(), r.toEpochNanos())))
        .orElse(List.of());
  }

  private static Query startRange(long fromEpochNanos, long toEpochNanos) {
    return Query.of(
        b ->
            b.range(
                r ->
                    r.field(Fields.START_TIME_UNIX_NANO)
                        .gte(JsonData.of(fromEpochNanos))
                        .lte(JsonData.of(toEpochNanos))));
  }

  private List<String> terms(Query query, String field) throws IOException {
    return terms(query, field, Optional.empty(), null);
  }

  private List<String> terms(Query query, String field, Optional<TimeRange> range, String include)
      throws IOException {
    SearchResponse<Void> response =
        search(
            "terms",
            s ->
                s.index(
                        range.isPresent()
                            ? spanIndices(range.get().fromEpochNanos(), range.get().toEpochNanos())
                            : List.of(layout.spanIndexPattern()))
                    .ignoreUnavailable(true)
                    .allowNoIndices(true)
                    .size(0)
                    .query(query)
                    .aggregations(
                        "values",
                        Aggregation.of(
                            a ->
                                a.terms(
                                    t -> {
                                      t.field(field).size(MAX_TERMS);
                                      if (include != null) {
                                        // With the default (global ordinals) execution, OpenSearch
                                        // fails the search with an IndexOutOfBoundsException when
                                        // the pattern matches no term of a segment (OpenSearch
                                        // issues 19529, 19636, 19869; found by QueryHttpFuzzTest
                                        // as a 503 for an attribute key without values). The map
                                        // execution reads the terms of the filtered spans only.
                                        t.include(i -> i.regexp(include))
                                            .executionHint(TermsAggregationExecutionHint.Map);
                                      }
                                      return t;
                                    }))),
            Void.class);
    List<String> values = new ArrayList<>();
    for (StringTermsBucket b : buckets(response.aggregations(), "values")) {
      values.add(b.key());
    }
    values.sort(null);
    return values;
  }

  private static Optional<Query> durationRange(Optional<Long> min, Optional<Long> max) {
    if (min.isEmpty() && max.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        Query.of(
            b ->
                b.range(
                    r -> {
                      r.field(Fields.DURATION_NANOS);
                      min.ifPresent(v -> r.gte(JsonData.of(v)));
                      max.ifPresent(v -> r.lte(JsonData.of(v)));
                      return r;
                    })));
  }

  private static Query term(String field, String value) {
    return Query.of(q -> q.term(t -> t.field(field).value(FieldValue.of(value))));
  }

  /** The filters, and the tenant's: every query of this store is built here. */
  private static Query inTenant(String tenant, List<Query> filters) {
    List<Query> all = new ArrayList<>(filters.size() + 1);
    all.add(term(Fields.TENANT, tenant));
    all.addAll(filters);
    return Query.of(q -> q.bool(b -> b.filter(all)));
  }

  private static Query inTenant(String tenant, Query filter) {
    return inTenant(tenant, List.of(filter));
  }
}
