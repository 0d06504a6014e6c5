package io.spanline.sampling.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.spanline.sampling.policy.Verdict;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The sampling stream's Micrometer meters: decisions, late fragments, policy reloads and errors,
 * dead-lettered records, and the RED metrics and service-graph edges of every trace (before
 * sampling). RED and edge meters are bounded by {@code metrics.max-series}: past it, new operations
 * are reported as {@code other}, new edges as {@code other → other}.
 */
public final class SamplingMetrics {
  /** Operation (or service) tag of series past the bound. */
  public static final String OTHER = "other";

  private static final Duration[] SLOS =
      SeriesCounts.BOUNDS_NANOS.stream().map(Duration::ofNanos).toArray(Duration[]::new);

  /** The same bounds in seconds, for the Tempo-named histograms (plain numbers, in seconds). */
  private static final double[] SLO_SECONDS =
      SeriesCounts.BOUNDS_NANOS.stream().mapToDouble(n -> n / 1e9).toArray();

  /** One RED series: Spanline's timer and Tempo's span-metrics counter and histogram. */
  private record SpanSeries(Timer timer, Counter calls, DistributionSummary latency) {}

  private final MeterRegistry registry;
  private final int maxSeries;
  private final Set<SeriesKey> knownSeries = ConcurrentHashMap.newKeySet();
  private final Map<SeriesKey, SpanSeries> spanSeries = new ConcurrentHashMap<>();
  private final Map<SeriesKey, DistributionSummary> edgeServerSeconds = new ConcurrentHashMap<>();
  private final Map<SeriesKey, Counter[]> edgeCounters = new ConcurrentHashMap<>();
  private final Map<String, Counter[]> decidedCounters = new ConcurrentHashMap<>();
  private final Map<Object, Counter> counters = new ConcurrentHashMap<>();
  private final KeptTraceExemplars exemplars;

  /**
   * @param exemplars the span context the registry's exemplar sampler reads (give the same one to
   *     the {@code PrometheusMeterRegistry})
   */
  public SamplingMetrics(MeterRegistry registry, int maxSeries, KeptTraceExemplars exemplars) {
    this.registry = registry;
    this.maxSeries = maxSeries;
    this.exemplars = exemplars;
  }

  /** Meters in a registry of their own, for tests and tools. */
  public static SamplingMetrics detached() {
    return new SamplingMetrics(new SimpleMeterRegistry(), 10_000, new KeptTraceExemplars());
  }

