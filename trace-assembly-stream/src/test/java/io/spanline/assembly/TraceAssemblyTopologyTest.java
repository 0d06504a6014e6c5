package io.spanline.assembly;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.assembly.buffer.ClosureReason;
import io.spanline.assembly.testing.AssemblyDriver;
import io.spanline.assembly.testing.TestTraces;
import io.spanline.schemas.codec.avro.AvroRecordCodec;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanId;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.topic.SpanlineHeaders;
import io.spanline.service.tenancy.TenantLimitsFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceAssemblyTopologyTest {
  private static final Duration IDLE = Duration.ofSeconds(10);
  private static final Duration TICK = Duration.ofSeconds(1);

  @TempDir Path stateDir;

  private final TestTraces traces = new TestTraces(42);
  private AssemblyDriver driver;

  private AssemblyDriver driver(Map<String, String> settings) {
    driver = new AssemblyDriver(stateDir, settings);
    return driver;
  }

  @AfterEach
  void close() {
    if (driver != null) {
      driver.close();
    }
  }

  private static List<SpanId> ids(List<Span> spans) {
    return spans.stream().map(Span::spanId).toList();
  }

  private static List<Span> byStart(List<Span> spans) {
    return spans.stream().sorted(Comparator.comparingLong(Span::startEpochNanos)).toList();
  }

  @Test
  void outOfOrderSpans_closeAsOneTrace_orderedByStart_withSummary() {
    AssemblyDriver d = driver(Map.of());
    List<Span> trace = new ArrayList<>(traces.trace(12));
    trace.set(7, TestTraces.failed(trace.get(7)));
    List<Span> reversed = new ArrayList<>(trace);
    Collections.reverse(reversed);

    for (Span s : reversed) {
      d.send(List.of(s));
    }
    d.advanceWallClock(IDLE.plus(TICK));

    List<AssembledTrace> out = d.assembled();
    assertThat(out).hasSize(1);
    AssembledTrace t = out.get(0);
    assertThat(t.fragment()).isZero();
    assertThat(t.tenant()).isEqualTo("default");
    assertThat(ids(t.spans())).isEqualTo(ids(byStart(trace)));
    assertThat(t.summary().rootSpanName()).isEqualTo(trace.get(0).name());
    assertThat(t.summary().rootServiceName()).isEqualTo("frontend");
    assertThat(t.summary().spanCount()).isEqualTo(12);
    assertThat(t.summary().error()).isTrue();
    assertThat(t.summary().missingParentSpanCount()).isZero();
    assertThat(t.summary().services()).containsExactly("checkout", "db", "frontend", "payment");
    assertThat(d.metrics().closedCount(ClosureReason.IDLE)).isEqualTo(1);
  }

  @Test
  void interleavedTraces_eachCloseWithOnlyItsOwnSpans() {
    AssemblyDriver d = driver(Map.of());
    List<List<Span>> all = List.of(traces.trace(5), traces.trace(8), traces.trace(3));
    for (int i = 0; i < 8; i++) {
      for (List<Span> trace : all) {
        if (i < trace.size()) {
          d.send(List.of(trace.get(i)));
        }
      }
    }
    d.advanceWallClock(IDLE.plus(TICK));

    Map<TraceId, AssembledTrace> out =
        d.assembled().stream().collect(Collectors.toMap(AssembledTrace::traceId, t -> t));
    assertThat(out).hasSize(3);
    for (List<Span> trace : all) {
      assertThat(ids(out.get(trace.get(0).traceId()).spans())).isEqualTo(ids(byStart(trace)));
    }
  }

  @Test
  void idleTrace_closesOnlyAfterTheIdleTimeout_evenWithNoFurtherInput() {
    AssemblyDriver d = driver(Map.of());
    List<Span> trace = traces.trace(4);
    d.send(trace.subList(0, 2));
    d.advanceWallClock(Duration.ofSeconds(6));
    d.send(trace.subList(2, 4));
    d.advanceWallClock(Duration.ofSeconds(8));

    assertThat(d.assembled()).as("6 s + 8 s, but only 8 s idle").isEmpty();

    d.advanceWallClock(Duration.ofSeconds(3));
    List<AssembledTrace> out = d.assembled();
    assertThat(out).hasSize(1);
    assertThat(out.get(0).spans()).hasSize(4);
  }

  @Test
  void busyTrace_closesAtMaxDuration_andLaterSpansFormFragmentOne() {
    AssemblyDriver d =
        driver(Map.of("trace.max.duration.ms", "30000", "trace.idle.timeout.ms", "10000"));
    TraceId id = traces.traceId();
    List<Span> spans = traces.trace(id, 10);
    int sent = 0;
    List<AssembledTrace> out = new ArrayList<>();
    while (sent < spans.size()) {
      d.send(List.of(spans.get(sent++)));
      d.advanceWallClock(Duration.ofSeconds(5));
      out.addAll(d.assembled());
    }
    d.advanceWallClock(IDLE.plus(TICK));
    out.addAll(d.assembled());

    assertThat(out).extracting(AssembledTrace::fragment).containsExactly(0, 1);
    assertThat(out.get(0).spans()).as("spans sent in the first 30 s").hasSize(6);
    assertThat(out.get(1).spans()).hasSize(4);
    assertThat(d.metrics().closedCount(ClosureReason.MAX_DURATION)).isEqualTo(1);
    assertThat(d.metrics().closedCount(ClosureReason.IDLE)).isEqualTo(1);
  }

  @Test
  void traceReachingMaxSpans_closesAtOnce_andTheRestBecomesAFragment() {
    AssemblyDriver d = driver(Map.of("trace.max.spans", "5"));
    List<Span> trace = traces.trace(8);
    d.send(trace.subList(0, 3));
    d.send(trace.subList(3, 5));

    List<AssembledTrace> atOnce = d.assembled();
    assertThat(atOnce).hasSize(1);
    assertThat(atOnce.get(0).spans()).hasSize(5);
    assertThat(d.metrics().closedCount(ClosureReason.MAX_SPANS)).isEqualTo(1);

    d.send(trace.subList(5, 8));
    d.advanceWallClock(IDLE.plus(TICK));
    List<AssembledTrace> rest = d.assembled();
    assertThat(rest).extracting(AssembledTrace::fragment).containsExactly(1);
    assertThat(ids(rest.get(0).spans())).isEqualTo(ids(trace.subList(5, 8)));
  }

  @Test
  void recordThatWouldPassMaxSpans_firstClosesWhatIsBuffered() {
    AssemblyDriver d = driver(Map.of("trace.max.spans", "5"));
    List<Span> trace = traces.trace(7);
    d.send(trace.subList(0, 3));
    d.send(trace.subList(3, 7));

    List<AssembledTrace> out = d.assembled();
    assertThat(out).hasSize(1);
    assertThat(out.get(0).spans()).hasSize(3);
    d.advanceWallClock(IDLE.plus(TICK));
    assertThat(d.assembled()).singleElement().satisfies(f -> assertThat(f.spans()).hasSize(4));
  }

  @Test
  void traceReachingMaxBytes_closesAtOnce() {
    AssemblyDriver d = driver(Map.of("trace.max.bytes", "2048"));
    List<Span> trace = traces.trace(60);
    for (Span s : trace) {
      d.send(List.of(s));
    }
    d.advanceWallClock(IDLE.plus(TICK));

    List<AssembledTrace> out = d.assembled();
    assertThat(out.size()).isGreaterThan(1);
    assertThat(out).extracting(AssembledTrace::fragment).doesNotHaveDuplicates();
    assertThat(out.stream().mapToInt(t -> t.spans().size()).sum()).isEqualTo(60);
    assertThat(d.metrics().closedCount(ClosureReason.MAX_BYTES)).isEqualTo(out.size() - 1);
  }

  @Test
  void lateSpans_becomeFragmentsNumberedInOrder() {
    AssemblyDriver d = driver(Map.of());
    List<Span> trace = traces.trace(6);
    d.send(trace.subList(0, 3));
    d.advanceWallClock(IDLE.plus(TICK));
    d.send(trace.subList(3, 4));
    d.advanceWallClock(IDLE.plus(TICK));
    d.send(trace.subList(4, 6));
    d.advanceWallClock(IDLE.plus(TICK));

    List<AssembledTrace> out = d.assembled();
    assertThat(out).extracting(AssembledTrace::fragment).containsExactly(0, 1, 2);
    assertThat(out).extracting(t -> t.spans().size()).containsExactly(3, 1, 2);
    assertThat(out.get(1).summary().missingParentSpanCount())
        .as("the late span's parent is in fragment 0")
        .isEqualTo(1);
    assertThat(d.metrics().lateFragmentCount()).isEqualTo(2);
  }

  @Test
  void traceTooLargeForOneRecord_isEmittedAsConsecutiveFragmentsThatEachFit() {
    AssemblyDriver d = driver(Map.of("trace.max.record.bytes", "65536"));
    // Given 120 spans, each with a 2 KB attribute (~250 KB in all)
    List<Span> trace =
        traces.trace(120).stream()
            .map(
                s ->
                    s.toBuilder()
                        .attributes(List.of(Attribute.of("payload", "x".repeat(2048))))
                        .build())
            .toList();
    d.send(trace.subList(0, 60));
    d.send(trace.subList(60, 120));

    // When it closes
    d.advanceWallClock(IDLE.plus(TICK));

    // Then it comes as fragments 0..n-1 of at most 64 KiB each, every span once, in start order
    List<AssembledTrace> parts = d.assembled();
    assertThat(parts.size()).isBetween(4, 16);
    assertThat(parts).extracting(AssembledTrace::fragment).isSorted().doesNotHaveDuplicates();
    assertThat(parts.get(0).fragment()).isZero();
    assertThat(parts.get(parts.size() - 1).fragment()).isEqualTo(parts.size() - 1);
    for (AssembledTrace part : parts) {
      assertThat(AvroRecordCodec.ASSEMBLED_TRACE.encode(part).length).isLessThanOrEqualTo(65536);
      assertThat(part.summary().spanCount()).isEqualTo(part.spans().size());
    }
    List<Span> all = parts.stream().flatMap(p -> p.spans().stream()).toList();
    assertThat(ids(all)).isEqualTo(ids(byStart(trace)));
    assertThat(d.metrics().splitCount()).isEqualTo(1);
    assertThat(d.metrics().closedCount(ClosureReason.IDLE)).isEqualTo(1);

    // And a late span after that becomes the next fragment
    Span late =
        traces.span(
            trace.get(0).traceId(), trace.get(0).spanId(), trace.get(0).startEpochNanos(), "db");
    d.send(List.of(late));
    d.advanceWallClock(IDLE.plus(TICK));
    assertThat(d.assembled())
        .singleElement()
        .extracting(AssembledTrace::fragment)
        .isEqualTo(parts.size());
  }

  @Test
  void spanAfterTheClosedTtl_startsANewTrace() {
    AssemblyDriver d = driver(Map.of("trace.closed.ttl.ms", "20000"));
    List<Span> trace = traces.trace(3);
    d.send(trace.subList(0, 2));
    d.advanceWallClock(IDLE.plus(TICK));
    d.advanceWallClock(Duration.ofSeconds(21));
    d.send(trace.subList(2, 3));
    d.advanceWallClock(IDLE.plus(TICK));

    assertThat(d.assembled()).extracting(AssembledTrace::fragment).containsExactly(0, 0);
  }

  @Test
  void duplicateSpanIds_areKeptOnce_withinAndAcrossFragments() {
    AssemblyDriver d = driver(Map.of());
    List<Span> trace = traces.trace(4);
    d.send(trace.subList(0, 3));
    d.send(trace.subList(1, 3));
    d.advanceWallClock(IDLE.plus(TICK));
    d.send(List.of(trace.get(0), trace.get(3)));
    d.advanceWallClock(IDLE.plus(TICK));
    d.send(List.of(trace.get(3)));
    d.advanceWallClock(IDLE.plus(TICK));

    List<AssembledTrace> out = d.assembled();
    assertThat(out).extracting(AssembledTrace::fragment).containsExactly(0, 1);
    assertThat(ids(out.get(0).spans())).isEqualTo(ids(trace.subList(0, 3)));
    assertThat(ids(out.get(1).spans())).containsExactly(trace.get(3).spanId());
    assertThat(d.metrics().duplicateCount()).isEqualTo(4);
  }

  @Test
  void malformedRecordBetweenValidOnes_isDeadLettered_andTheOthersAssemble() {
    AssemblyDriver d = driver(Map.of());
    List<Span> a = traces.trace(2);
    List<Span> b = traces.trace(2);
    byte[] garbage = "definitely not protobuf".getBytes(StandardCharsets.UTF_8);
    d.send(a);
    d.sendRaw(AssemblyDriver.key(traces.traceId()), garbage, "acme");
    d.send(b);
    d.advanceWallClock(IDLE.plus(TICK));

    assertThat(d.assembled()).hasSize(2);
    List<TestRecord<byte[], byte[]>> dead = d.deadLetters();
    assertThat(dead).hasSize(1);
    assertThat(dead.get(0).value()).isEqualTo(garbage);
    assertThat(header(dead.get(0), "__streams.errors.exception"))
        .contains("MalformedOtlpException");
    assertThat(header(dead.get(0), "__streams.errors.topic")).isEqualTo("otlp_spans");
  }

  @Test
  void recordWithInvalidSpanIds_deliversTheValidSpans_andIsDeadLettered() {
    AssemblyDriver d = driver(Map.of());
    List<Span> good = traces.trace(3);
    byte[] otlp = TestTraces.otlp(good);
    zeroSpanIdOf(otlp, good.get(1).spanId()); // all zero: invalid in OTLP
    d.sendRaw(AssemblyDriver.key(good.get(0).traceId()), otlp, null);
    d.advanceWallClock(IDLE.plus(TICK));

    assertThat(d.assembled())
        .singleElement()
        .satisfies(
            t ->
                assertThat(ids(t.spans()))
                    .containsExactly(good.get(0).spanId(), good.get(2).spanId()));
    List<TestRecord<byte[], byte[]>> dead = d.deadLetters();
    assertThat(dead).hasSize(1);
    assertThat(header(dead.get(0), "__streams.errors.message")).contains("invalid_span_id");
  }

  @Test
  void unkeyedRecordOfSeveralTraces_isSplitByTraceId() {
    AssemblyDriver d = driver(Map.of());
    List<Span> a = traces.trace(3);
    List<Span> b = traces.trace(2);
    List<Span> mixed = new ArrayList<>();
    mixed.addAll(a);
    mixed.addAll(b);
    Collections.shuffle(mixed, new Random(1));
    d.sendRaw(null, TestTraces.otlp(mixed), null);
    d.sendRaw(
        "not-a-trace-id".getBytes(StandardCharsets.UTF_8), TestTraces.otlp(a.subList(0, 1)), null);
    d.advanceWallClock(IDLE.plus(TICK));

    Map<TraceId, AssembledTrace> out =
        d.assembled().stream()
            .collect(Collectors.toMap(AssembledTrace::traceId, Function.identity()));
    assertThat(out).hasSize(2);
    assertThat(ids(out.get(a.get(0).traceId()).spans())).isEqualTo(ids(a));
    assertThat(ids(out.get(b.get(0).traceId()).spans())).isEqualTo(ids(b));
    assertThat(d.metrics().repartitionedCount()).isEqualTo(2);
  }

  @Test
  void sameTraceIdOfTwoTenants_areTwoTraces() {
    AssemblyDriver d = driver(Map.of());
    List<Span> trace = traces.trace(4);
    d.send("acme", trace.subList(0, 2));
    d.send("globex", trace.subList(2, 4));
    d.advanceWallClock(IDLE.plus(TICK));

    Map<String, AssembledTrace> out =
        d.assembled().stream()
            .collect(Collectors.toMap(AssembledTrace::tenant, Function.identity()));
    assertThat(out.keySet()).containsExactlyInAnyOrder("acme", "globex");
    assertThat(ids(out.get("acme").spans())).isEqualTo(ids(trace.subList(0, 2)));
    assertThat(out.get("globex").fragment()).isZero();
  }

  @Test
  void tenantOverItsOpenTraceBound_closesItsOwnTracesEarly_neverAnotherTenants() {
    // Given a file bounding noisy to 2 open traces, and quiet to nothing
    AtomicReference<TenantLimitsFile> file =
        new AtomicReference<>(
            TenantLimitsFile.parse("overrides:\n  noisy:\n    max-open-traces: 2\n"));
    driver = new AssemblyDriver(stateDir, Map.of(), file::get);
    AssemblyDriver d = driver;
    List<List<Span>> quiet = new ArrayList<>();
    List<List<Span>> noisy = new ArrayList<>();
    // When quiet opens 2 traces and noisy 5, interleaved
    for (int i = 0; i < 5; i++) {
      if (i < 2) {
        quiet.add(traces.trace(2));
        d.send("quiet", quiet.get(i));
      }
      noisy.add(traces.trace(2));
      d.send("noisy", noisy.get(i));
      d.advanceWallClock(Duration.ofMillis(100));
    }

    // Then noisy's 3 traces due soonest closed early, whole; quiet's stay open
    List<AssembledTrace> early = d.assembled();
    assertThat(early).extracting(AssembledTrace::tenant).containsOnly("noisy");
    assertThat(early)
        .extracting(AssembledTrace::traceId)
        .containsExactly(
            noisy.get(0).get(0).traceId(),
            noisy.get(1).get(0).traceId(),
            noisy.get(2).get(0).traceId());
    assertThat(early).allSatisfy(t -> assertThat(t.spans()).hasSize(2));
    assertThat(d.metrics().closedCount(ClosureReason.TENANT_LIMIT)).isEqualTo(3);
    assertThat(d.metrics().openTraces()).isEqualTo(4);

    // When the file is reloaded without the bound, noisy's traces stay open
    file.set(TenantLimitsFile.EMPTY);
    d.send("noisy", traces.trace(2));
    assertThat(d.assembled()).isEmpty();

    d.advanceWallClock(IDLE.plus(TICK));
    List<AssembledTrace> rest = d.assembled();
    assertThat(rest).hasSize(5);
    assertThat(rest.stream().filter(t -> t.tenant().equals("quiet")))
        .extracting(AssembledTrace::traceId)
        .containsExactlyInAnyOrder(quiet.get(0).get(0).traceId(), quiet.get(1).get(0).traceId());
    assertThat(d.metrics().openTraces()).isZero();
    assertThat(d.metrics().bufferedBytes()).isZero();
  }

  @Test
  void tenantsMaxSpansPerTrace_lowersTheTraceBound_forThatTenantOnly() {
    driver =
        new AssemblyDriver(
            stateDir,
            Map.of("trace.max.spans", "100"),
            () -> TenantLimitsFile.parse("overrides:\n  small:\n    max-spans-per-trace: 3\n"));
    AssemblyDriver d = driver;
    List<Span> smalls = traces.trace(5);
    List<Span> others = traces.trace(5);
    for (int i = 0; i < 5; i++) {
      d.send("small", smalls.subList(i, i + 1));
      d.send("other", others.subList(i, i + 1));
    }

    List<AssembledTrace> atOnce = d.assembled();
    assertThat(atOnce).singleElement().satisfies(t -> assertThat(t.tenant()).isEqualTo("small"));
    assertThat(atOnce.get(0).spans()).hasSize(3);
    d.advanceWallClock(IDLE.plus(TICK));
    Map<String, List<AssembledTrace>> rest =
        d.assembled().stream().collect(Collectors.groupingBy(AssembledTrace::tenant));
    assertThat(rest.get("other")).singleElement().satisfies(t -> assertThat(t.spans()).hasSize(5));
    assertThat(rest.get("small"))
        .singleElement()
        .satisfies(t -> assertThat(t.fragment()).isEqualTo(1));
  }

  @Test
  void overInstanceBound_theTracesDueSoonestCloseEarly() {
    AssemblyDriver d = driver(Map.of("trace.max.open", "3"));
    List<List<Span>> all = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      all.add(traces.trace(2));
      d.send(all.get(i));
      d.advanceWallClock(Duration.ofMillis(100));
    }

    List<AssembledTrace> early = d.assembled();
    assertThat(early)
        .extracting(AssembledTrace::traceId)
        .containsExactly(all.get(0).get(0).traceId(), all.get(1).get(0).traceId());
    assertThat(d.metrics().closedCount(ClosureReason.OVERLOAD)).isEqualTo(2);
    assertThat(d.metrics().openTraces()).isEqualTo(3);
    d.advanceWallClock(IDLE.plus(TICK));
    assertThat(d.assembled()).hasSize(3);
    assertThat(d.metrics().openTraces()).isZero();
    assertThat(d.metrics().bufferedBytes()).isZero();
  }

  @Test
  void backlogOfDueTraces_closesAtMostTheCapPerPunctuation_oldestFirst() {
    AssemblyDriver d = driver(Map.of("punctuation.max.closes", "4"));
    List<TraceId> sent = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      List<Span> trace = traces.trace(2);
      sent.add(trace.get(0).traceId());
      d.send(trace);
      d.advanceWallClock(Duration.ofMillis(10));
    }

    // When all ten are due at once, each punctuation closes at most four, the ones due first
    d.advanceWallClock(IDLE.plus(TICK));
    assertThat(d.assembled()).extracting(AssembledTrace::traceId).isEqualTo(sent.subList(0, 4));
    d.advanceWallClock(TICK);
    assertThat(d.assembled()).extracting(AssembledTrace::traceId).isEqualTo(sent.subList(4, 8));
    d.advanceWallClock(TICK);
    assertThat(d.assembled()).extracting(AssembledTrace::traceId).isEqualTo(sent.subList(8, 10));
    assertThat(d.metrics().closedCount(ClosureReason.IDLE)).isEqualTo(10);
    assertThat(d.metrics().openTraces()).isZero();
  }

  @Test
  void overTheInstanceByteBound_theTracesDueSoonestCloseEarly() {
    // Given a byte bound of 1 MiB and traces of about 300 KB each
    AssemblyDriver d = driver(Map.of("trace.max.open.bytes", String.valueOf(1 << 20)));
    List<List<Span>> all = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      List<Span> trace =
          traces.trace(2).stream()
              .map(
                  s ->
                      s.toBuilder()
                          .addAttribute(Attribute.of("payload", "p".repeat(150_000)))
                          .build())
              .toList();
      all.add(trace);
      d.send(trace);
      d.advanceWallClock(Duration.ofMillis(100));
    }

    // Then the two sent first closed early, and what stays open is within the bound
    assertThat(d.assembled())
        .extracting(AssembledTrace::traceId)
        .containsExactly(all.get(0).get(0).traceId(), all.get(1).get(0).traceId());
    assertThat(d.metrics().closedCount(ClosureReason.OVERLOAD)).isEqualTo(2);
    assertThat(d.metrics().bufferedBytes()).isLessThanOrEqualTo(1 << 20);
    d.advanceWallClock(IDLE.plus(TICK));
    assertThat(d.assembled()).hasSize(3);
  }

  @Test
  void outputRecordsCarryTheTenantHeader() {
    AssemblyDriver d = driver(Map.of());
    d.send("acme", traces.trace(2));
    d.advanceWallClock(IDLE.plus(TICK));
    assertThat(d.assembled()).singleElement().extracting(AssembledTrace::tenant).isEqualTo("acme");
    assertThat(SpanlineHeaders.TENANT).isEqualTo("spanline.tenant");
  }

  /** Overwrites the span_id field (field 2, 8 bytes) holding {@code id} with zeros. */
  private static void zeroSpanIdOf(byte[] otlp, SpanId id) {
    byte[] idBytes = ByteBuffer.allocate(8).putLong(id.value()).array();
    for (int i = 0; i + 10 <= otlp.length; i++) {
      if (otlp[i] == 0x12
          && otlp[i + 1] == 8
          && Arrays.equals(otlp, i + 2, i + 10, idBytes, 0, 8)) {
        Arrays.fill(otlp, i + 2, i + 10, (byte) 0);
        return;
      }
    }
    throw new AssertionError("span ID " + id + " not found in the encoded spans");
  }

  private static String header(TestRecord<byte[], byte[]> record, String name) {
    var h = record.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
