package io.spanline.storage.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.DecisionOutcome;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanId;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.testing.TraceBuilder;
import io.spanline.storage.AttributeComparison;
import io.spanline.storage.AttributeDifference;
import io.spanline.storage.Dependency;
import io.spanline.storage.FoundSummary;
import io.spanline.storage.FoundTrace;
import io.spanline.storage.LinkTarget;
import io.spanline.storage.Operation;
import io.spanline.storage.SpanCondition;
import io.spanline.storage.SpanCondition.Field;
import io.spanline.storage.SpanCondition.Operator;
import io.spanline.storage.SummaryQuery;
import io.spanline.storage.TimeRange;
import io.spanline.storage.TraceQuery;
import io.spanline.storage.TraceSearch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What every {@link TraceSearch} does, on top of {@link TraceStoreConformance}: search by every
 * condition of {@link TraceQuery} and {@link SummaryQuery} (span link targets included), limits,
 * time ranges, the lists of a search form, the dependency graph and the comparison of a selection
 * of traces with its baseline, all within one tenant, and Jaeger's 25 storage conformance cases
 * written through the store's write path. Attribute conditions use keys the store indexes: {@code
 * http.route} (in the default allowlist) and {@link JaegerFixtures#attributeKeys}.
 */
public abstract class TraceSearchConformance extends TraceStoreConformance {
  /** The search under test, over the same data as {@link #store()}. */
  protected abstract TraceSearch search();

  private static TraceQuery.Builder query(String service) {
    return new TraceQuery.Builder(service, lastHours(2));
  }

  /** Three traces of one tenant, 30, 20 and 10 minutes ago. */
  private record Shop(
      String tenant, AssembledTrace old, AssembledTrace failed, AssembledTrace slow) {}

  private Shop shop(String name) throws Exception {
    String tenant = tenant(name);
    AssembledTrace old =
        traceAgo(tenant, 30)
            .root("frontend", "GET /home", 40)
            .attr("http.route", "/home")
            .child("catalog", "list", 10)
            .build();
    AssembledTrace failed =
        traceAgo(tenant, 20)
            .root("frontend", "POST /cart", 60)
            .attr("http.route", "/cart")
            .child("checkout", "POST /orders", 30)
            .error()
            .build();
    AssembledTrace slow =
        traceAgo(tenant, 10)
            .root("frontend", "GET /search", 1_500)
            .attr("http.route", "/search")
            .child("search", "query", 1_400)
            .ok()
            .build();
    write(List.of(kept(old), kept(failed), kept(slow)));
    return new Shop(tenant, old, failed, slow);
  }

  @Test
  void findsTraceIds_byEachSpanCondition_mostRecentFirst() throws Exception {
    Shop s = shop("search");
    TraceSearch search = search();

    assertThat(search.findTraceIds(s.tenant(), query("frontend").build()))
        .containsExactly(s.slow().traceId(), s.failed().traceId(), s.old().traceId());
    assertThat(search.findTraceIds(s.tenant(), query("").build()))
        .containsExactly(s.slow().traceId(), s.failed().traceId(), s.old().traceId());
    assertThat(search.findTraceIds(s.tenant(), query("checkout").build()))
        .containsExactly(s.failed().traceId());
    assertThat(search.findTraceIds(s.tenant(), query("frontend").operation("GET /home").build()))
        .containsExactly(s.old().traceId());
    assertThat(
            search.findTraceIds(
                s.tenant(), query("frontend").attribute("http.route", "/cart").build()))
        .containsExactly(s.failed().traceId());
    assertThat(search.findTraceIds(s.tenant(), query("").spanStatus("ERROR").build()))
        .containsExactly(s.failed().traceId());
    assertThat(
            search.findTraceIds(
                s.tenant(), query("").durationMin(Duration.ofMillis(1_000).toNanos()).build()))
        .containsExactly(s.slow().traceId());
    assertThat(
            search.findTraceIds(
                s.tenant(), query("frontend").durationMax(Duration.ofMillis(50).toNanos()).build()))
        .containsExactly(s.old().traceId());
    assertThat(search.findTraceIds(s.tenant(), query("frontend").limit(2).build()))
        .containsExactly(s.slow().traceId(), s.failed().traceId());
    // a condition that holds on no single span finds nothing
    assertThat(
            search.findTraceIds(
                s.tenant(), query("checkout").attribute("http.route", "/cart").build()))
        .isEmpty();
  }

  @Test
  void findsTraceIds_bySpanConditions_mostRecentFirst_withinACandidateSet() throws Exception {
    Shop s = shop("conditions");
    TraceSearch search = search();
    TimeRange range = lastHours(2);
    List<TraceId> all = List.of(s.slow().traceId(), s.failed().traceId(), s.old().traceId());

    assertThat(ids(search, s, SpanCondition.ANY, 10, Optional.empty())).isEqualTo(all);
    assertThat(ids(search, s, SpanCondition.ANY, 2, Optional.empty()))
        .containsExactly(s.slow().traceId(), s.failed().traceId());
    assertThat(
            ids(search, s, compare(Field.SERVICE, Operator.EQ, "checkout"), 10, Optional.empty()))
        .containsExactly(s.failed().traceId());
    assertThat(ids(search, s, compare(Field.STATUS, Operator.NE, "UNSET"), 10, Optional.empty()))
        .containsExactly(s.slow().traceId(), s.failed().traceId());
    assertThat(ids(search, s, compare(Field.KIND, Operator.EQ, "CLIENT"), 10, Optional.empty()))
        .isEqualTo(all);
    assertThat(
            ids(
                search,
                s,
                compare(Field.DURATION_NANOS, Operator.GE, Duration.ofMillis(1_000).toNanos()),
                10,
                Optional.empty()))
        .containsExactly(s.slow().traceId());
    assertThat(ids(search, s, compare(Field.NAME, Operator.LT, "GET /i"), 10, Optional.empty()))
        .as("strings order by code units")
        .containsExactly(s.old().traceId());
    String rootOfFailed = s.failed().spans().get(0).spanId().toHex();
    assertThat(
            ids(
                search,
                s,
                compare(Field.PARENT_SPAN_ID, Operator.EQ, rootOfFailed),
                10,
                Optional.empty()))
        .containsExactly(s.failed().traceId());
    assertThat(
            ids(
                search,
                s,
                compare(Field.TRACE_ID, Operator.EQ, s.old().traceId().toHex()),
                10,
                Optional.empty()))
        .containsExactly(s.old().traceId());
    assertThat(
            ids(
                search,
                s,
                new SpanCondition.AllOf(
                    List.of(new SpanCondition.Root(), compare(Field.NAME, Operator.EQ, "list"))),
                10,
                Optional.empty()))
        .as("list is not a root span")
        .isEmpty();
    assertThat(
            ids(
                search,
                s,
                new SpanCondition.AttributeEquals("http.route", "/cart"),
                10,
                Optional.empty()))
        .containsExactly(s.failed().traceId());
    assertThat(ids(search, s, new SpanCondition.HasAttribute("http.route"), 10, Optional.empty()))
        .isEqualTo(all);
    assertThat(
            ids(
                search,
                s,
                new SpanCondition.AnyOf(
                    List.of(
                        compare(Field.SERVICE, Operator.EQ, "catalog"),
                        compare(Field.SERVICE, Operator.EQ, "search"))),
                10,
                Optional.empty()))
        .containsExactly(s.slow().traceId(), s.old().traceId());
    assertThat(ids(search, s, new SpanCondition.AnyOf(List.of()), 10, Optional.empty()))
        .as("no alternative holds")
        .isEmpty();
    // within a candidate set
    assertThat(
            ids(
                search,
                s,
                SpanCondition.ANY,
                10,
                Optional.of(Set.of(s.old().traceId(), s.failed().traceId()))))
        .containsExactly(s.failed().traceId(), s.old().traceId());
    assertThat(ids(search, s, SpanCondition.ANY, 10, Optional.of(Set.of()))).isEmpty();
    // and only in the tenant and range
    assertThat(
            search.findTraceIds(tenant("nobody"), SpanCondition.ANY, range, 10, Optional.empty()))
        .isEmpty();
    long now = nowNanos();
    assertThat(
            search.findTraceIds(
                s.tenant(),
                SpanCondition.ANY,
                new TimeRange(now - Duration.ofMinutes(5).toNanos(), now),
                10,
                Optional.empty()))
        .isEmpty();
  }

  private static List<TraceId> ids(
      TraceSearch search, Shop s, SpanCondition c, int limit, Optional<Set<TraceId>> within)
      throws Exception {
    return search.findTraceIds(s.tenant(), c, lastHours(2), limit, within);
  }

  private static SpanCondition compare(Field field, Operator op, Object value) {
    return new SpanCondition.Compare(field, op, value);
  }

  @Test
  void dependencies_estimateAllTraffic_byWeighingEachKeptTraceByItsAdjustedCount()
      throws Exception {
    String tenant = tenant("estimated");
    // Given one call kept at 10 % (it stands for ten), one kept whatever (an error: one), and one
    // call inside a service (no edge)
    AssembledTrace sampled =
        traceAgo(tenant, 5)
            .root("frontend", "GET /", 5)
            .child("checkout", "POST /orders", 2)
            .build();
    AssembledTrace failed =
        traceAgo(tenant, 4)
            .root("frontend", "GET /", 5)
            .child("checkout", "POST /orders", 2)
            .error()
            .child("checkout", "SELECT", 1)
            .build();
    write(
        List.of(
            new SampledTrace(
                sampled,
                new SamplingDecision(
                    tenant,
                    sampled.traceId(),
                    DecisionOutcome.KEEP,
                    List.of("probabilistic"),
                    0.1,
                    1L)),
            kept(failed)));

    List<Dependency> edges = search().dependencies(tenant, lastHours(2));

    assertThat(edges).hasSize(1);
    Dependency edge = edges.get(0);
    assertThat(edge.parent() + "->" + edge.child()).isEqualTo("frontend->checkout");
    assertThat(edge.callCount()).as("stored calls").isEqualTo(2);
    assertThat(edge.estimatedCallCount()).as("calls they stand for").isCloseTo(11.0, within(1e-9));
  }

  @Test
  void findsNothingOutsideTheTimeRange() throws Exception {
    Shop s = shop("range");
    long now = nowNanos();
    TraceQuery lastFiveMinutes =
        new TraceQuery.Builder(
                "frontend", new TimeRange(now - Duration.ofMinutes(5).toNanos(), now))
            .build();
    TraceQuery around20MinutesAgo =
        new TraceQuery.Builder(
                "frontend",
                new TimeRange(
                    now - Duration.ofMinutes(25).toNanos(), now - Duration.ofMinutes(15).toNanos()))
            .build();

    assertThat(search().findTraceIds(s.tenant(), lastFiveMinutes)).isEmpty();
    assertThat(search().findTraceIds(s.tenant(), around20MinutesAgo))
        .containsExactly(s.failed().traceId());
  }

  @Test
  void tracesOfASearch_comeInItsOrder_unknownIdsLeftOut() throws Exception {
    Shop s = shop("fetch");
    List<TraceId> ids =
        List.of(s.slow().traceId(), TraceBuilder.randomTraceId(), s.old().traceId());

    Map<TraceId, FoundTrace> found = search().traces(s.tenant(), ids);

    assertThat(found.keySet()).containsExactly(s.slow().traceId(), s.old().traceId());
    assertThat(found.get(s.slow().traceId()).spans())
        .containsExactlyInAnyOrderElementsOf(s.slow().spans());
  }

  @Test
  void findsSummaries_byTraceLevelConditions() throws Exception {
    Shop s = shop("summaries");
    SummaryQuery all =
        new SummaryQuery(
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Map.of(),
            Optional.empty(),
            lastHours(2).fromEpochNanos(),
            lastHours(2).toEpochNanos(),
            20);

    List<FoundSummary> summaries = search().findSummaries(s.tenant(), all);
    assertThat(summaries)
        .extracting(FoundSummary::traceId)
        .containsExactly(s.slow().traceId(), s.failed().traceId(), s.old().traceId());
    FoundSummary failed = summaries.get(1);
    assertThat(failed.rootServiceName()).isEqualTo("frontend");
    assertThat(failed.rootSpanName()).isEqualTo("POST /cart");
    assertThat(failed.startEpochNanos()).isEqualTo(s.failed().summary().startEpochNanos());
    assertThat(failed.durationNanos()).isEqualTo(s.failed().summary().durationNanos());
    assertThat(failed.spanCount()).isEqualTo(2);
    assertThat(failed.error()).isTrue();
    assertThat(failed.services()).containsExactly("checkout", "frontend");

    assertThat(search().findSummaries(s.tenant(), with(all, Optional.of(true), Optional.empty())))
        .extracting(FoundSummary::traceId)
        .containsExactly(s.failed().traceId());
    assertThat(
            search()
                .findSummaries(
                    s.tenant(),
                    with(all, Optional.empty(), Optional.of(Duration.ofSeconds(1).toNanos()))))
        .extracting(FoundSummary::traceId)
        .containsExactly(s.slow().traceId());
    SummaryQuery byOperation =
        new SummaryQuery(
            Optional.of("catalog"),
            Optional.of("list"),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Map.of(),
            Optional.empty(),
            all.fromEpochNanos(),
            all.toEpochNanos(),
            20);
    assertThat(search().findSummaries(s.tenant(), byOperation))
        .extracting(FoundSummary::traceId)
        .containsExactly(s.old().traceId());
    // without an operation, the service is any of the trace's: the attribute may be on another
    // service's span
    SummaryQuery byServiceAndAttribute =
        new SummaryQuery(
            Optional.of("checkout"),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Map.of("http.route", "/cart"),
            Optional.empty(),
            all.fromEpochNanos(),
            all.toEpochNanos(),
            20);
    assertThat(search().findSummaries(s.tenant(), byServiceAndAttribute))
        .extracting(FoundSummary::traceId)
        .containsExactly(s.failed().traceId());
  }

  @Test
  void findsTheTracesLinkingToATraceOrSpan_onTheSameSpanAsTheOtherConditions_inTheTenantOnly()
      throws Exception {
    // Given a producer's trace, a consumer trace linking to its publish span, a trace linking to
    // another trace, and another tenant's trace linking to the same producer
    String tenant = tenant("links");
    String other = tenant("links-other");
    AssembledTrace producer =
        traceAgo(tenant, 20)
            .root("checkout", "POST /orders", 40)
            .child("checkout", "orders publish", 5)
            .build();
    SpanId published = producer.spans().get(1).spanId();
    AssembledTrace consumer =
        traceAgo(tenant, 19)
            .root("fulfillment", "orders process", 30)
            .link(producer.traceId(), published)
            .child("fulfillment", "pack order", 10)
            .build();
    AssembledTrace unrelated =
        traceAgo(tenant, 18)
            .root("fulfillment", "orders process", 30)
            .link(TraceBuilder.randomTraceId(), new SpanId(0x51L))
            .build();
    AssembledTrace otherTenants =
        traceAgo(other, 19)
            .root("fulfillment", "orders process", 30)
            .link(producer.traceId(), published)
            .build();
    write(List.of(kept(producer), kept(consumer), kept(unrelated), kept(otherTenants)));
    TraceSearch search = search();
    LinkTarget toTrace = LinkTarget.trace(producer.traceId());
    LinkTarget toSpan = LinkTarget.span(producer.traceId(), published);
    LinkTarget toAnotherSpan =
        LinkTarget.span(producer.traceId(), producer.spans().get(0).spanId());

    // Then span search finds the linking trace, by trace or by span, and no other
    assertThat(search.findTraceIds(tenant, query("").linkedTo(toTrace).build()))
        .containsExactly(consumer.traceId());
    assertThat(search.findTraceIds(tenant, query("fulfillment").linkedTo(toSpan).build()))
        .containsExactly(consumer.traceId());
    assertThat(search.findTraceIds(tenant, query("").linkedTo(toAnotherSpan).build())).isEmpty();
    // the link holds on the span that meets the other conditions, or nothing is found
    assertThat(
            search.findTraceIds(
                tenant, query("").operation("pack order").linkedTo(toTrace).build()))
        .isEmpty();
    // and summary search as well, with trace-level conditions
    assertThat(search.findSummaries(tenant, linkedTo(toTrace, Optional.empty())))
        .extracting(FoundSummary::traceId)
        .containsExactly(consumer.traceId());
    assertThat(search.findSummaries(tenant, linkedTo(toSpan, Optional.of("checkout")))).isEmpty();
    // each tenant finds its own linking traces only
    assertThat(search.findSummaries(other, linkedTo(toSpan, Optional.empty())))
        .extracting(FoundSummary::traceId)
        .containsExactly(otherTenants.traceId());
    assertThat(search.findTraceIds(tenant("links-nobody"), query("").linkedTo(toTrace).build()))
        .isEmpty();
  }

  private static SummaryQuery linkedTo(LinkTarget target, Optional<String> service) {
    return new SummaryQuery(
        service,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Map.of(),
        Optional.empty(),
        Optional.of(target),
        lastHours(2).fromEpochNanos(),
        lastHours(2).toEpochNanos(),
        20);
  }

  private static SummaryQuery with(
      SummaryQuery q, Optional<Boolean> error, Optional<Long> minDurationNanos) {
    return new SummaryQuery(
        q.service(),
        q.operation(),
        error,
        minDurationNanos,
        q.maxDurationNanos(),
        q.attributes(),
        q.spanStatus(),
        q.fromEpochNanos(),
        q.toEpochNanos(),
        q.limit());
  }

  @Test
  void comparesASelectionWithItsBaseline_rankingTheOverRepresentedValueFirst_inTheTenantOnly()
      throws Exception {
    // Given checkouts calling a payment peer: six quick ones over two ordinary peers, three slow
    // ones all through one peer; and another tenant's slow checkouts through another peer
    String tenant = tenant("compare");
    String other = tenant("compare-other");
    List<SampledTrace> toWrite = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      boolean slow = i >= 6;
      toWrite.add(
          kept(
              traceAgo(tenant, 30 - i)
                  .root("checkout", "POST /orders", slow ? 1_200 : 50)
                  .attr("http.route", "/orders")
                  .child("checkout", "charge", slow ? 1_100 : 30)
                  .attr("peer.service", slow ? "slowpay" : (i % 2 == 0 ? "cardpay" : "walletpay"))
                  .build()));
    }
    for (int i = 0; i < 4; i++) {
      toWrite.add(
          kept(
              traceAgo(other, 30 - i)
                  .root("checkout", "POST /orders", i < 2 ? 1_500 : 50)
                  .child("checkout", "charge", 20)
                  .attr("peer.service", i < 2 ? "otherpay" : "slowpay")
                  .build()));
    }
    write(toWrite);
    SummaryQuery all =
        new SummaryQuery(
            Optional.of("checkout"),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Map.of(),
            Optional.empty(),
            lastHours(2).fromEpochNanos(),
            lastHours(2).toEpochNanos(),
            100);
    SummaryQuery slow = with(all, Optional.empty(), Optional.of(Duration.ofSeconds(1).toNanos()));

    // When the slow ones are compared with all of them
    AttributeComparison compared = search().compareAttributes(tenant, slow, all, 10);

    // Then the baseline leaves the selection out, and the slow peer ranks first
    assertThat(compared.selectionTraces()).isEqualTo(3);
    assertThat(compared.baselineTraces()).isEqualTo(6);
    assertThat(compared.differences().get(0))
        .isEqualTo(new AttributeDifference("peer.service", "slowpay", 3, 0, 1.0, 0.0, 1.0));
    // a value on every trace is no difference
    assertThat(compared.differences()).noneMatch(d -> d.key().equals("http.route"));
    // and each tenant compares its own traces
    AttributeComparison ofOther = search().compareAttributes(other, slow, all, 10);
    assertThat(ofOther.selectionTraces()).isEqualTo(2);
    assertThat(ofOther.baselineTraces()).isEqualTo(2);
    assertThat(ofOther.differences())
        .extracting(AttributeDifference::value)
        .contains("otherpay")
        .doesNotContain("slowpay");
    AttributeComparison ofNobody =
        search().compareAttributes(tenant("compare-nobody"), slow, all, 10);
    assertThat(ofNobody.selectionTraces()).isZero();
    assertThat(ofNobody.differences()).isEmpty();
    // an empty selection still counts its baseline
    AttributeComparison noneFailed =
        search().compareAttributes(tenant, with(all, Optional.of(true), Optional.empty()), all, 10);
    assertThat(noneFailed.selectionTraces()).isZero();
    assertThat(noneFailed.baselineTraces()).isEqualTo(9);
    assertThat(noneFailed.differences()).isEmpty();
  }

  @Test
  void listsTheSearchForm_andTheDependencies_ofTheTenantOnly() throws Exception {
    Shop s = shop("lists");
    Shop other = shop("lists-other");
    write(
        List.of(
            kept(
                traceAgo(other.tenant(), 5)
                    .root("billing", "invoice", 5)
                    .attr("http.route", "/x")
                    .build())));
    TraceSearch search = search();

    assertThat(search.services(s.tenant()))
        .containsExactly("catalog", "checkout", "frontend", "search");
    assertThat(search.spanNames(s.tenant()))
        .containsExactly("GET /home", "GET /search", "POST /cart", "POST /orders", "list", "query");
    assertThat(search.operations(s.tenant(), "frontend", Optional.empty()))
        .containsExactly(
            new Operation("GET /home", "SERVER"),
            new Operation("GET /search", "SERVER"),
            new Operation("POST /cart", "SERVER"));
    assertThat(search.operations(s.tenant(), "checkout", Optional.of("CLIENT")))
        .containsExactly(new Operation("POST /orders", "CLIENT"));
    assertThat(search.operations(s.tenant(), "checkout", Optional.of("SERVER"))).isEmpty();
    assertThat(search.dependencies(s.tenant(), lastHours(2)))
        .containsExactly(
            new Dependency("frontend", "catalog", 1),
            new Dependency("frontend", "checkout", 1),
            new Dependency("frontend", "search", 1));
    assertThat(search.attributeKeys(s.tenant(), Optional.empty())).containsExactly("http.route");
    assertThat(search.attributeValues(s.tenant(), "http.route", Optional.empty()))
        .containsExactly("/cart", "/home", "/search");
    assertThat(search.attributeValues(other.tenant(), "http.route", Optional.empty()))
        .containsExactly("/cart", "/home", "/search", "/x");

    String nobody = tenant("nobody");
    assertThat(search.services(nobody)).isEmpty();
    assertThat(search.spanNames(nobody)).isEmpty();
    assertThat(search.operations(nobody, "frontend", Optional.empty())).isEmpty();
    assertThat(search.dependencies(nobody, lastHours(2))).isEmpty();
    assertThat(search.attributeKeys(nobody, Optional.empty())).isEmpty();
    assertThat(search.findTraceIds(nobody, query("frontend").build())).isEmpty();
  }

  @Test
  void jaegersStorageConformanceCases_allPass_writtenThroughTheWritePath() throws Exception {
    JaegerFixtures fixtures = new JaegerFixtures();
    Map<String, List<Span>> traces = fixtures.traces();
    String tenant = tenant("jaeger");
    String other = tenant("jaeger-other");
    List<SampledTrace> toWrite = new ArrayList<>(fixtures.keptTraces(tenant));
    toWrite.addAll(fixtures.keptTraces(other));
    write(toWrite);

    List<String> failures = new ArrayList<>();
    int passed = 0;
    for (JaegerFixtures.Case c : fixtures.cases()) {
      Map<TraceId, FoundTrace> found =
          search().traces(tenant, search().findTraceIds(tenant, c.query()));
      Map<TraceId, Set<Span>> actual = new HashMap<>();
      found.forEach((id, t) -> actual.put(id, new HashSet<>(t.spans())));
      Map<TraceId, Set<Span>> expected = new HashMap<>();
      for (String f : c.expectedFixtures()) {
        traces
            .get(f)
            .forEach(sp -> expected.computeIfAbsent(sp.traceId(), k -> new HashSet<>()).add(sp));
      }
      if (actual.equals(expected)) {
        passed++;
      } else {
        failures.add(
            c.caption() + ": found " + actual.keySet() + ", expected " + expected.keySet());
      }
    }
    System.out.printf("Jaeger storage conformance: %d of %d cases pass%n", passed, 25);
    assertThat(failures).isEmpty();
    assertThat(passed).isEqualTo(25);
    // and the second tenant's copy of every fixture is never found for the first
    assertThat(search().findTraceIds(tenant("jaeger-nobody"), fixtures.cases().get(0).query()))
        .isEmpty();
  }
}
