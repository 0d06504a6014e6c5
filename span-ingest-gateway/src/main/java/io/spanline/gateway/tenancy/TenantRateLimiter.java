package io.spanline.gateway.tenancy;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.spanline.gateway.config.GatewayConfig;
import io.spanline.gateway.config.TenantLimits;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-tenant token buckets for spans per second and request bytes per second (Bucket4j), each
 * holding one second of its rate as burst. A rate of 0 means unlimited.
 */
public final class TenantRateLimiter {
  private final GatewayConfig config;
  private final Map<String, Buckets> buckets = new ConcurrentHashMap<>();

  public TenantRateLimiter(GatewayConfig config) {
    this.config = config;
  }

  private record Buckets(Bucket spans, long spansPerSecond, Bucket bytes, long bytesPerSecond) {}

  /**
   * Takes {@code spans} and {@code bytes} from the tenant's buckets. A request larger than one
   * second's worth passes when the bucket is full and leaves it in debt, so large SDK batches from
   * a tenant with a small rate still get through at that rate instead of never.
   *
   * @return empty when allowed, else how long to wait before retrying
   */
  public Optional<Duration> tryAcquire(String tenant, long spans, long bytes) {
    Buckets b = buckets.computeIfAbsent(tenant, t -> create(config.limitsFor(t)));
    if (b.spans != null) {
      Optional<Duration> wait = take(b.spans, b.spansPerSecond, spans);
      if (wait.isPresent()) {
        return wait;
      }
    }
    if (b.bytes != null) {
      Optional<Duration> wait = take(b.bytes, b.bytesPerSecond, bytes);
      if (wait.isPresent()) {
        if (b.spans != null) {
          b.spans.addTokens(spans);
        }
        return wait;
      }
    }
    return Optional.empty();
  }

  private static Optional<Duration> take(Bucket bucket, long capacity, long tokens) {
    if (tokens <= capacity) {
      ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(tokens);
      return probe.isConsumed()
          ? Optional.empty()
          : Optional.of(Duration.ofNanos(probe.getNanosToWaitForRefill()));
    }
    if (bucket.getAvailableTokens() >= capacity) {
      bucket.consumeIgnoringRateLimits(tokens);
      return Optional.empty();
    }
    long missing = capacity - Math.max(0, bucket.getAvailableTokens());
    return Optional.of(Duration.ofNanos(missing * 1_000_000_000L / capacity));
  }

  private static Buckets create(TenantLimits limits) {
    return new Buckets(
        bucket(limits.spansPerSecond()),
        limits.spansPerSecond(),
        bucket(limits.bytesPerSecond()),
        limits.bytesPerSecond());
  }

  private static Bucket bucket(long perSecond) {
    if (perSecond <= 0) {
      return null;
    }
    return Bucket.builder()
        .addLimit(
            Bandwidth.builder()
                .capacity(perSecond)
                .refillGreedy(perSecond, Duration.ofSeconds(1))
                .build())
        .build();
  }
}
