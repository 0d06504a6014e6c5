package io.spanline.gateway.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.gateway.config.GatewayConfigLoader;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
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
}
