package io.spanline.query.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spanline.index.layout.Fields;
import io.spanline.index.layout.IndexLayout;
import io.spanline.schemas.codec.otlp.OtlpProtoCodec;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.TraceId;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.opensearch.client.json.JsonData;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.FieldValue;
import org.opensearch.client.opensearch._types.SortOrder;
import org.opensearch.client.opensearch._types.aggregations.Aggregation;
import org.opensearch.client.opensearch._types.aggregations.StringTermsBucket;
import org.opensearch.client.opensearch._types.query_dsl.Query;
import org.opensearch.client.opensearch.core.SearchResponse;
import org.opensearch.client.opensearch.core.search.Hit;

/**
 * Reads the span indices the index sink writes ({@link IndexLayout}, {@link Fields}): one trace's
 * spans, trace IDs matching a {@link TraceQuery}, services and operations. Every query is filtered
 * by tenant. Values from callers go into term and range queries only (never query strings), so they
 * cannot change a query's shape.
 */
public final class HotTraceStore {
  private final OpenSearchClient client;
  private final IndexLayout layout;

  public HotTraceStore(OpenSearchClient client, IndexLayout layout) {
    this.client = client;
    this.layout = layout;
  }

  /** A trace's spans, at most {@code maxSpans + 1} (so a caller can tell it was cut). */
  public List<Span> trace(String tenant, TraceId traceId, int maxSpans) throws IOException {
    SearchResponse<ObjectNode> response =
        client.search(
            s ->
                s.index(layout.spanIndexPattern())
                    .ignoreUnavailable(true)
                    .allowNoIndices(true)
                    .query(and(term(Fields.TENANT, tenant), term(Fields.TRACE_ID, traceId.toHex())))
                    .source(src -> src.filter(f -> f.includes(Fields.OTLP)))
                    .sort(
                        o ->
                            o.field(f -> f.field(Fields.START_TIME_UNIX_NANO).order(SortOrder.Asc)))
                    .size(maxSpans + 1),
            ObjectNode.class);
    List<Span> spans = new ArrayList<>();
    for (Hit<ObjectNode> hit : response.hits().hits()) {
      byte[] otlp = Base64.getDecoder().decode(hit.source().get(Fields.OTLP).asText());
      spans.addAll(OtlpProtoCodec.decode(otlp));
    }
    return spans;
  }

  /** IDs of the traces matching the query, most recent first. */
  public List<TraceId> search(String tenant, TraceQuery q) throws IOException {
    List<Query> filters = new ArrayList<>();
    filters.add(term(Fields.TENANT, tenant));
    if (!q.service().isEmpty()) {
      filters.add(term(Fields.SERVICE, q.service()));
    }
    q.operation().ifPresent(op -> filters.add(term(Fields.NAME, op)));
    for (Map.Entry<String, String> a : q.attributes().entrySet()) {
      filters.add(term(Fields.TAGS, Fields.tag(a.getKey(), a.getValue())));
    }
    filters.add(
        Query.of(
            b ->
                b.range(
                    r ->
                        r.field(Fields.START_TIME_UNIX_NANO)
                            .gte(JsonData.of(q.startMinEpochNanos()))
                            .lte(JsonData.of(q.startMaxEpochNanos())))));
    durationRange(q.durationMinNanos(), q.durationMaxNanos()).ifPresent(filters::add);
    Aggregation byTrace =
        Aggregation.of(
            a ->
                a.terms(
                        t ->
                            t.field(Fields.TRACE_ID)
                                .size(q.limit())
                                .order(List.of(Map.of("latest", SortOrder.Desc))))
                    .aggregations(
                        "latest",
                        Aggregation.of(m -> m.max(x -> x.field(Fields.START_TIME_UNIX_NANO)))));
    SearchResponse<Void> response =
        client.search(
            s ->
                s.index(layout.spanIndices(q.startMinEpochNanos(), q.startMaxEpochNanos()))
                    .ignoreUnavailable(true)
                    .allowNoIndices(true)
                    .size(0)
                    .query(Query.of(b -> b.bool(x -> x.filter(filters))))
                    .aggregations("traces", byTrace),
            Void.class);
    List<TraceId> ids = new ArrayList<>();
    for (StringTermsBucket b : response.aggregations().get("traces").sterms().buckets().array()) {
      ids.add(TraceId.fromHex(b.key()));
    }
    return ids;
  }

  /**
   * Trace summaries matching the query, most recent first. Span conditions (operation, attributes)
   * first pick up to 1 000 candidate traces from the span indices; the summary indices then apply
   * the trace-level conditions.
   */
  public List<ObjectNode> summaries(String tenant, SummaryQuery q) throws IOException {
    List<Query> filters = new ArrayList<>();
    filters.add(term(Fields.TENANT, tenant));
    q.service().ifPresent(s -> filters.add(term(Fields.SERVICES, s)));
    q.error()
        .ifPresent(
            e ->
                filters.add(
                    Query.of(b -> b.term(t -> t.field(Fields.ERROR).value(FieldValue.of(e))))));
    durationRange(q.minDurationNanos(), q.maxDurationNanos()).ifPresent(filters::add);
    filters.add(
        Query.of(
            b ->
                b.range(
                    r ->
                        r.field(Fields.START_TIME_UNIX_NANO)
                            .gte(JsonData.of(q.fromEpochNanos()))
                            .lte(JsonData.of(q.toEpochNanos())))));
    if (q.hasSpanConditions()) {
      List<TraceId> candidates =
          search(
              tenant,
              new TraceQuery(
                  q.service().orElse(""),
                  q.operation(),
                  q.attributes(),
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
        client.search(
            s ->
                s.index(layout.traceIndices(q.fromEpochNanos(), q.toEpochNanos()))
                    .ignoreUnavailable(true)
                    .allowNoIndices(true)
                    .query(Query.of(b -> b.bool(x -> x.filter(filters))))
                    .sort(
                        o ->
                            o.field(
                                f -> f.field(Fields.START_TIME_UNIX_NANO).order(SortOrder.Desc)))
                    .size(q.limit()),
            ObjectNode.class);
    List<ObjectNode> out = new ArrayList<>();
    for (Hit<ObjectNode> h : response.hits().hits()) {
      out.add(h.source());
    }
    return out;
  }

  /** Services with spans in the tenant's indices, sorted. */
  public List<String> services(String tenant) throws IOException {
    return terms(term(Fields.TENANT, tenant), Fields.SERVICE);
  }

  /** Operations of a service, sorted; with a span kind ({@code SERVER}, …) only those. */
  public List<String> operations(String tenant, String service, String spanKind)
      throws IOException {
    List<Query> filters =
        new ArrayList<>(List.of(term(Fields.TENANT, tenant), term(Fields.SERVICE, service)));
    if (!spanKind.isEmpty()) {
      filters.add(term(Fields.KIND, spanKind));
    }
    return terms(Query.of(b -> b.bool(x -> x.filter(filters))), Fields.NAME);
  }

  private List<String> terms(Query query, String field) throws IOException {
    SearchResponse<Void> response =
        client.search(
            s ->
                s.index(layout.spanIndexPattern())
                    .ignoreUnavailable(true)
                    .allowNoIndices(true)
                    .size(0)
                    .query(query)
                    .aggregations(
                        "values", Aggregation.of(a -> a.terms(t -> t.field(field).size(10_000)))),
            Void.class);
    List<String> values = new ArrayList<>();
    for (StringTermsBucket b : response.aggregations().get("values").sterms().buckets().array()) {
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

  private static Query and(Query... filters) {
    return Query.of(q -> q.bool(b -> b.filter(List.of(filters))));
  }
}
