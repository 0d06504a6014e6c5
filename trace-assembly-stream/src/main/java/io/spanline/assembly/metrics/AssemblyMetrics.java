package io.spanline.assembly.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.spanline.assembly.buffer.ClosureReason;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The assembly stream's metrics, shared by every task of one instance. Names (Prometheus form):
 *
 * <ul>
 *   <li>{@code spanline_assembly_open_traces} — traces (and late fragments) buffered now;
 *   <li>{@code spanline_assembly_buffered_bytes} — their OTLP bytes;
 *   <li>{@code spanline_assembly_traces_closed_total{reason}} — closures by {@link ClosureReason};
 *       its rate is traces closed per second;
 *   <li>{@code spanline_assembly_late_fragments_total} — fragments 1, 2, … emitted;
 *   <li>{@code spanline_assembly_first_span_to_close_seconds} — wall-clock time from a trace's
 *       first span to its close (histogram);
 *   <li>{@code spanline_assembly_trace_spans} — spans per emitted fragment (histogram);
 *   <li>{@code spanline_assembly_spans_received_total}, {@code
 *       spanline_assembly_spans_duplicate_total} (same span ID in the same trace, kept once),
 *       {@code spanline_assembly_spans_rejected_total{reason}};
 *   <li>{@code spanline_assembly_records_repartitioned_total} — input records split or re-keyed;
 *   <li>{@code spanline_assembly_records_dead_lettered_total{exception}};
 *   <li>{@code spanline_assembly_tenant_limit_closes_total{tenant}} — traces closed early because
 *       their tenant was over its {@code max-open-traces} or {@code max-buffered-bytes}.
 * </ul>
 */
public final class AssemblyMetrics {
  private final MeterRegistry registry;
  private final AtomicLong openTraces = new AtomicLong();
  private final AtomicLong bufferedBytes = new AtomicLong();
  private final Map<ClosureReason, Counter> closed = new EnumMap<>(ClosureReason.class);
  private final Counter lateFragments;
  private final Timer firstSpanToClose;
  private final DistributionSummary traceSpans;
  private final Counter spansReceived;
  private final Counter spansDuplicate;
  private final Counter recordsRepartitioned;
  private final Counter tracesSplit;
  private final Map<String, Counter> rejected = new ConcurrentHashMap<>();
  private final Map<String, Counter> deadLettered = new ConcurrentHashMap<>();

  public AssemblyMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("spanline.assembly.open.traces", openTraces, AtomicLong::get)
        .description("Traces and late fragments buffered by this instance")
        .register(registry);
    Gauge.builder("spanline.assembly.buffered.bytes", bufferedBytes, AtomicLong::get)
        .description("OTLP bytes of the spans buffered by this instance")
        .baseUnit("bytes")
        .register(registry);
    for (ClosureReason r : ClosureReason.values()) {
      closed.put(
          r,
          Counter.builder("spanline.assembly.traces.closed")
              .description("Traces and late fragments closed, by reason")
              .tag("reason", r.tag())
              .register(registry));
    }
    lateFragments =
        Counter.builder("spanline.assembly.late.fragments")
            .description("Late fragments (1, 2, ...) emitted")
            .register(registry);
    firstSpanToClose =
        Timer.builder("spanline.assembly.first.span.to.close")
            .description("Wall-clock time from a trace's first span to its close")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(100))
            .maximumExpectedValue(Duration.ofMinutes(10))
            .register(registry);
    traceSpans =
        DistributionSummary.builder("spanline.assembly.trace.spans")
            .description("Spans per emitted trace or fragment")
            .publishPercentileHistogram()
            .minimumExpectedValue(1.0)
            .maximumExpectedValue(100_000.0)
            .register(registry);
    spansReceived =
        Counter.builder("spanline.assembly.spans.received")
            .description("Spans read from the input topic")
            .register(registry);
    spansDuplicate =
        Counter.builder("spanline.assembly.spans.duplicate")
            .description("Spans dropped because the same span ID was already in the trace")
            .register(registry);
    recordsRepartitioned =
        Counter.builder("spanline.assembly.records.repartitioned")
            .description("Input records holding several traces or a missing or wrong key")
            .register(registry);
    tracesSplit =
        Counter.builder("spanline.assembly.traces.split")
            .description(
                "Closed traces larger than trace.max.record.bytes as Avro, emitted as several"
                    + " fragments")
            .register(registry);
  }

  /** Metrics recorded into a registry of their own (topology driver tests, tools). */
  public static AssemblyMetrics detached() {
    return new AssemblyMetrics(new SimpleMeterRegistry());
  }

  MeterRegistry registry() {
    return registry;
  }

  /** Traces open on this instance, every task counted. */
  public long openTraces() {
    return openTraces.get();
  }

  public long bufferedBytes() {
    return bufferedBytes.get();
  }

  public void opened(long traces, long bytes) {
    openTraces.addAndGet(traces);
    bufferedBytes.addAndGet(bytes);
  }

  public void buffered(int spans, long bytes) {
    spansReceived.increment(spans);
    bufferedBytes.addAndGet(bytes);
  }

  public void released(long traces, long bytes) {
    openTraces.addAndGet(-traces);
    bufferedBytes.addAndGet(-bytes);
  }

  public void closed(ClosureReason reason, int fragment, int spans, long sinceFirstSpanMillis) {
    closed.get(reason).increment();
    if (fragment > 0) {
      lateFragments.increment();
    }
    traceSpans.record(spans);
    firstSpanToClose.record(Duration.ofMillis(Math.max(0, sinceFirstSpanMillis)));
  }

  /** A closure that emitted nothing: every span was a duplicate of one already emitted. */
  /** A trace of {@code tenant} closed early because the tenant was over its bound. */
  public void tenantLimitClose(String tenant) {
    registry.counter("spanline.assembly.tenant.limit.closes", "tenant", tenant).increment();
  }

  public void closedEmpty(ClosureReason reason) {
    closed.get(reason).increment();
  }

  public void duplicates(int spans) {
    spansDuplicate.increment(spans);
  }

  public void rejected(String reason, int spans) {
    rejected
        .computeIfAbsent(
            reason,
            r ->
                Counter.builder("spanline.assembly.spans.rejected")
                    .description("Spans left out as invalid, by reason")
                    .tag("reason", r)
                    .register(registry))
        .increment(spans);
  }

  /** A closed trace was emitted as {@code parts} fragments because it was too large for one. */
  public void split(int parts) {
    tracesSplit.increment();
    lateFragments.increment(parts - 1);
  }

  public long splitCount() {
    return (long) tracesSplit.count();
  }

  public void repartitioned() {
    recordsRepartitioned.increment();
  }

  public void deadLettered(Exception e) {
    deadLettered
        .computeIfAbsent(
            e.getClass().getSimpleName(),
            name ->
                Counter.builder("spanline.assembly.records.dead.lettered")
                    .description("Records sent to the dead-letter topic, by exception")
                    .tag("exception", name)
                    .register(registry))
        .increment();
  }

  /** Closures so far for one reason (for tests and the benchmark). */
  public long closedCount(ClosureReason reason) {
    return (long) closed.get(reason).count();
  }

  public long lateFragmentCount() {
    return (long) lateFragments.count();
  }

  public long duplicateCount() {
    return (long) spansDuplicate.count();
  }

  public long repartitionedCount() {
    return (long) recordsRepartitioned.count();
  }
}
