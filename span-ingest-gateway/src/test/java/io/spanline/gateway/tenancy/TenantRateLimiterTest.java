package io.spanline.gateway.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.gateway.config.GatewayConfigLoader;
import io.spanline.service.tenancy.TenantLimitsFile;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TenantRateLimiterTest {

  private static TenantRateLimiter limiter(String spansPerSecond, String bytesPerSecond) {
    return new TenantRateLimiter(
        GatewayConfigLoader.load(
            Map.of(),
            Map.of(
                "spanline.gateway.limits.spans-per-second", spansPerSecond,
                "spanline.gateway.limits.bytes-per-second", bytesPerSecond)));
  }

  @Test
  void allowsOneSecondOfBurst_thenRefusesWithADelay() {
    TenantRateLimiter limiter = limiter("100", "0");

    assertThat(limiter.tryAcquire("a", 60, 1)).isEmpty();
    assertThat(limiter.tryAcquire("a", 40, 1)).isEmpty();
    Optional<Duration> wait = limiter.tryAcquire("a", 50, 1);

    assertThat(wait).isPresent();
    assertThat(wait.get()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(1));
    assertThat(limiter.tryAcquire("b", 100, 1)).as("tenants have their own buckets").isEmpty();
  }

  @Test
  void requestLargerThanOneSecondPassesWhenTheBucketIsFull_andLeavesADebt() {
    TenantRateLimiter limiter = limiter("100", "0");

    assertThat(limiter.tryAcquire("a", 512, 1)).isEmpty();
    assertThat(limiter.tryAcquire("a", 1, 1)).isPresent();
  }

  @Test
  void bytesOverTheirRateRefundTheSpans() {
    TenantRateLimiter limiter = limiter("100", "1000");

    assertThat(limiter.tryAcquire("a", 10, 900)).isEmpty();
    assertThat(limiter.tryAcquire("a", 10, 900)).isPresent();
    assertThat(limiter.tryAcquire("a", 90, 50))
        .as("the refused request's spans came back")
        .isEmpty();
  }

  @Test
  void theFilesGlobalRate_isDividedByTheLiveGateways_andOverridesTheSettings() {
    AtomicInteger gateways = new AtomicInteger(1);
    TenantLimitsFile file =
        TenantLimitsFile.parse(
            "defaults:\n  ingest-spans-per-second: 300\noverrides:\n  b:\n    ingest-spans-per-second: 0\n");
    TenantRateLimiter limiter =
        new TenantRateLimiter(
            GatewayConfigLoader.load(
                Map.of(), Map.of("spanline.gateway.limits.spans-per-second", "10")),
            () -> file,
            gateways::get);

    assertThat(limiter.ratesFor("a")[0]).isEqualTo(300);
    assertThat(limiter.ratesFor("b")[0]).as("0 in the file: unlimited").isZero();
    gateways.set(2);
    assertThat(limiter.ratesFor("a")[0]).isEqualTo(150);
    gateways.set(7);
    assertThat(limiter.ratesFor("a")[0]).as("rounded up").isEqualTo(43);

    gateways.set(2);
    assertThat(limiter.tryAcquire("a", 150, 1)).isEmpty();
    assertThat(limiter.tryAcquire("a", 10, 1)).isPresent();
    assertThat(limiter.tryAcquire("b", 100_000, 1)).isEmpty();
  }
}
