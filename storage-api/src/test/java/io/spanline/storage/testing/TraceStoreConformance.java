package io.spanline.storage.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.localinfra.junit.UniqueNames;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.DecisionOutcome;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.testing.TraceBuilder;
import io.spanline.storage.FoundTrace;
import io.spanline.storage.TimeRange;
import io.spanline.storage.TraceStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What every {@link TraceStore} does, run by each store against its real backend (in the spirit of
 * Zipkin's {@code ITSpanStore}): trace by ID, late fragments, truncation at the store's span limit,
 * spans written twice, and tenant isolation. A subclass builds the store, and writes traces through
 * the same write path its sink uses; every test writes traces of tenants of its own, so the tests
 * share one store.
 */
public abstract class TraceStoreConformance {
  /** Most spans the store under test returns for one trace. */
  protected static final int MAX_SPANS = 20;

  /** The store under test, built with {@link #MAX_SPANS}. */
  protected abstract TraceStore store();

  /**
   * Writes kept traces (or late fragments) through the store's write path; when it returns, a read
   * sees them.
   */
  protected abstract void write(List<SampledTrace> traces) throws Exception;

  /** Now, in epoch nanoseconds: traces are written around now, as a sink receives them. */
  protected static long nowNanos() {
    return System.currentTimeMillis() * 1_000_000L;
  }

  /** A trace builder whose spans start {@code agoMinutes} before now. */
  protected static TraceBuilder traceAgo(String tenant, long agoMinutes) {
    Duration toNow = Duration.ofNanos(nowNanos() - TraceBuilder.START);
    return TraceBuilder.trace().tenant(tenant).shiftedBy(toNow.minusMinutes(agoMinutes));
  }

  /** A kept trace as the sampling stream writes it. */
  protected static SampledTrace kept(AssembledTrace trace) {
    return new SampledTrace(
        trace,
        new SamplingDecision(
            trace.tenant(), trace.traceId(), DecisionOutcome.KEEP, List.of("errors"), 1.0, 1L));
  }

  /** The last {@code hours} up to a minute ahead. */
  protected static TimeRange lastHours(int hours) {
    return new TimeRange(
        nowNanos() - Duration.ofHours(hours).toNanos(),
        nowNanos() + Duration.ofMinutes(1).toNanos());
  }

  protected static String tenant(String name) {
    return UniqueNames.unique(name);
  }

  @Test
  void traceById_returnsEverySpanOfTheTrace_byStart() throws Exception {
    String tenant = tenant("by-id");
    AssembledTrace trace =
        traceAgo(tenant, 10)
            .root("frontend", "GET /cart", 120)
            .attr("http.route", "/cart")
            .child("checkout", "POST /orders", 60)
            .error()
            .child("payment", "charge", 20)
            .build();
    write(List.of(kept(trace)));

    Optional<FoundTrace> found = store().trace(tenant, trace.traceId(), lastHours(1));

    assertThat(found).isPresent();
    assertThat(found.get().spans()).containsExactlyInAnyOrderElementsOf(trace.spans());
    assertThat(found.get().spans())
        .isSortedAccordingTo(java.util.Comparator.comparingLong(Span::startEpochNanos));
    assertThat(found.get().truncated()).isFalse();
  }

  @Test
  void aTraceNeverWritten_isNotFound() throws Exception {
    String tenant = tenant("unknown");
    write(List.of(kept(traceAgo(tenant, 5).root("frontend", "GET /", 5).build())));

    assertThat(store().trace(tenant, TraceBuilder.randomTraceId(), lastHours(1))).isEmpty();
  }

  @Test
  void anotherTenant_neverSeesATrace_evenUnderTheSameTraceId() throws Exception {
    String acme = tenant("acme");
    String globex = tenant("globex");
    AssembledTrace ofAcme = traceAgo(acme, 10).root("frontend", "GET /acme", 10).build();
    AssembledTrace ofGlobex =
        traceAgo(globex, 10)
            .traceId(ofAcme.traceId())
            .root("api", "GET /globex", 10)
            .child("db", "SELECT", 2)
            .build();
    write(List.of(kept(ofAcme), kept(ofGlobex)));

    assertThat(store().trace(acme, ofAcme.traceId(), lastHours(1)).orElseThrow().spans())
        .containsExactlyInAnyOrderElementsOf(ofAcme.spans());
    assertThat(store().trace(globex, ofAcme.traceId(), lastHours(1)).orElseThrow().spans())
        .containsExactlyInAnyOrderElementsOf(ofGlobex.spans());
    assertThat(store().trace(tenant("initech"), ofAcme.traceId(), lastHours(1))).isEmpty();
  }

  @Test
  void aLateFragment_isReturnedWithTheTraceItBelongsTo() throws Exception {
    String tenant = tenant("late");
    AssembledTrace first = traceAgo(tenant, 20).root("frontend", "GET /slow", 900).build();
    AssembledTrace late =
        traceAgo(tenant, 20)
            .traceId(first.traceId())
            .fragment(1)
            .orphan("batch", "flush", 950, 30)
            .build();
    write(List.of(kept(first)));
    write(List.of(kept(late)));

    List<Span> expected = new ArrayList<>(first.spans());
    expected.addAll(late.spans());
    assertThat(store().trace(tenant, first.traceId(), lastHours(1)).orElseThrow().spans())
        .containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void aTraceAboveTheSpanLimit_isCutThere_earliestSpansKept() throws Exception {
    String tenant = tenant("big");
    TraceBuilder b = traceAgo(tenant, 10).root("frontend", "GET /big", 500);
    for (int i = 0; i < MAX_SPANS + 5; i++) {
      b.orphan("worker", "task " + i, 10 + i, 1);
    }
    AssembledTrace trace = b.build();
    write(List.of(kept(trace)));

    FoundTrace found = store().trace(tenant, trace.traceId(), lastHours(1)).orElseThrow();

    assertThat(found.truncated()).isTrue();
    assertThat(found.spans()).hasSize(MAX_SPANS);
    List<Span> byStart =
        trace.spans().stream()
            .sorted(java.util.Comparator.comparingLong(Span::startEpochNanos))
            .toList();
    assertThat(found.spans()).containsExactlyElementsOf(byStart.subList(0, MAX_SPANS));
  }

  @Test
  void aTraceWrittenTwice_hasEachSpanOnce() throws Exception {
    String tenant = tenant("twice");
    AssembledTrace trace =
        traceAgo(tenant, 10).root("frontend", "GET /", 10).child("db", "SELECT", 2).build();
    write(List.of(kept(trace)));
    write(List.of(kept(trace)));

    assertThat(store().trace(tenant, trace.traceId(), lastHours(1)).orElseThrow().spans())
        .containsExactlyInAnyOrderElementsOf(trace.spans());
  }

  @Test
  void aRangeAroundTheTraceStart_findsIt() throws Exception {
    String tenant = tenant("range");
    AssembledTrace trace = traceAgo(tenant, 90).root("frontend", "GET /older", 10).build();
    write(List.of(kept(trace)));
    long start = trace.summary().startEpochNanos();

    TimeRange around =
        new TimeRange(
            start - Duration.ofMinutes(1).toNanos(), start + Duration.ofMinutes(1).toNanos());
    assertThat(store().trace(tenant, trace.traceId(), around)).isPresent();
  }
}
