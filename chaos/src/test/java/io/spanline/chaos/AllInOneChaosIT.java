package io.spanline.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.localinfra.Probe;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The experiment of issue 18 as a test: {@code spanline up} under steady OTLP load, {@code kill -9}
 * of the whole process (servers and services together) at seeded random moments, {@code spanline
 * up} again on the same data each time; every acknowledged span of every error and slow trace must
 * then be searchable and archived exactly once within a minute and a half of the last restart.
 * Kafka consumer groups keep their default session timeouts here, as a user's would.
 */
class AllInOneChaosIT {
  private static final String TENANT = "chaos-aio";
  private static final int KILLS = 3;
  private static final Duration CATCH_UP_BOUND = Duration.ofMinutes(4);

  @Test
  void allInOneKilledAtRandomMoments_keepsEveryAcknowledgedSpanOfAKeptTraceExactlyOnce()
      throws Exception {
    String seedProperty = System.getProperty("spanline.chaos.seed", "");
    long seed = seedProperty.isBlank() ? System.nanoTime() : Long.parseLong(seedProperty);
    System.out.printf("All-in-one chaos run: %d kills, seed %d%n", KILLS, seed);
    Random random = new Random(seed);
    Path run = Path.of("target", "chaos-all-in-one-" + seed);
    ChaosIT.deleteRecursively(run);

    try (AllInOneProcess all =
        new AllInOneProcess(run.resolve("data").toAbsolutePath(), run.resolve("all-in-one.log"))) {
      all.start();
      Checks checks = new Checks(all, TENANT);
      try (ChaosLoad load = new ChaosLoad(all.otlpHttpEndpoint(), TENANT, 20, seed)) {
        Probe.until(
            "the first spans acknowledged",
            Duration.ofMinutes(1),
            Duration.ofMillis(200),
            () -> load.exporter().acknowledgedSpans() >= 200);

        // Given the all-in-one under load, killed at seeded random moments and started again
        for (int kill = 0; kill < KILLS; kill++) {
          TimeUnit.MILLISECONDS.sleep(1_000 + random.nextInt(20_000)); // the moment of the kill
          System.out.printf("Fault: kill -9 the all-in-one (%d of %d)%n", kill + 1, KILLS);
          all.killAndRestart();
          all.awaitReady(Pipeline.START_TIMEOUT);
        }
        long restartedNanos = System.nanoTime();
        TimeUnit.SECONDS.sleep(5); // load after the last restart, so it is not the end of the run
        load.stop(Duration.ofSeconds(60));

        // When the pipeline has caught up
        Outcome outcome = Outcome.measure(load, checks, restartedNanos, CATCH_UP_BOUND);

        // Then every acknowledged span of the kept traces is there exactly once, in time
        System.out.println(outcome.summary(seed, KILLS + " kills of the all-in-one"));
        outcome.assertExactlyOnce();
        assertThat(outcome.caughtUpSeconds())
            .as("seconds from the last restart to every kept span searchable and archived")
            .isLessThanOrEqualTo(60);
        assertThat(all.ready()).isTrue();
      }
    }
  }
}
