package io.spanline.gateway.ingest;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.spanline.gateway.kafka.InFlightBudget;
import io.spanline.schemas.model.TraceShedding;

/** The gateway's span counters, by tenant (and reason), and the in-flight bytes gauge. */
final class IngestMetrics {
  private final MeterRegistry registry;

  IngestMetrics(MeterRegistry registry, InFlightBudget budget) {
    this.registry = registry;
    Gauge.builder("spanline.gateway.inflight.bytes", budget, InFlightBudget::inFlightBytes)
        .description("Request bytes waiting for Kafka's acknowledgement")
        .baseUnit("bytes")
        .register(registry);
  }

  /**
   * The shedding level now (0-4, {@link LoadShedder}) and the share of traces it keeps (1 when none
   * are shed).
   */
  void shedLevel(LoadShedder shedder) {
    Gauge.builder("spanline.gateway.shed.level", shedder, LoadShedder::level)
        .description("Overload shedding level: traces kept = 2^-level, errors and debug always")
        .register(registry);
    Gauge.builder(
            "spanline.gateway.shed.keep.ratio", shedder, s -> TraceShedding.keepRatio(s.level()))
        .description("Share of traces kept by overload shedding now (1 = none shed)")
        .register(registry);
  }

  /** Spans of whole traces shed under overload, by tenant. */
  void shed(String tenant, int spans) {
    if (spans > 0) {
      registry.counter("spanline.gateway.spans.shed", "tenant", tenant).increment(spans);
    }
  }

  void received(String tenant, int spans) {
    registry.counter("spanline.gateway.spans.received", "tenant", tenant).increment(spans);
  }

  void accepted(String tenant, int spans) {
    registry.counter("spanline.gateway.spans.accepted", "tenant", tenant).increment(spans);
  }

  void rejected(String tenant, String reason) {
    registry
        .counter("spanline.gateway.spans.rejected", "tenant", tenant, "reason", reason)
        .increment();
  }

  void sampledOut(String tenant, int spans) {
    if (spans > 0) {
      registry.counter("spanline.gateway.spans.sampled_out", "tenant", tenant).increment(spans);
    }
  }

  /**
   * Traces the debug switch marked in a request: {@code source} {@code header} or {@code
   * attribute}; {@code result} {@code kept} (forced past head sampling) or {@code refused} (the
   * tenant is not allowed the switch: the mark was ignored and removed).
   */
  void debugTraces(String tenant, String source, boolean allowed, int traces) {
    registry
        .counter(
            "spanline.gateway.debug.traces",
            "tenant",
            tenant,
            "source",
            source,
            "result",
            allowed ? "kept" : "refused")
        .increment(traces);
  }

  /**
   * Spans of requests refused as a whole for a reason the client retries ({@code rate_limited}:
   * over the tenant's rate, 429 / RESOURCE_EXHAUSTED; {@code unavailable}: in-flight bound or
   * Kafka, 503 / UNAVAILABLE), by tenant.
   */
  void spansRefused(String tenant, IngestOutcome.Reason reason, int spans) {
    if (spans > 0) {
      registry
          .counter(
              "spanline.gateway.spans.refused",
              "tenant",
              tenant,
              "reason",
              reason.name().toLowerCase())
          .increment(spans);
    }
  }

  void refused(String tenant, IngestOutcome.Reason reason) {
    registry
        .counter(
            "spanline.gateway.requests.refused",
            "tenant",
            tenant,
            "reason",
            reason.name().toLowerCase())
        .increment();
  }
}
