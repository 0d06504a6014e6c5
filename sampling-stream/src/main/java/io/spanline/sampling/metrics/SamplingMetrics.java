package io.spanline.sampling.metrics;

import io.micrometer.core.instrument.Counter;
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

  private final MeterRegistry registry;
  private final int maxSeries;
  private final Set<SeriesKey> knownSeries = ConcurrentHashMap.newKeySet();
  private final Map<SeriesKey, Timer> spanTimers = new ConcurrentHashMap<>();
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
    Timer t = spanTimers.get(k);
    if (t == null) {
      t = spanTimers.computeIfAbsent(k, this::timer);
    }
    t.record(durationNanos, TimeUnit.NANOSECONDS);
  }

  /** New calls (and failed calls) on a service-graph edge. */
  void recordEdge(SeriesKey k, long calls, long failed) {
    Counter[] c = edgeCounters.computeIfAbsent(k, this::edgeCounters);
    if (calls > 0) {
      c[0].increment(calls);
    }
    if (failed > 0) {
      c[1].increment(failed);
    }
  }

  private Timer timer(SeriesKey original) {
    SeriesKey k = bounded(original);
    return Timer.builder("spanline.spans")
        .description(
            "Spans of every trace (before sampling) by tenant, service, operation, span kind and"
                + " status: count = requests, status ERROR = errors, buckets = durations")
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
        .register(registry);
  }

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
          .register(registry)
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
