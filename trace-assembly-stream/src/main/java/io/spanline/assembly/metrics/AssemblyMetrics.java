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
import java.util.function.IntSupplier;
import java.util.function.Supplier;

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
 *       their tenant was over its {@code max-open-traces} or {@code max-buffered-bytes};
 *   <li>overload shedding: {@code spanline_assembly_traces_shed_total{tenant}}, {@code
 *       spanline_assembly_spans_shed_total{tenant}}, {@code
 *       spanline_assembly_shed_bytes_total{tenant}} (new traces shed whole, with their later spans
 *       and OTLP bytes), {@code spanline_assembly_shed_exempt_traces_total{tenant,reason}} (traces
 *       the rule would have shed, kept for an error span or a debug mark), {@code
 *       spanline_assembly_shed_late_errors_total{tenant}} (records with an error span dropped
 *       because their trace had been shed already), {@code spanline_assembly_shed_level} and {@code
 *       spanline_assembly_shed_keep_ratio} (the instance's level now and the share it keeps).
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
  private volatile Supplier<String> shedDetail = () -> "";

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

  /** A trace of {@code tenant} closed early because the tenant was over its bound. */
  public void tenantLimitClose(String tenant) {
    registry.counter("spanline.assembly.tenant.limit.closes", "tenant", tenant).increment();
  }

  /**
   * Registers the shedding gauges ({@code spanline_assembly_shed_level}, {@code
   * spanline_assembly_shed_keep_ratio}) and the {@code /readyz} detail line; the trace buffer calls
   * it when the topology is built.
   *
   * @param level the instance's shedding level now, 0-4
   * @param detail one line describing the shedding now, "" when none
   */
  public void shedding(IntSupplier level, Supplier<String> detail) {
    Gauge.builder("spanline.assembly.shed.level", level, l -> l.getAsInt())
        .description("Overload shedding level of new traces: 0 none, n keeps 1/2^n")
        .strongReference(true) // the supplier is a method reference nothing else holds
        .register(registry);
    Gauge.builder("spanline.assembly.shed.keep.ratio", level, l -> 1.0 / (1L << l.getAsInt()))
        .description("Share of new traces (without an error span or debug mark) kept now")
        .strongReference(true)
        .register(registry);
    this.shedDetail = detail;
  }

  /** The shedding now in one line, "" when none: the {@code /readyz} detail. */
  public String shedDetail() {
    return shedDetail.get();
  }

  /**
   * Spans of {@code tenant} shed: {@code newTrace} when they opened a trace that was shed, else
   * later spans of a trace shed before. Counted as received too.
   */
  public void shed(String tenant, boolean newTrace, int spans, long bytes) {
    spansReceived.increment(spans);
    if (newTrace) {
      registry.counter("spanline.assembly.traces.shed", "tenant", tenant).increment();
    }
    registry.counter("spanline.assembly.spans.shed", "tenant", tenant).increment(spans);
    registry.counter("spanline.assembly.shed.bytes", "tenant", tenant).increment(bytes);
  }

  /**
   * A new trace the rule would have shed was kept: {@code reason} {@code error} or {@code debug}.
   */
  public void shedExempt(String tenant, String reason) {
    registry
        .counter("spanline.assembly.shed.exempt.traces", "tenant", tenant, "reason", reason)
        .increment();
  }

  /** A record with an error span was dropped because its trace had been shed already. */
  public void shedLateError(String tenant) {
    registry.counter("spanline.assembly.shed.late.errors", "tenant", tenant).increment();
  }

  /** Traces of {@code tenant} shed so far (tests and the benchmark). */
  public long tracesShed(String tenant) {
    Counter c = registry.find("spanline.assembly.traces.shed").tag("tenant", tenant).counter();
    return c == null ? 0 : (long) c.count();
  }

  /** Spans of {@code tenant} shed so far (tests and the benchmark). */
  public long spansShed(String tenant) {
    Counter c = registry.find("spanline.assembly.spans.shed").tag("tenant", tenant).counter();
    return c == null ? 0 : (long) c.count();
  }

  /** Records of {@code tenant} with an error span dropped with their shed trace (tests). */
  public long shedLateErrorCount(String tenant) {
    Counter c = registry.find("spanline.assembly.shed.late.errors").tag("tenant", tenant).counter();
    return c == null ? 0 : (long) c.count();
  }

  /** A closure that emitted nothing: every span was a duplicate of one already emitted. */
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
