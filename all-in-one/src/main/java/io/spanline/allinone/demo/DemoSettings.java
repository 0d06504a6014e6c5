package io.spanline.allinone.demo;

import java.time.Duration;
import java.util.Objects;

/**
 * How the demo workload behaves.
 *
 * @param requestsPerSecond shop requests the load generator sends to the frontend per second
 * @param errorRate share of payments that fail (0 to 1): the payment span gets status ERROR with an
 *     exception event, and the error travels back up as HTTP 502; half as many stock reservations
 *     fail (HTTP 409 after the database query), failing the checkout too
 * @param slowRate share of payments delayed by {@code slowDelay} (0 to 1)
 * @param slowDelay the injected delay of a slow payment
 * @param maxJitter each service handler sleeps a random time up to this, so spans have realistic
 *     durations
 * @param tenant the tenant the demo's OTLP exporters name in {@code X-Scope-OrgID}
 */
public record DemoSettings(
    double requestsPerSecond,
    double errorRate,
    double slowRate,
    Duration slowDelay,
    Duration maxJitter,
    String tenant) {

  public DemoSettings {
    if (!(requestsPerSecond > 0) || requestsPerSecond > 1000) {
      throw new IllegalArgumentException(
          "requestsPerSecond must be above 0 and at most 1000, was " + requestsPerSecond);
    }
    rate("errorRate", errorRate);
    rate("slowRate", slowRate);
    Objects.requireNonNull(slowDelay, "slowDelay");
    Objects.requireNonNull(maxJitter, "maxJitter");
    Objects.requireNonNull(tenant, "tenant");
  }

  /** 5 requests/s, 5 % payment errors, 5 % payments slowed by 1.2 s, up to 20 ms per handler. */
  public static DemoSettings defaults() {
    return new DemoSettings(
        5, 0.05, 0.05, Duration.ofMillis(1200), Duration.ofMillis(20), "default");
  }

  private static void rate(String name, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(name + " must be between 0 and 1, was " + value);
    }
  }
}
