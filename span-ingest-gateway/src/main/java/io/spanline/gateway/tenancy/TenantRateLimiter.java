package io.spanline.gateway.tenancy;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.spanline.gateway.config.GatewayConfig;
import io.spanline.gateway.config.TenantLimits;
import io.spanline.service.tenancy.TenantLimitsFile;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Per-tenant token buckets for spans per second and request bytes per second (Bucket4j), each
 * holding one second of its rate as burst. A rate of 0 means unlimited.
 *
 * <p>A tenant's rates come from the tenant-limits file when it sets them ({@code
 * ingest-spans-per-second}, {@code ingest-bytes-per-second}): those are global, shared by every
 * gateway, so this gateway allows its share, the rate divided by the live gateways (rounded up).
 * Otherwise they come from the gateway's own settings ({@code limits.spans-per-second}, {@code
 * limits.bytes-per-second}, {@code tenants.<t>.*}), which are per gateway process. When the file is
 * reloaded or the number of gateways changes, a tenant's buckets take the new rate and keep their
 * tokens up to the new capacity.
 */
public final class TenantRateLimiter {
  private final GatewayConfig config;
  private final Supplier<TenantLimitsFile> file;
  private final IntSupplier instances;
  private final Map<String, Buckets> buckets = new ConcurrentHashMap<>();

  /** Rates from the gateway's settings only. */
  public TenantRateLimiter(GatewayConfig config) {
    this(config, () -> TenantLimitsFile.EMPTY, () -> 1);
  }

  /**
   * @param file the tenant-limits file in force
   * @param instances the live gateways, this one included (at least 1)
   */
  public TenantRateLimiter(
      GatewayConfig config, Supplier<TenantLimitsFile> file, IntSupplier instances) {
    this.config = config;
    this.file = file;
    this.instances = instances;
  }

  /** A tenant's buckets: null when unlimited; each with the rate it was built for. */
  private static final class Buckets {
    volatile long spansPerSecond;
    volatile Bucket spans;
    volatile long bytesPerSecond;
    volatile Bucket bytes;
  }

  /**
   * This gateway's spans-per-second and bytes-per-second for {@code tenant} now (0 = unlimited).
   */
  public long[] ratesFor(String tenant) {
    TenantLimits own = config.limitsFor(tenant);
    TenantLimitsFile.Limits fromFile = file.get().forTenant(tenant);
    int n = Math.max(1, instances.getAsInt());
    return new long[] {
      share(fromFile.ingestSpansPerSecond(), own.spansPerSecond(), n),
      share(fromFile.ingestBytesPerSecond(), own.bytesPerSecond(), n)
    };
  }

  private static long share(OptionalLong global, long perProcess, int instances) {
    if (global.isEmpty()) {
      return perProcess;
    }
    long rate = global.getAsLong();
    return rate == 0 ? 0 : Math.max(1, (rate + instances - 1) / instances);
  }

  /**
   * Takes {@code spans} and {@code bytes} from the tenant's buckets. A request larger than one
   * second's worth passes when the bucket is full and leaves it in debt, so large SDK batches from
   * a tenant with a small rate still get through at that rate instead of never.
   *
   * @return empty when allowed, else how long to wait before retrying
   */
  public Optional<Duration> tryAcquire(String tenant, long spans, long bytes) {
    Buckets b = buckets.computeIfAbsent(tenant, t -> new Buckets());
    long[] rates = ratesFor(tenant);
    Bucket spansBucket;
    Bucket bytesBucket;
    synchronized (b) {
      if (b.spansPerSecond != rates[0] || (rates[0] > 0 && b.spans == null)) {
        b.spans = update(b.spans, rates[0]);
        b.spansPerSecond = rates[0];
      }
      if (b.bytesPerSecond != rates[1] || (rates[1] > 0 && b.bytes == null)) {
        b.bytes = update(b.bytes, rates[1]);
        b.bytesPerSecond = rates[1];
      }
      spansBucket = b.spans;
      bytesBucket = b.bytes;
    }
    if (spansBucket != null) {
      Optional<Duration> wait = take(spansBucket, rates[0], spans);
      if (wait.isPresent()) {
        return wait;
      }
    }
    if (bytesBucket != null) {
      Optional<Duration> wait = take(bytesBucket, rates[1], bytes);
      if (wait.isPresent()) {
        if (spansBucket != null) {
          spansBucket.addTokens(spans);
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

  /** A bucket for {@code perSecond}: the old one reconfigured (its tokens kept), or a new one. */
  private static Bucket update(Bucket old, long perSecond) {
    if (perSecond <= 0) {
      return null;
    }
    BucketConfiguration configuration =
        BucketConfiguration.builder().addLimit(bandwidth(perSecond)).build();
    if (old == null) {
      return Bucket.builder().addLimit(bandwidth(perSecond)).build();
    }
    old.replaceConfiguration(configuration, TokensInheritanceStrategy.AS_IS);
    return old;
  }

  private static Bandwidth bandwidth(long perSecond) {
    return Bandwidth.builder()
        .capacity(perSecond)
        .refillGreedy(perSecond, Duration.ofSeconds(1))
        .build();
  }
}
