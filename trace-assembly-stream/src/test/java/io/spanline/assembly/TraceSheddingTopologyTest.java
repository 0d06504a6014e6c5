package io.spanline.assembly;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.assembly.buffer.ClosureReason;
import io.spanline.assembly.testing.AssemblyDriver;
import io.spanline.assembly.testing.TestTraces;
import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.model.TraceShedding;
import io.spanline.schemas.topic.SpanlineHeaders;
import io.spanline.service.tenancy.TenantLimitsFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Overload shedding in the assembly topology (TopologyTestDriver, wall clock moved explicitly): new
 * traces are shed whole by the shared trace-ID rule while the open-trace bound fills, errors and
 * debug marks are kept, kept traces carry their adjusted count, and nothing is shed below the
 * fraction.
 */
class TraceSheddingTopologyTest {
  private static final String DEBUG = "spanline.debug";
  private static final Duration STEP = Duration.ofMillis(100);
  private static final String TENANT = SpanlineHeaders.DEFAULT_TENANT;

  @TempDir Path stateDir;

  private final TestTraces traces = new TestTraces(25);
  private AssemblyDriver driver;

  @AfterEach
  void close() {
    if (driver != null) {
      driver.close();
    }
  }

  /** 100 open traces at most, idle after 2 s: it sustains about 50 new traces a second. */
  private AssemblyDriver driver(boolean shed) {
    Map<String, String> settings = new HashMap<>();
    settings.put("trace.idle.timeout.ms", "2000");
    settings.put("trace.max.open", "100");
    settings.put("punctuation.interval.ms", "100");
    settings.put("shed.enabled", String.valueOf(shed));
    settings.put("shed.open-fraction", "0.5");
    driver = new AssemblyDriver(stateDir, settings);
    return driver;
  }

  /** What was sent of one trace, and how it must come out. */
  private record Sent(List<Span> spans, boolean error, boolean debug) {
    TraceId traceId() {
      return spans.get(0).traceId();
    }
  }

  /**
   * Sends {@code perStep} new traces of 4 spans every 100 ms for {@code steps} steps, each in two
   * records 100 ms apart (spans 0-1, then 2-3), every 200th with an error span and every 200th (100
   * later) with a debug mark in its first record; then lets every trace close.
   */
  private List<Sent> sendLoad(AssemblyDriver d, int steps, int perStep) {
    int[] profile = new int[steps];
    java.util.Arrays.fill(profile, perStep);
    return sendLoad(d, profile);
  }

  /** As {@link #sendLoad(AssemblyDriver, int, int)}, with {@code perStep[i]} traces at step i. */
  private List<Sent> sendLoad(AssemblyDriver d, int[] perStep) {
    List<Sent> sent = new ArrayList<>();
    List<Sent> secondHalves = new ArrayList<>();
    for (int step = 0; step < perStep.length; step++) {
      for (Sent s : secondHalves) {
        d.send(s.spans().subList(2, 4));
      }
      secondHalves = new ArrayList<>();
      for (int i = 0; i < perStep[step]; i++) {
        int n = sent.size();
        List<Span> spans = new ArrayList<>(traces.trace(4));
        boolean error = n % 200 == 0;
        boolean debug = n % 200 == 100;
        if (error) {
          spans.set(1, TestTraces.failed(spans.get(1)));
        }
        if (debug) {
          spans.set(1, spans.get(1).toBuilder().addAttribute(Attribute.of(DEBUG, true)).build());
        }
        Sent s = new Sent(spans, error, debug);
        sent.add(s);
        d.send(spans.subList(0, 2));
        secondHalves.add(s);
      }
      d.advanceWallClock(STEP);
    }
    for (Sent s : secondHalves) {
      d.send(s.spans().subList(2, 4));
    }
    for (int i = 0; i < 40; i++) {
      d.advanceWallClock(STEP);
    }
    return sent;
  }

  private static Optional<Long> adjustedCount(AssembledTrace t) {
    Optional<Long> max = Optional.empty();
    for (Span s : t.spans()) {
      Optional<AnyValue> v = Attribute.find(s.attributes(), TraceShedding.ADJUSTED_COUNT_ATTRIBUTE);
      if (v.isPresent() && v.get() instanceof AnyValue.LongValue l) {
        max = Optional.of(Math.max(l.value(), max.orElse(0L)));
      }
    }
    return max;
  }

