package io.spanline.storage.opensearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.junit.UniqueNames;
import io.spanline.localinfra.opensearch.LocalOpenSearch;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.DecisionOutcome;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.schemas.testing.TraceBuilder;
import io.spanline.service.tenancy.TenantLimitsFile;
import io.spanline.storage.opensearch.testing.OpenSearchStoreFixture;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.core5.http.HttpHost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.FieldValue;
import org.opensearch.client.opensearch.core.search.Hit;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5Transport;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;

@ExtendWith(LocalInfraExtension.class)
class RetentionJobIT {
  private static final Clock NOON_22_NOV =
      Clock.fixed(Instant.parse("2026-11-22T12:00:00Z"), ZoneOffset.UTC);

  @Test
  void deletesDailyIndicesOlderThanTheRetention_andLeavesNewerAndForeignIndices(
      LocalOpenSearch node) throws Exception {
    try (ApacheHttpClient5Transport transport =
        ApacheHttpClient5TransportBuilder.builder(
                new HttpHost("http", "127.0.0.1", node.httpPort()))
            .build()) {
      OpenSearchClient client = new OpenSearchClient(transport);
      IndexLayout layout = new IndexLayout(UniqueNames.unique("ret"));
      IndexLayout other = new IndexLayout(UniqueNames.unique("ret"));
      // Given daily indices of several past days, another prefix's and an undated one
      List<String> expired =
          List.of(
              layout.spanIndex(day("2026-11-10")),
              layout.spanIndex(day("2026-11-15")),
              layout.fragmentIndex(day("2026-11-15")),
              layout.traceIndex(day("2026-11-01")));
      List<String> kept =
          List.of(
              layout.spanIndex(day("2026-11-16")),
              layout.spanIndex(day("2026-11-22")),
              layout.traceIndex(day("2026-11-21")),
              layout.fragmentIndex(day("2026-11-16")),
              other.spanIndex(day("2026-11-01")),
              layout.prefix() + "-spans-latest");
      for (String index : concat(expired, kept)) {
        client.indices().create(c -> c.index(index));
      }

      // When the job runs on 22 November with a retention of 7 days
      AtomicInteger counted = new AtomicInteger();
      RetentionJob job =
          new RetentionJob(client, layout, Duration.ofDays(7), NOON_22_NOV, counted::addAndGet);
      List<String> deleted = job.deleteExpired();

      // Then indices before 16 November are gone, the rest stay
      assertThat(job.firstDayKept()).isEqualTo(day("2026-11-16"));
      assertThat(deleted).containsExactlyInAnyOrderElementsOf(expired);
      assertThat(counted).hasValue(4);
      for (String index : expired) {
        assertThat(client.indices().exists(e -> e.index(index)).value()).as(index).isFalse();
      }
      for (String index : kept) {
        assertThat(client.indices().exists(e -> e.index(index)).value()).as(index).isTrue();
      }
      // and a second run finds nothing more to delete
      assertThat(job.deleteExpired()).isEmpty();
      for (String index : kept) {
        client.indices().delete(d -> d.index(index));
      }
    }
  }