  /**
   * Runs {@code recording} (the RED metrics of one kept trace) so that the exemplars it leaves name
   * this trace. A dropped trace's metrics are recorded directly: they leave no exemplar.
   */
  public void recordKept(String traceIdHex, String spanIdHex, Runnable recording) {
    exemplars.during(traceIdHex, spanIdHex, recording);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** One trace (or fragment) decided: counts traces and spans by outcome and rule, and policies. */
  public void decided(String tenant, Verdict v, int spans, boolean lateFragment) {
    String outcome = v.kept() ? "keep" : "drop";
    countDecision(tenant, outcome, v.rule().name().toLowerCase(java.util.Locale.ROOT), spans);
    for (String policy : v.policies()) {
      counter(
              "spanline.sampling.policy.matches",
              "Traces each policy kept (or dropped, for drop and never-sample rules)",
              "policy",
              policy,
              "decision",
              outcome)
          .increment();
    }
    if (lateFragment) {
      lateFragment("own");
    }
    if (v.policyErrors() > 0) {
      counter("spanline.sampling.policy.errors", "Policy evaluations that threw (skipped)")
          .increment(v.policyErrors());
    }
  }

  /** A late fragment that followed the decision stored for its trace. */
  public void followedStoredDecision(String tenant, boolean kept, int spans) {
    countDecision(tenant, kept ? "keep" : "drop", "stored_decision", spans);
    lateFragment("stored");
  }

  private void lateFragment(String decisionSource) {
    counter(
            "spanline.sampling.late.fragments",
            "Late fragments (fragment >= 1), by whether a stored decision was found",
            "decision_source",
            decisionSource)
        .increment();
  }

  private void countDecision(String tenant, String outcome, String rule, int spans) {
    Counter[] c =
        decidedCounters.computeIfAbsent(
            tenant + '\u0000' + outcome + '\u0000' + rule,
            k ->
                new Counter[] {
                  counter(
                      "spanline.sampling.traces",
                      "Traces and late fragments decided, by tenant, outcome and deciding rule",
                      "tenant",
                      tenant,
                      "decision",
                      outcome,
                      "rule",
                      rule),
                  counter(
                      "spanline.sampling.spans",
                      "Spans decided, by tenant and outcome",
                      "tenant",
                      tenant,
                      "decision",
                      outcome)
                });
    c[0].increment();
    c[1].increment(spans);
  }

  /** A record outside a replay's time range, passed over. */
  public void skippedOutsideRange() {
    counter("spanline.sampling.records.outside.range", "Records outside the replay's time range")
        .increment();
  }

  /** A policy file (re)load: {@code ok} or {@code failed}. */
  public void policyLoad(boolean ok) {
    counter(
            "spanline.sampling.policy.reloads",
            "Policy file loads, by result (a failed one keeps the previous policies)",
            "result",
            ok ? "ok" : "failed")
        .increment();
  }

  /** A record sent to the dead-letter topic. */
  public void deadLettered(Exception e) {
    counter(
            "spanline.sampling.records.dead.lettered",
            "Records sent to the dead-letter topic, by exception",
            "exception",
            e.getClass().getSimpleName())
        .increment();
  }

  /** One span of a RED series, before sampling. */
  void record(SeriesKey k, long durationNanos) {
    SpanSeries series = spanSeries.get(k);
    if (series == null) {
      series = spanSeries.computeIfAbsent(k, this::spanSeries);
    }
    series.timer().record(durationNanos, TimeUnit.NANOSECONDS);
    series.calls().increment();
    series.latency().record(durationNanos / 1e9);
  }

  /** One call on a service-graph edge, with the server span's duration. */
  void recordEdgeDuration(SeriesKey k, long serverDurationNanos) {
    DistributionSummary d = edgeServerSeconds.get(k);
    if (d == null) {
      d = edgeServerSeconds.computeIfAbsent(k, this::edgeServerSeconds);
    }
    d.record(serverDurationNanos / 1e9);
  }

  /** New calls (and failed calls) on a service-graph edge. */
  void recordEdge(SeriesKey k, long calls, long failed) {
    Counter[] c = edgeCounters.computeIfAbsent(k, this::edgeCounters);
    if (calls > 0) {
      c[0].increment(calls);
      c[2].increment(calls);
    }
    if (failed > 0) {
      c[1].increment(failed);
      c[3].increment(failed);
    }
  }

  /**
   * Spanline's {@code spanline_spans} timer and, under the names and labels of Tempo's span-metrics
   * processor (which Grafana's Tempo data source reads), {@code traces_spanmetrics_calls_total} and
   * the {@code traces_spanmetrics_latency} histogram in seconds: {@code service}, {@code
   * span_name}, {@code span_kind} ({@code SPAN_KIND_SERVER}, …), {@code status_code} ({@code
   * STATUS_CODE_ERROR}, …), plus {@code tenant}.
   */
  private SpanSeries spanSeries(SeriesKey original) {
    SeriesKey k = bounded(original);
    String[] tempoTags = {
      "tenant",
      k.tenant(),
      "service",
      k.service(),
      "span_name",
      k.operation(),
      "span_kind",
      "SPAN_KIND_" + k.kind().name(),
      "status_code",
      "STATUS_CODE_" + k.status().name()
    };
    return new SpanSeries(
        Timer.builder("spanline.spans")
            .description(
                "Spans of every trace (before sampling) by tenant, service, operation, span kind"
                    + " and status: count = requests, status ERROR = errors, buckets = durations")
            .tags(
                "tenant",
                k.tenant(),
                "service",
                k.service(),
                "operation",
                k.operation(),
                "span_kind",
                k.kind().name(),
                "status",
                k.status().name())
            .serviceLevelObjectives(SLOS)
            .register(registry),
        Counter.builder("traces.spanmetrics.calls")
            .description("Spans of every trace (before sampling), as Tempo's span metrics count")
            .tags(tempoTags)
            .register(registry),
        DistributionSummary.builder("traces.spanmetrics.latency")
            .description("Span durations in seconds (before sampling), as Tempo's span metrics")
            .tags(tempoTags)
            .serviceLevelObjectives(SLO_SECONDS)
            .register(registry));
  }

  private DistributionSummary edgeServerSeconds(SeriesKey original) {
    SeriesKey k = bounded(original);
    return DistributionSummary.builder("traces.service.graph.request.server.seconds")
        .description("Duration of the server span of calls between services, in seconds (Tempo)")
        .tags(edgeTempoTags(k))
        .serviceLevelObjectives(SLO_SECONDS)
        .register(registry);
  }

  /**
   * Spanline's edge counters, then the same under the names of Tempo's service-graph processor
   * ({@code traces_service_graph_request_total}, {@code
   * traces_service_graph_request_failed_total}), which Grafana's service graph reads.
   */
  private Counter[] edgeCounters(SeriesKey original) {
    SeriesKey k = bounded(original);
    return new Counter[] {
      Counter.builder("spanline.service.graph.requests")
          .description(
              "Calls between services (parent span in client, child span in server), all traces")
          .tags("tenant", k.tenant(), "client", k.service(), "server", k.server())
          .register(registry),
      Counter.builder("spanline.service.graph.failed.requests")
          .description("Calls between services whose server span has status ERROR, all traces")
          .tags("tenant", k.tenant(), "client", k.service(), "server", k.server())
          .register(registry),
      Counter.builder("traces.service.graph.request")
          .description("Calls between services, all traces (Tempo's service graph)")
          .tags(edgeTempoTags(k))
          .register(registry),
      Counter.builder("traces.service.graph.request.failed")
          .description("Calls whose server span has status ERROR (Tempo's service graph)")
          .tags(edgeTempoTags(k))
          .register(registry)
    };
  }

  /**
   * Tempo's service-graph labels: {@code client}, {@code server} and {@code connection_type}, empty
   * (Tempo's "unset": a direct call) since edges are paired by parent span, whatever the transport;
   * plus {@code tenant}.
   */
  private static String[] edgeTempoTags(SeriesKey k) {
    return new String[] {
      "tenant", k.tenant(), "client", k.service(), "server", k.server(), "connection_type", ""
    };
  }

  /** The key with its operation (or edge) replaced by {@link #OTHER} once the bound is reached. */
  private SeriesKey bounded(SeriesKey k) {
    if (knownSeries.contains(k) || (knownSeries.size() < maxSeries && knownSeries.add(k))) {
      return k;
    }
    return k.edge()
        ? SeriesKey.edge(k.tenant(), OTHER, OTHER)
        : SeriesKey.span(k.tenant(), k.service(), OTHER, k.kind(), k.status());
  }

  private Counter counter(String name, String description, String... tags) {
    return counters.computeIfAbsent(
        java.util.List.of(name, java.util.List.of(tags)),
        x -> Counter.builder(name).description(description).tags(tags).register(registry));
  }
}
