package io.spanline.sampling.policy;

import io.spanline.schemas.model.TraceView;

/**
 * {@code rate_limiting}: keeps a trace when a token bucket of {@code spans_per_second} spans per
 * second, holding up to {@code burst_capacity} (default twice the rate), has a token for each of
 * its spans — the Collector's {@code rate_limiting.go} since v0.153. Time is evaluation time. The
 * probability reported for a kept trace is the share of offered spans kept in the previous second.
 */
final class RateLimiting implements SamplingPolicy {
  private final TokenBucket bucket;
  private final KeptShare share = new KeptShare();

  RateLimiting(long spansPerSecond, long burstCapacity) {
    this.bucket = new TokenBucket(spansPerSecond, burstCapacity);
  }

  @Override
  public synchronized Vote evaluate(TraceView trace, long nowEpochNanos) {
    int spans = trace.spanCount();
    boolean kept = bucket.tryTake(nowEpochNanos, spans);
    share.record(nowEpochNanos, spans, kept);
    return kept ? share.sampled() : Vote.NOT_SAMPLED;
  }
}
