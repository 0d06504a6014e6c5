package io.spanline.storage.opensearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.junit.UniqueNames;
import io.spanline.localinfra.opensearch.LocalOpenSearch;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.DecisionOutcome;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.testing.TraceBuilder;
import io.spanline.storage.TimeRange;
import io.spanline.storage.TraceQuery;
import io.spanline.storage.opensearch.testing.OpenSearchStoreFixture;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.opensearch.client.opensearch.OpenSearchClient;

/**
 * Generations on a real OpenSearch node: written beside the live days through the index sink's
 * write path, compared, promoted with one alias request (reads, writes and the retention job then
 * go through the aliases), promoted again (nothing changes) and discarded (the live days stay).
 */
@ExtendWith(LocalInfraExtension.class)
class IndexGenerationsIT {
  private static final String SHA = "0".repeat(64);
  private static final LocalDate DAY1 = IndexLayout.dayOf(TraceBuilder.START);
  private static final LocalDate DAY2 = DAY1.plusDays(1);
  private static final TemplateSettings TEMPLATES =
      new TemplateSettings(new IndexLayout("ignored"), 1, 0, "1s", 256);

  @Test
  void promotion_swapsTheLiveDaysAtomically_andReadsWritesAndRetentionGoThroughTheAliases(
      LocalOpenSearch node) throws Exception {
    IndexLayout live = new IndexLayout(UniqueNames.unique("gen"));
    try (OpenSearchStoreFixture liveWriter = OpenSearchStoreFixture.start(node, live);
        OpenSearchStoreFixture genWriter =
            OpenSearchStoreFixture.start(node, live.generation("g2"))) {
      OpenSearchClient client = liveWriter.client();
      OpenSearchTraceStore store =
          new OpenSearchTraceStore(client, live, 1000, new SimpleMeterRegistry());
      IndexGenerations generations = new IndexGenerations(client, live, Clock.systemUTC());
      // Given live traces a and b on day 1 and c on day 2, all kept by the live policy
      AssembledTrace a = TraceBuilder.trace().root("frontend", "GET /a", 20).build();
      AssembledTrace b = TraceBuilder.trace().tenant("acme").root("checkout", "GET /b", 5).build();
      AssembledTrace c =
          TraceBuilder.trace().root("frontend", "GET /c", 5).shiftedBy(Duration.ofDays(1)).build();
      liveWriter.write(List.of(kept(a, "live"), kept(b, "live"), kept(c, "live")));
      // and a generation of day 1 being created
      generations.begin("g2", DAY1, DAY1, SHA, TEMPLATES);

      // Then a half-created generation is not promoted
      assertThatThrownBy(() -> generations.promote("g2"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("not complete");

      // When the stricter policy keeps only a, written into the generation, and create completes
      genWriter.write(List.of(kept(a, "strict")));
      assertThat(generations.complete("g2").state()).isEqualTo(IndexGenerations.State.COMPLETE);

      // Then the comparison counts both sides of day 1
      IndexGenerations.Comparison comparison = generations.compare("g2");
      assertThat(comparison.live().total()).isEqualTo(new IndexGenerations.Counts(2, 2));
      assertThat(comparison.candidate().total()).isEqualTo(new IndexGenerations.Counts(1, 1));
      assertThat(comparison.live().byPolicy())
          .isEqualTo(Map.of("live", new IndexGenerations.Counts(2, 2)));
      assertThat(comparison.candidate().byPolicy())
          .isEqualTo(Map.of("strict", new IndexGenerations.Counts(1, 1)));
      assertThat(comparison.live().byTenant())
          .containsEntry("acme", new IndexGenerations.Counts(1, 1))
          .containsEntry("default", new IndexGenerations.Counts(1, 1));
      assertThat(comparison.candidate().byRootService())
          .isEqualTo(Map.of("frontend", new IndexGenerations.Counts(1, 1)));
      // and the live days are untouched before promotion
      assertThat(store.trace("acme", b.traceId(), anyTime())).isPresent();
      assertThat(dayOne(store, "default")).containsExactly(a.traceId());

      // When it is promoted
      IndexGenerations.Promotion promotion = generations.promote("g2");

      // Then day 1's three live indices were replaced in one request, and day 2 is untouched
      assertThat(promotion.actions()).isEqualTo(6);
      assertThat(promotion.replacedIndices())
          .containsExactlyInAnyOrder(
              live.spanIndex(DAY1), live.fragmentIndex(DAY1), live.traceIndex(DAY1));
      assertThat(generations.find("g2").orElseThrow().state())
          .isEqualTo(IndexGenerations.State.PROMOTED);
      assertThat(store.trace("acme", b.traceId(), anyTime())).isEmpty();
      assertThat(store.trace("default", a.traceId(), anyTime())).isPresent();
      assertThat(store.trace("default", c.traceId(), anyTime())).isPresent();
      assertThat(dayOne(store, "default")).containsExactly(a.traceId());
      assertThat(dayOne(store, "acme")).isEmpty();
      // (the live names now read the generation's summaries)
      assertThat(generations.compare("g2").live().byPolicy())
          .isEqualTo(Map.of("strict", new IndexGenerations.Counts(1, 1)));

      // and promoting again changes nothing
      assertThat(generations.promote("g2").actions()).isZero();

      // When the live index sink writes a new trace d and a late fragment of a into day 1
      AssembledTrace d = TraceBuilder.trace().root("search", "GET /d", 5).build();
      AssembledTrace lateOfA =
          TraceBuilder.trace().traceId(a.traceId()).fragment(1).orphan("db", "late", 30, 5).build();
      liveWriter.write(List.of(kept(d, "live"), kept(lateOfA, "live")));

      // Then both land in the generation's index through the live names
      assertThat(store.trace("default", d.traceId(), anyTime())).isPresent();
      assertThat(store.trace("default", a.traceId(), anyTime()).orElseThrow().spans()).hasSize(2);
      assertThat(count(client, live.generation("g2").traceIndex(DAY1))).isEqualTo(2);
      assertThat(count(client, live.generation("g2").spanIndex(DAY1))).isEqualTo(3);
      assertThat(client.indices().exists(e -> e.index(live.traceIndex(DAY1))).value()).isTrue();

      // and a promoted generation is not discarded
      assertThatThrownBy(() -> generations.discard("g2"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("promoted");

      // When the retention job runs on the day day 1 expires and day 2 is the first day kept
      RetentionJob retention =
          new RetentionJob(
              client,
              live,
              Duration.ofDays(7),
              Clock.fixed(
                  DAY2.plusDays(6).atStartOfDay().toInstant(ZoneOffset.UTC), ZoneOffset.UTC),
              n -> {});
      List<String> deleted = retention.deleteExpired();

      // Then it deletes the promoted generation's day 1 (the live names go with it), not day 2
      IndexLayout g2 = live.generation("g2");
      assertThat(deleted)
          .containsExactlyInAnyOrder(
              g2.spanIndex(DAY1), g2.fragmentIndex(DAY1), g2.traceIndex(DAY1));
      assertThat(client.indices().exists(e -> e.index(live.spanIndex(DAY1))).value()).isFalse();
      assertThat(store.trace("default", c.traceId(), anyTime())).isPresent();
      cleanUp(client, live);
    }
  }

  @Test
  void discard_leavesTheLiveDays_andPromotionFillsADayThatHadNoLiveIndex(LocalOpenSearch node)
      throws Exception {
    IndexLayout live = new IndexLayout(UniqueNames.unique("gen"));
    try (OpenSearchStoreFixture liveWriter = OpenSearchStoreFixture.start(node, live);
        OpenSearchStoreFixture g3Writer =
            OpenSearchStoreFixture.start(node, live.generation("g3"))) {
      OpenSearchClient client = liveWriter.client();
      OpenSearchTraceStore store =
          new OpenSearchTraceStore(client, live, 1000, new SimpleMeterRegistry());
      IndexGenerations generations = new IndexGenerations(client, live, Clock.systemUTC());
      // Given a live trace on day 1 and no live index for day 2
      AssembledTrace a = TraceBuilder.trace().root("frontend", "GET /a", 20).build();
      liveWriter.write(List.of(kept(a, "live")));
      // and a complete generation of days 1-2 that kept only a trace on day 2
      AssembledTrace e =
          TraceBuilder.trace().root("frontend", "GET /e", 5).shiftedBy(Duration.ofDays(1)).build();
      generations.begin("g3", DAY1, DAY2, SHA, TEMPLATES);
      g3Writer.write(List.of(kept(e, "strict")));
      generations.complete("g3");
      // its empty day 1 still has its indices
      assertThat(
              client.indices().exists(x -> x.index(live.generation("g3").spanIndex(DAY1))).value())
          .isTrue();
      // and another name for other days is refused
      assertThatThrownBy(() -> generations.begin("g3", DAY1, DAY1, SHA, TEMPLATES))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("another range");

      // When it is discarded
      List<String> deleted = generations.discard("g3");

      // Then its indices and record are gone and the live day is untouched
      assertThat(deleted).hasSize(6).allMatch(i -> i.startsWith(live.prefix() + "-gen-g3-"));
      assertThat(generations.find("g3")).isEmpty();
      assertThat(store.trace("default", a.traceId(), anyTime())).isPresent();
      assertThat(count(client, live.spanIndex(DAY1))).isEqualTo(1);
      assertThat(store.trace("default", e.traceId(), anyTime())).isEmpty();

      // When the same generation is created again and promoted
      generations.begin("g3", DAY1, DAY2, SHA, TEMPLATES);
      g3Writer.write(List.of(kept(e, "strict")));
      generations.complete("g3");
      IndexGenerations.Promotion promotion = generations.promote("g3");

      // Then day 1 is replaced by the generation's empty day, day 2 gains its aliases
      assertThat(promotion.replacedIndices()).hasSize(3);
      assertThat(promotion.actions()).isEqualTo(9);
      assertThat(store.trace("default", a.traceId(), anyTime())).isEmpty();
      assertThat(store.trace("default", e.traceId(), anyTime())).isPresent();

      // When a later generation g4 of day 2 keeps another trace f and is promoted over g3's day
      AssembledTrace f =
          TraceBuilder.trace().root("frontend", "GET /f", 5).shiftedBy(Duration.ofDays(1)).build();
      try (OpenSearchStoreFixture g4Writer =
          OpenSearchStoreFixture.start(node, live.generation("g4"))) {
        generations.begin("g4", DAY2, DAY2, SHA, TEMPLATES);
        g4Writer.write(List.of(kept(f, "newer")));
        generations.complete("g4");
        IndexGenerations.Promotion over = generations.promote("g4");

        // Then g3's day-2 indices are the ones replaced, and day 1 stays g3's
        IndexLayout g3 = live.generation("g3");
        assertThat(over.replacedIndices())
            .containsExactlyInAnyOrder(
                g3.spanIndex(DAY2), g3.fragmentIndex(DAY2), g3.traceIndex(DAY2));
        assertThat(store.trace("default", e.traceId(), anyTime())).isEmpty();
        assertThat(store.trace("default", f.traceId(), anyTime())).isPresent();
        assertThat(client.indices().exists(x -> x.index(g3.spanIndex(DAY1))).value()).isTrue();
      }
      cleanUp(client, live);
    }
  }

  private static SampledTrace kept(AssembledTrace trace, String policy) {
    return new SampledTrace(
        trace,
        new SamplingDecision(
            trace.tenant(), trace.traceId(), DecisionOutcome.KEEP, List.of(policy), 1.0, 1L));
  }

  private static TimeRange anyTime() {
    return new TimeRange(0, Long.MAX_VALUE);
  }

  private static List<TraceId> dayOne(OpenSearchTraceStore store, String tenant) throws Exception {
    long from = DAY1.atStartOfDay().toEpochSecond(ZoneOffset.UTC) * 1_000_000_000L;
    return store.findTraceIds(
        tenant,
        new TraceQuery.Builder("", new TimeRange(from, from + 86_400_000_000_000L - 1)).build());
  }

  private static void cleanUp(OpenSearchClient client, IndexLayout live) {
    try {
      client.indices().delete(x -> x.index(live.prefix() + "-*").ignoreUnavailable(true));
    } catch (Exception e) {
      // a test's own prefix: what is left does not disturb other tests
    }
  }

  private static long count(OpenSearchClient client, String index) throws Exception {
    client.indices().refresh(r -> r.index(index));
    return client.count(c -> c.index(index)).count();
  }
}
