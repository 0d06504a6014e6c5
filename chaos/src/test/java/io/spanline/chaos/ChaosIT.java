package io.spanline.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.localinfra.Probe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The chaos suite: the pipeline as separate processes ({@link Pipeline}) under steady OTLP load
 * from the OpenTelemetry SDK ({@link ChaosLoad}), with {@code kill -9} of each service and of the
 * servers' JVM (Kafka broker, schema registry and OpenSearch together) at seeded random moments,
 * some during the state restore that follows an earlier kill, and (in a longer run) OpenSearch and
 * S3 each down for 60 s. After the last fault it waits for the pipeline to catch up and checks,
 * through the query API, the Parquet archive and the decisions topic, that every acknowledged span
 * of every trace the policies must keep (errors, slow) arrived exactly once.
 *
 * <p>{@code -Dspanline.chaos.faults=N} sets the number of faults (default 6, one of each kind but
 * the query service's); {@code -Dspanline.chaos.seed=S} replays a run. See chaos/README.md.
 */
class ChaosIT {
  private static final String TENANT = "chaos";
  private static final Duration CATCH_UP_BOUND = Duration.ofMinutes(4);

  /** What a fault kills. */
  enum Fault {
    ASSEMBLY("assembly"),
    SAMPLING("sampling"),
    INDEX_SINK("index"),
    ARCHIVE_SINK("archive"),
    GATEWAY("gateway"),
    SERVERS(Pipeline.INFRA),
    QUERY("query"),
    /** Not a kill: the OpenSearch node stopped (SIGSTOP) for 60 s under load, then resumed. */
    OPENSEARCH_STOPPED("opensearch"),
    /** The S3-compatible store down (killed, connections refused) for 60 s, then started again. */
    S3_STOPPED(Pipeline.S3);

    final String process;

    Fault(String process) {
      this.process = process;
    }

    boolean stream() {
      return this == ASSEMBLY || this == SAMPLING;
    }
  }

  @Test
  void killedAtRandom_everyAcknowledgedSpanOfAKeptTraceArrivesExactlyOnce() throws Exception {
    int faults = Integer.getInteger("spanline.chaos.faults", 6);
    String seedProperty = System.getProperty("spanline.chaos.seed", "");
    long seed = seedProperty.isBlank() ? System.nanoTime() : Long.parseLong(seedProperty);
    System.out.printf("Chaos run: %d faults, seed %d%n", faults, seed);
    Random random = new Random(seed);
    List<Fault> plan = plan(faults, random);
    Path run = Path.of("target", "chaos-" + seed);
    deleteRecursively(run); // a replay of a seed starts from nothing, like the run it replays
    Files.createDirectories(run);
    Map<Fault, Integer> injected = new EnumMap<>(Fault.class);

    try (Pipeline pipeline = new Pipeline(run.resolve("data"), run.resolve("logs"))) {
      long began = System.nanoTime();
      pipeline.start();
      System.out.printf("Pipeline up in %.1f s%n", (System.nanoTime() - began) / 1e9);
      Checks checks = new Checks(pipeline, TENANT);
      long lastFaultNanos;
      try (ChaosLoad load = new ChaosLoad(pipeline.otlpHttpEndpoint(), TENANT, 20, seed)) {
        Probe.until(
            "the first spans acknowledged",
            Duration.ofMinutes(1),
            Duration.ofMillis(200),
            () -> load.exporter().acknowledgedSpans() >= 200);

        // Given steady load, each fault at a seeded random moment
        for (Fault f : plan) {
          TimeUnit.MILLISECONDS.sleep(2_000 + random.nextInt(8_000)); // the moment of the fault
          injected.merge(f, 1, Integer::sum);
          if (f == Fault.OPENSEARCH_STOPPED) {
            System.out.println("Fault: OpenSearch stopped for 60 s");
            pipeline.stopOpenSearch(Duration.ofSeconds(60));
            pipeline.awaitAllReady(Pipeline.START_TIMEOUT);
            continue;
          }
          if (f == Fault.S3_STOPPED) {
            System.out.println("Fault: S3 down for 60 s");
            pipeline.stopS3(Duration.ofSeconds(60));
            pipeline.awaitAllReady(Pipeline.START_TIMEOUT);
            continue;
          }
          System.out.printf("Fault: kill -9 %s%n", f.process);
          pipeline.killAndRestart(f.process);
          if (f.stream() && random.nextBoolean()) {
            // again while it restores its state from the changelogs
            TimeUnit.MILLISECONDS.sleep(2_000 + random.nextInt(3_000));
            System.out.printf("Fault: kill -9 %s during its restore%n", f.process);
            pipeline.killAndRestart(f.process);
            injected.merge(f, 1, Integer::sum);
          }
          pipeline.awaitAllReady(Pipeline.START_TIMEOUT);
        }
        lastFaultNanos = System.nanoTime();
        TimeUnit.SECONDS.sleep(5); // load after the last fault, so it is not the end of the run
        load.stop(Duration.ofSeconds(60));

        // When the pipeline has caught up with every acknowledged span of the traces to keep
        Outcome outcome = Outcome.measure(load, checks, lastFaultNanos, CATCH_UP_BOUND);

        // Then each is searchable and archived exactly once, and each trace has one decision
        System.out.println(outcome.summary(seed, injected));
        outcome.assertExactlyOnce();
        for (String p : Pipeline.SERVICES) {
          assertThat(pipeline.process(p).ready()).as("%s ready at the end", p).isTrue();
        }
      }
    }
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /**
   * The faults in order: the first six are one kill of each kind but the query service's, shuffled;
   * a longer run then adds the query service's kill and 60 s outages of OpenSearch and of S3, then
   * draws from every kind.
   */
  static List<Fault> plan(int faults, Random random) {
    List<Fault> firsts =
        new ArrayList<>(
            List.of(
                Fault.ASSEMBLY,
                Fault.SAMPLING,
                Fault.INDEX_SINK,
                Fault.ARCHIVE_SINK,
                Fault.GATEWAY,
                Fault.SERVERS));
    Collections.shuffle(firsts, random);
    List<Fault> plan = new ArrayList<>(firsts.subList(0, Math.min(faults, firsts.size())));
    List<Fault> rest =
        new ArrayList<>(List.of(Fault.QUERY, Fault.OPENSEARCH_STOPPED, Fault.S3_STOPPED));
    Collections.shuffle(rest, random);
    for (Fault f : rest) {
      if (plan.size() < faults) {
        plan.add(f);
      }
    }
    Fault[] all = Fault.values();
    while (plan.size() < faults) {
      plan.add(all[random.nextInt(all.length)]);
    }
    return plan;
  }
}
