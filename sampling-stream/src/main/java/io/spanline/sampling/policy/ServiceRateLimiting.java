package io.spanline.sampling.policy;

import io.spanline.schemas.model.TraceView;
import java.util.HashMap;
import java.util.Map;

/**
 * Spanline's {@code service_rate_limiting}: keeps up to {@code traces_per_second} traces per second
 * for each root service (the trace summary's root service; bursts up to one second's worth), with
 * per-service {@code overrides}, so one busy endpoint cannot use up the budget of rare ones. At
 * most {@code max_services} services get budgets of their own; traces of further services share
 * one. Time is evaluation time. The probability reported is the service's kept share in the
 * previous second.
 */
final class ServiceRateLimiting implements SamplingPolicy {
  private final double tracesPerSecond;
  private final Map<String, Double> overrides;
  private final int maxServices;
  private final Map<String, Budget> budgets = new HashMap<>();
  private final Budget otherServices;

  private record Budget(TokenBucket bucket, KeptShare share) {
    Budget(double rate) {
      this(new TokenBucket(rate, Math.max(1, rate)), new KeptShare());
    }
  }

  ServiceRateLimiting(double tracesPerSecond, Map<String, Double> overrides, int maxServices) {
    this.tracesPerSecond = tracesPerSecond;
    this.overrides = Map.copyOf(overrides);
    this.maxServices = maxServices;
    this.otherServices = new Budget(tracesPerSecond);
  }

  @Override
  public synchronized Vote evaluate(TraceView trace, long nowEpochNanos) {
    String service = trace.rootServiceName();
    Budget budget = budgets.get(service);
    if (budget == null) {
      budget =
          budgets.size() < maxServices
              ? budgets.computeIfAbsent(
                  service, s -> new Budget(overrides.getOrDefault(s, tracesPerSecond)))
              : otherServices;
    }
    boolean kept = budget.bucket().tryTake(nowEpochNanos, 1);
    budget.share().record(nowEpochNanos, 1, kept);
    return kept ? budget.share().sampled() : Vote.NOT_SAMPLED;
  }
}