  @Test
  void tenantsWithAShorterHotRetention_loseTheirOlderDocuments_andTheOthersKeepTheirs(
      LocalOpenSearch node) throws Exception {
    try (OpenSearchStoreFixture store = OpenSearchStoreFixture.start(node, Set.of())) {
      // Given a global retention of 10 days, today 9 days after TraceBuilder.START's day, and a
      // file where 'short' keeps 3 days, 'keeper' asks for 30 (more than the global) and every
      // other tenant keeps the defaults' 6
      Clock today =
          Clock.fixed(
              IndexLayout.dayOf(TraceBuilder.START)
                  .plusDays(9)
                  .atTime(12, 0)
                  .toInstant(ZoneOffset.UTC),
              ZoneOffset.UTC);
      TenantLimitsFile limits =
          TenantLimitsFile.parse(
              """
              defaults:
                hot-retention-days: 6
              overrides:
                short: {hot-retention-days: 3}
                keeper: {hot-retention-days: 30, cold-retention-days: 1}
              """);
      // and, for each tenant, one trace of 2 spans on each of 10, 6, 2 and 1 days back
      List<SampledTrace> traces = new ArrayList<>();
      for (String tenant : List.of("short", "keeper", "plain")) {
        for (int daysAfterStart : List.of(0, 4, 8, 9)) {
          traces.add(
              kept(
                  TraceBuilder.trace()
                      .tenant(tenant)
                      .shiftedBy(Duration.ofDays(daysAfterStart))
                      .root("api", "GET /", 100)
                      .child("db", "SELECT", 10)
                      .build()));
        }
      }
      store.write(traces);
      assertThat(documents(store, "short")).isEqualTo(16);

      // When the job runs, deleting at most 3 documents per request
      Map<String, Long> counted = new ConcurrentHashMap<>();
      RetentionJob job =
          new RetentionJob(
              store.client(),
              store.layout(),
              Duration.ofDays(10),
              today,
              () -> limits,
              3,
              n -> {},
              (tenant, n) -> counted.merge(tenant, n, Long::sum),
              () -> {});
      assertThat(job.deleteExpired()).isEmpty();
      Map<String, Long> deleted = job.deleteExpiredTenantDocuments();

      // Then 'short' keeps its last 2 days' traces, 'plain' its last 6 days', 'keeper' everything
      assertThat(deleted).containsEntry("short", 8L).containsEntry(RetentionJob.OTHER_TENANTS, 4L);
      assertThat(counted).isEqualTo(deleted);
      assertThat(documents(store, "short")).isEqualTo(8);
      assertThat(documents(store, "plain")).isEqualTo(12);
      assertThat(documents(store, "keeper")).isEqualTo(16);
      assertThat(traceStartDays(store, "short"))
          .containsExactlyInAnyOrder(startPlus(8), startPlus(9));
      assertThat(traceStartDays(store, "plain"))
          .containsExactlyInAnyOrder(startPlus(4), startPlus(8), startPlus(9));
      // in each kind of index
      for (String pattern :
          List.of(
              store.layout().spanIndexPattern(),
              store.layout().fragmentIndexPattern(),
              store.layout().traceIndexPattern())) {
        assertThat(count(store, pattern, "short")).as(pattern).isPositive();
        assertThat(count(store, pattern, "keeper"))
            .as(pattern)
            .isEqualTo(2 * count(store, pattern, "short"));
      }

      // and a second run finds nothing more, counting nothing
      assertThat(job.deleteExpiredTenantDocuments())
          .containsEntry("short", 0L)
          .containsEntry(RetentionJob.OTHER_TENANTS, 0L);
      assertThat(counted).isEqualTo(deleted);

      // When the global retention reaches the oldest day, whole indices go for every tenant
      RetentionJob shorter =
          new RetentionJob(
              store.client(),
              store.layout(),
              Duration.ofDays(9),
              today,
              () -> limits,
              3,
              n -> {},
              (tenant, n) -> {},
              () -> {});
      assertThat(shorter.deleteExpired()).hasSize(3);
      assertThat(documents(store, "keeper")).isEqualTo(12);
    }
  }

