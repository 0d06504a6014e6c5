package io.spanline.query.traceql;

import io.spanline.query.traceql.Ast.FieldExpr;
import io.spanline.query.traceql.Ast.FieldRef;
import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.TraceId;
import io.spanline.storage.FoundTrace;
import io.spanline.storage.SpanCondition;
import io.spanline.storage.TimeRange;
import io.spanline.storage.TraceSearch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * TraceQL search over a {@link TraceSearch}: the query is parsed, what the store can answer is
 * pushed down ({@link Pushdown}) to pick candidate traces (most recent first), and the whole query
 * is evaluated on each candidate's assembled trace ({@link Evaluator}). The work is bounded: at
 * most {@code maxTracesInspected} candidates are read per query; a result that may miss matches
 * because of that bound says so ({@link Result#partial()}).
 */
public final class TraceQlSearch {
  /** The most candidate traces read in one round trip. */
  private static final int MAX_BATCH = 100;

  private final TraceSearch search;
  private final int maxTracesInspected;

  /**
   * @param maxTracesInspected the most candidate traces one query reads and evaluates, at least 1
   * @throws IllegalArgumentException if {@code maxTracesInspected} is below 1
   */
  public TraceQlSearch(TraceSearch search, int maxTracesInspected) {
    if (maxTracesInspected < 1) {
      throw new IllegalArgumentException(
          "maxTracesInspected must be positive, was " + maxTracesInspected);
    }
    this.search = Objects.requireNonNull(search, "search");
    this.maxTracesInspected = maxTracesInspected;
  }

  /**
   * Checks a query's syntax.
   *
   * @throws TraceQlException naming the line and column of the first error
   */
  public static void validate(String query) {
    Parser.parse(query);
  }

  /**
   * The traces of the tenant with a span in the range that match the query, most recent first (by
   * trace start), at most {@code limit}.
   *
   * @throws TraceQlException if the query does not parse
   * @throws IOException if the store cannot be read
   */
  public Result search(String tenant, String query, TimeRange range, int limit) throws IOException {
    Ast.Query parsed = Parser.parse(query);
    Set<String> indexedKeys = new HashSet<>(search.attributeKeys(tenant, Optional.of(range)));
    List<SpanCondition> conjuncts = Pushdown.conjuncts(parsed, indexedKeys);
    SpanCondition first = conjuncts.isEmpty() ? SpanCondition.ANY : conjuncts.get(0);
    List<TraceId> candidates =
        search.findTraceIds(tenant, first, range, maxTracesInspected, Optional.empty());
    // The first candidate search was cut at the bound: older matches may exist.
    boolean cut = candidates.size() >= maxTracesInspected;
    for (SpanCondition c : conjuncts.subList(Math.min(1, conjuncts.size()), conjuncts.size())) {
      if (candidates.isEmpty()) {
        break;
      }
      Set<TraceId> narrowed =
          new HashSet<>(
              search.findTraceIds(
                  tenant, c, range, candidates.size(), Optional.of(Set.copyOf(candidates))));
      candidates = candidates.stream().filter(narrowed::contains).toList();
    }
    List<FieldRef> shown = shownFields(parsed);
    List<MatchedTrace> matches = new ArrayList<>();
    int inspected = 0;
    long inspectedSpans = 0;
    int truncated = 0;
    int batchSize = firstBatch(limit);
    for (int from = 0;
        from < candidates.size() && matches.size() < limit;
        from += batchSize, batchSize = Math.min(MAX_BATCH, batchSize * 2)) {
      List<TraceId> batch = candidates.subList(from, Math.min(candidates.size(), from + batchSize));
      Map<TraceId, FoundTrace> traces = search.traces(tenant, batch);
      for (TraceId id : batch) {
        FoundTrace found = traces.get(id);
        if (found == null) {
          continue;
        }
        inspected++;
        inspectedSpans += found.spans().size();
        if (found.truncated()) {
          truncated++;
        }
        TraceContext trace = new TraceContext(found.spans());
        List<Spanset> sets = Evaluator.evaluate(parsed, trace);
        if (!sets.isEmpty() && matches.size() < limit) {
          matches.add(matched(id, found, trace, sets, shown));
        }
      }
    }
    matches.sort(Comparator.comparingLong(MatchedTrace::startEpochNanos).reversed());
    boolean partial = cut && matches.size() < limit;
    String reason =
        partial
            ? "read the "
                + maxTracesInspected
                + " most recent candidate traces (traceql.max-traces-inspected); older matches"
                + " may exist: narrow the time range or the query"
            : "";
    return new Result(matches, inspected, inspectedSpans, truncated, partial, reason);
  }

  /**
   * How many candidates the first round trip reads: the limit and a quarter more (when the store
   * answered the whole query, as for most searches Grafana builds, every candidate matches and one
   * round trip of about the limit suffices); later rounds double, up to {@value #MAX_BATCH}.
   */
  static int firstBatch(int limit) {
    return Math.min(MAX_BATCH, Math.max(10, limit + limit / 4));
  }

  private static MatchedTrace matched(
      TraceId id, FoundTrace found, TraceContext trace, List<Spanset> sets, List<FieldRef> shown) {
    List<MatchedSpanset> out = new ArrayList<>();
    for (Spanset s : sets) {
      List<MatchedSpan> spans = new ArrayList<>();
      BitSet bits = s.spans();
      for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1)) {
        List<Attribute> attributes = new ArrayList<>();
        Set<String> keys = new LinkedHashSet<>();
        for (FieldRef ref : shown) {
          String key = ref.attribute() != null ? ref.attribute() : ref.text();
          List<Value> values = Evaluator.values(ref, trace, i);
          if (!values.isEmpty() && keys.add(key)) {
            attributes.add(new Attribute(key, anyValue(values.get(0))));
          }
        }
        spans.add(new MatchedSpan(trace.spans.get(i), attributes));
      }
      Map<String, AnyValue> setAttributes = new LinkedHashMap<>();
      s.attributes().forEach((k, v) -> setAttributes.put(k, anyValue(v)));
      out.add(new MatchedSpanset(spans, spans.size(), setAttributes));
    }
    Span root = trace.root >= 0 ? trace.spans.get(trace.root) : null;
    return new MatchedTrace(
        id,
        found,
        Optional.ofNullable(root).map(Span::serviceName),
        Optional.ofNullable(root).map(Span::name),
        trace.startEpochNanos,
        trace.endEpochNanos - trace.startEpochNanos,
        out);
  }

  /**
   * The fields returned with each matched span: those the query's conditions read (attributes and
   * the span intrinsics other than name, duration and IDs, which every span carries anyway), then
   * those of {@code select(…)}.
   */
  private static List<FieldRef> shownFields(Ast.Query query) {
    List<FieldRef> out = new ArrayList<>();
    collect(query.expression(), out);
    return out;
  }

  private static void collect(Ast.SpansetExpr e, List<FieldRef> out) {
    if (e instanceof Ast.Filter f) {
      collect(f.condition(), out);
    } else if (e instanceof Ast.SpansetOperation op) {
      collect(op.left(), out);
      collect(op.right(), out);
    } else if (e instanceof Ast.Pipeline p) {
      collect(p.source(), out);
      for (Ast.Stage s : p.stages()) {
        if (s instanceof Ast.Select sel) {
          out.addAll(sel.fields());
        } else if (s instanceof Ast.FilterStage fs) {
          collect(fs.expression(), out);
        }
      }
    }
  }

  private static void collect(FieldExpr e, List<FieldRef> out) {
    if (e instanceof FieldRef ref) {
      if (ref.intrinsic() == null
          || switch (ref.intrinsic()) {
            case STATUS,
                STATUS_MESSAGE,
                KIND,
                EVENT_NAME,
                INSTRUMENTATION_NAME,
                INSTRUMENTATION_VERSION,
                CHILD_COUNT ->
                true;
            default -> false;
          }) {
        out.add(ref);
      }
    } else if (e instanceof Ast.Binary b) {
      collect(b.left(), out);
      collect(b.right(), out);
    } else if (e instanceof Ast.Unary u) {
      collect(u.operand(), out);
    }
  }

  private static AnyValue anyValue(Value v) {
    if (v instanceof Value.Int i) {
      return AnyValue.of(i.value());
    }
    if (v instanceof Value.Float f) {
      return AnyValue.of(f.value());
    }
    if (v instanceof Value.Bool b) {
      return AnyValue.of(b.value());
    }
    if (v instanceof Value.Array a) {
      List<AnyValue> elements = new ArrayList<>();
      for (Value e : a.elements()) {
        elements.add(anyValue(e));
      }
      return AnyValue.ofArray(elements);
    }
    return AnyValue.of(Values.text(v));
  }

  /**
   * A search's answer.
   *
   * @param traces the matching traces, most recent first
   * @param inspectedTraces how many candidate traces were read and evaluated
   * @param inspectedSpans how many spans they held
   * @param truncatedTraces how many of them the store cut at its span limit (evaluated on the spans
   *     kept)
   * @param partial whether matches may be missing because of the bound on candidates
   * @param partialReason why, when partial; else ""
   */
  public record Result(
      List<MatchedTrace> traces,
      int inspectedTraces,
      long inspectedSpans,
      int truncatedTraces,
      boolean partial,
      String partialReason) {
    public Result {
      traces = List.copyOf(traces);
    }
  }

  /**
   * A matching trace.
   *
   * @param rootServiceName the root span's service; empty when the root span was not received
   * @param startEpochNanos the earliest span start
   * @param durationNanos the latest span end minus the earliest start
   * @param spanSets the spansets the query selected
   */
  public record MatchedTrace(
      TraceId traceId,
      FoundTrace trace,
      Optional<String> rootServiceName,
      Optional<String> rootSpanName,
      long startEpochNanos,
      long durationNanos,
      List<MatchedSpanset> spanSets) {
    public MatchedTrace {
      spanSets = List.copyOf(spanSets);
    }
  }

  /**
   * @param spans every span of the set, by start time
   * @param matched how many spans the set holds
   * @param attributes values the pipeline attached to the set ({@code by(…)})
   */
  public record MatchedSpanset(
      List<MatchedSpan> spans, int matched, Map<String, AnyValue> attributes) {
    public MatchedSpanset {
      spans = List.copyOf(spans);
      attributes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }
  }

  /**
   * A span of a spanset.
   *
   * @param attributes the fields the query read or selected, with the span's values (key without
   *     scope for attributes, as written for intrinsics)
   */
  public record MatchedSpan(Span span, List<Attribute> attributes) {
    public MatchedSpan {
      attributes = List.copyOf(attributes);
    }
  }
}