  @Test
  void atTenTimesTheSustainableLoad_newTracesAreShedWhole_errorsAndDebugKept_countsStamped() {
    // Given shedding from half of 100 open traces, idle after 2 s: a trace stays open about 2.3 s
    // after its first span, so the bound sustains about 43 new traces a second
    AssemblyDriver d = driver(true);

    // When the load rises to 10 times that within 4 s and stays there for 4 s (each trace in two
    // records)
    int[] profile = new int[80];
    for (int step = 0; step < profile.length; step++) {
      profile[step] = step < 10 ? 4 : step < 20 ? 9 : step < 40 ? 22 : 43;
    }
    List<Sent> sent = sendLoad(d, profile);

    // Then every assembled trace is whole: fragment 0 with its 4 spans, none closed early
    List<AssembledTrace> out = d.assembled();
    assertThat(out).allSatisfy(t -> assertThat(t.fragment()).isZero());
    assertThat(out).allSatisfy(t -> assertThat(t.spans()).hasSize(4));
    assertThat(d.metrics().lateFragmentCount()).isZero();
    assertThat(d.metrics().closedCount(ClosureReason.OVERLOAD)).isZero();
    Map<TraceId, AssembledTrace> byId = new HashMap<>();
    out.forEach(t -> byId.put(t.traceId(), t));
    assertThat(byId).hasSameSizeAs(out);

    // and every trace with an error span or a debug mark is among them, without an adjusted count
    List<Sent> exempt = sent.stream().filter(s -> s.error() || s.debug()).toList();
    assertThat(exempt).hasSize(23);
    assertThat(exempt)
        .allSatisfy(
            s -> {
              assertThat(byId).containsKey(s.traceId());
              assertThat(adjustedCount(byId.get(s.traceId()))).isEmpty();
            });

    // and every other trace was either assembled or shed, most of them shed
    long shed = d.metrics().tracesShed(TENANT);
    assertThat(out.size() + shed).isEqualTo(sent.size());
    assertThat(d.metrics().spansShed(TENANT)).isEqualTo(4 * shed);
    assertThat((double) shed / sent.size()).as("shed share").isGreaterThan(0.6);

    // and each trace kept while shedding carries 2^level, the rule kept it at that level, and
    // the adjusted counts add up to the traces sent (the RED metrics stay unbiased)
    long weighed = 0;
    Set<Long> counts = new HashSet<>();
    for (Sent s : sent) {
      AssembledTrace t = byId.get(s.traceId());
      if (t == null || s.error() || s.debug()) {
        continue;
      }
      long count = adjustedCount(t).orElse(1L);
      counts.add(count);
      int level = Long.numberOfTrailingZeros(count);
      assertThat(TraceShedding.keeps(s.traceId(), level)).isTrue();
      assertThat(t.spans())
          .as("every span of the first record is stamped")
          .filteredOn(
              sp ->
                  Attribute.find(sp.attributes(), TraceShedding.ADJUSTED_COUNT_ATTRIBUTE)
                      .isPresent())
          .hasSizeGreaterThanOrEqualTo(count > 1 ? 2 : 0);
      weighed += count;
    }
    assertThat(counts).contains(1L, 16L);
    assertThat(weighed).isCloseTo(sent.size() - exempt.size(), Percentage.withPercentage(20));
    assertThat(d.metrics().openTraces()).isZero();
  }

  @Test
  void belowTheFraction_nothingIsShed() {
    // Given shedding from half of 100 open traces
    AssemblyDriver d = driver(true);

    // When 20 new traces a second arrive (about 40 open at once)
    List<Sent> sent = sendLoad(d, 60, 2);

    // Then every trace is assembled whole, without an adjusted count
    List<AssembledTrace> out = d.assembled();
    assertThat(out).hasSize(sent.size());
    assertThat(out).allSatisfy(t -> assertThat(t.spans()).hasSize(4));
    assertThat(out).allSatisfy(t -> assertThat(adjustedCount(t)).isEmpty());
    assertThat(d.metrics().tracesShed(TENANT)).isZero();
  }

  @Test
  void withSheddingOff_theBoundIsKeptByClosingEarly_asBefore() {
    // Given the same bound without shedding
    AssemblyDriver d = driver(false);

    // When the same 10x load arrives
    List<Sent> sent = sendLoad(d, 20, 50);

    // Then nothing is shed, the bound is kept by closing the traces due soonest early
    assertThat(d.metrics().tracesShed(TENANT)).isZero();
    assertThat(d.metrics().closedCount(ClosureReason.OVERLOAD)).isPositive();
    List<AssembledTrace> out = d.assembled();
    assertThat(out.stream().mapToInt(t -> t.spans().size()).sum()).isEqualTo(4 * sent.size());
  }