  @Test
  void deletionsOpenSearchRefuses_areCountedAsFailures_andTheNextRunDoesThem(LocalOpenSearch node)
      throws Exception {
    try (OpenSearchStoreFixture store = OpenSearchStoreFixture.start(node, Set.of())) {
      // Given 'short' keeping 3 days of a global 10, with a trace 9 days back and one today
      Clock today =
          Clock.fixed(startPlus(9).atTime(12, 0).toInstant(ZoneOffset.UTC), ZoneOffset.UTC);
      TenantLimitsFile limits =
          TenantLimitsFile.parse(
              """
              overrides:
                short: {hot-retention-days: 3}
              """);
      List<SampledTrace> traces = new ArrayList<>();
      for (int daysAfterStart : List.of(0, 9)) {
        traces.add(
            kept(
                TraceBuilder.trace()
                    .tenant("short")
                    .shiftedBy(Duration.ofDays(daysAfterStart))
                    .root("api", "GET /", 100)
                    .build()));
      }
      store.write(traces);
      long before = documents(store, "short");
      // and the old day's span index refusing writes (a write block, as a full disk sets)
      String blocked = store.layout().spanIndex(startPlus(0));
      store
          .client()
          .indices()
          .putSettings(p -> p.index(blocked).settings(x -> x.blocks(b -> b.write(true))));
      AtomicInteger failures = new AtomicInteger();
      RetentionJob job =
          new RetentionJob(
              store.client(),
              store.layout(),
              Duration.ofDays(10),
              today,
              () -> limits,
              100,
              n -> {},
              (tenant, n) -> {},
              failures::incrementAndGet);

      // When the job runs, the refused deletion is counted and the span document stays
      job.run();
      assertThat(failures).hasValue(1);
      assertThat(count(store, blocked, "short")).isEqualTo(1);

      // When the block is lifted, the next run deletes it and counts nothing more
      store
          .client()
          .indices()
          .putSettings(p -> p.index(blocked).settings(x -> x.blocks(b -> b.write(false))));
      job.run();
      assertThat(failures).hasValue(1);
      assertThat(count(store, blocked, "short")).isZero();
      assertThat(documents(store, "short")).isLessThan(before);
      assertThat(traceStartDays(store, "short")).containsExactly(startPlus(9));
    }

    // and a run that cannot reach OpenSearch at all counts one failure
    try (ApacheHttpClient5Transport transport =
        ApacheHttpClient5TransportBuilder.builder(new HttpHost("http", "127.0.0.1", closedPort()))
            .build()) {
      AtomicInteger failures = new AtomicInteger();
      new RetentionJob(
              new OpenSearchClient(transport),
              new IndexLayout(UniqueNames.unique("ret")),
              Duration.ofDays(7),
              NOON_22_NOV,
              () -> TenantLimitsFile.EMPTY,
              100,
              n -> {},
              (tenant, n) -> {},
              failures::incrementAndGet)
          .run();
      assertThat(failures).hasValue(1);
    }
  }

  /** A port nothing listens on: bound once, then released. */
  private static int closedPort() throws IOException {
    try (java.net.ServerSocket socket =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static SampledTrace kept(AssembledTrace trace) {
    return new SampledTrace(
        trace,
        new SamplingDecision(
            trace.tenant(), trace.traceId(), DecisionOutcome.KEEP, List.of("all"), 1.0, 1L));
  }

  private static LocalDate startPlus(int days) {
    return IndexLayout.dayOf(TraceBuilder.START).plusDays(days);
  }

  /** Documents of the tenant in the span, fragment and summary indices together. */
  private static long documents(OpenSearchStoreFixture store, String tenant) throws IOException {
    return count(store, store.layout().prefix() + "-*", tenant);
  }

  private static long count(OpenSearchStoreFixture store, String pattern, String tenant)
      throws IOException {
    store.client().indices().refresh(r -> r.index(pattern).ignoreUnavailable(true));
    return store
        .client()
        .count(
            c ->
                c.index(pattern)
                    .ignoreUnavailable(true)
                    .allowNoIndices(true)
                    .query(q -> q.term(t -> t.field(Fields.TENANT).value(FieldValue.of(tenant)))))
        .count();
  }

  /** The days of the tenant's trace summary indices holding a document of it. */
  private static List<LocalDate> traceStartDays(OpenSearchStoreFixture store, String tenant)
      throws IOException {
    List<LocalDate> days = new ArrayList<>();
    for (Hit<ObjectNode> h :
        store
            .client()
            .search(
                s ->
                    s.index(store.layout().traceIndexPattern())
                        .size(100)
                        .query(
                            q -> q.term(t -> t.field(Fields.TENANT).value(FieldValue.of(tenant)))),
                ObjectNode.class)
            .hits()
            .hits()) {
      days.add(store.layout().dayOfIndex(h.index()).orElseThrow());
    }
    return days;
  }

  private static LocalDate day(String iso) {
    return LocalDate.parse(iso);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }
}
