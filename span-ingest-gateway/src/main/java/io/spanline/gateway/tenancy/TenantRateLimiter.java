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

  private record Buckets(Bucket spans, Bucket bytes) {}

  /**
   * Takes {@code spans} and {@code bytes} from the tenant's buckets.
   *
   * @return empty when allowed, else how long to wait before retrying
   */
  public Optional<Duration> tryAcquire(String tenant, long spans, long bytes) {
    Buckets b = buckets.computeIfAbsent(tenant, t -> create(config.limitsFor(t)));
    if (b.spans != null) {
      ConsumptionProbe probe = b.spans.tryConsumeAndReturnRemaining(spans);
      if (!probe.isConsumed()) {
        return Optional.of(waitOf(probe));
      }
    }
    if (b.bytes != null) {
      ConsumptionProbe probe = b.bytes.tryConsumeAndReturnRemaining(bytes);
      if (!probe.isConsumed()) {
        if (b.spans != null) {
          b.spans.addTokens(spans);
        }
        return Optional.of(waitOf(probe));
      }
    }
    return Optional.empty();
  }

  private static Duration waitOf(ConsumptionProbe probe) {
    long nanos = probe.getNanosToWaitForRefill();
    // a request bigger than the whole bucket never fits: say one second, the bucket's period
    return nanos == Long.MAX_VALUE ? Duration.ofSeconds(1) : Duration.ofNanos(nanos);
  }

  private static Buckets create(TenantLimits limits) {
    return new Buckets(bucket(limits.spansPerSecond()), bucket(limits.bytesPerSecond()));
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