  @Test
  void laterSpansOfAShedTrace_areShedForItsIdleWindow_andAnErrorAmongThemIsCountedAsLost() {
    // Given shedding from half of 4 open traces, idle after 2 s
    Map<String, String> settings = new HashMap<>();
    settings.put("trace.idle.timeout.ms", "2000");
    settings.put("trace.max.open", "4");
    settings.put("punctuation.interval.ms", "100");
    settings.put("shed.enabled", "true");
    settings.put("shed.open-fraction", "0.5");
    driver = new AssemblyDriver(stateDir, settings);
    AssemblyDriver d = driver;
    // and 3 open traces (fill 0.75: level 2, keeping 1/4)
    for (int i = 0; i < 3; i++) {
      d.send(traces.trace(2));
    }
    // When a trace the rule does not keep at level 1 opens, then gets more spans, one an error
    TraceId shedId = new TraceId(7, Long.MAX_VALUE - 1);
    assertThat(TraceShedding.keeps(shedId, 1)).isFalse();
    List<Span> shedTrace = new ArrayList<>(traces.trace(shedId, 4));
    shedTrace.set(3, TestTraces.failed(shedTrace.get(3)));
    d.send(shedTrace.subList(0, 1));
    // (while a trace every level keeps gets a span every 500 ms, so the stream's clock moves)
    TraceId keptId = new TraceId(7, 1);
    List<Span> kept = traces.trace(keptId, 12);
    int k = 0;
    for (int t = 500; t <= 3000; t += 500) {
      d.advanceWallClock(Duration.ofMillis(500));
      d.send(kept.subList(k, k + 1));
      k++;
      if (t == 1500) {
        d.send(shedTrace.subList(1, 3));
      }
    }
    // (the 3 open traces closed at 2 s: the level is 0 now)
    assertThat(d.assembled()).hasSize(3);
    d.send(shedTrace.subList(3, 4));

    // Then no part of it is assembled, its error span is counted as lost with it
    for (int t = 3500; t <= 5500; t += 500) {
      d.advanceWallClock(Duration.ofMillis(500));
      d.send(kept.subList(k, k + 1));
      k++;
    }
    assertThat(d.assembled()).isEmpty();
    assertThat(d.metrics().tracesShed(TENANT)).isEqualTo(1);
    assertThat(d.metrics().spansShed(TENANT)).isEqualTo(4);
    assertThat(d.metrics().shedLateErrorCount(TENANT)).isEqualTo(1);

    // When a span of it arrives after its idle window (2 s after its latest span), below the
    // fraction
    d.send(List.of(traces.span(shedId, null, 1_700_000_000_000_000_000L, "late")));
    d.advanceWallClock(Duration.ofSeconds(3));

    // Then it starts a new trace, as any trace ID seen no more
    List<AssembledTrace> out = d.assembled();
    assertThat(out).extracting(AssembledTrace::traceId).containsExactlyInAnyOrder(shedId, keptId);
    assertThat(out).allSatisfy(t -> assertThat(t.fragment()).isZero());
    int keptSpans = k;
    assertThat(out.stream().filter(t -> t.traceId().equals(keptId)).findFirst().orElseThrow())
        .satisfies(t -> assertThat(t.spans()).hasSize(keptSpans));
  }

  @Test
  void aTenantOverItsOwnBound_shedsItsOwnNewTraces_notOthers() {
    // Given noisy bounded to 10 open traces, shedding from half of that
    driver =
        new AssemblyDriver(
            stateDir,
            Map.of("shed.enabled", "true", "shed.open-fraction", "0.5"),
            () -> TenantLimitsFile.parse("overrides:\n  noisy:\n    max-open-traces: 10\n"));
    AssemblyDriver d = driver;

    // When noisy and quiet each open 30 traces
    for (int i = 0; i < 30; i++) {
      d.send("noisy", traces.trace(2));
      d.send("quiet", traces.trace(2));
    }
    d.advanceWallClock(Duration.ofSeconds(11));

    // Then only noisy's new traces were shed
    List<AssembledTrace> out = d.assembled();
    assertThat(d.metrics().tracesShed("quiet")).isZero();
    assertThat(out.stream().filter(t -> t.tenant().equals("quiet"))).hasSize(30);
    long noisyOut = out.stream().filter(t -> t.tenant().equals("noisy")).count();
    assertThat(d.metrics().tracesShed("noisy")).isPositive();
    assertThat(noisyOut + d.metrics().tracesShed("noisy")).isEqualTo(30);
  }
}
