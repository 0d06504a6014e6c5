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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The chaos suite: the pipeline as separate processes ({@link Pipeline}) under steady OTLP load
 * from the OpenTelemetry SDK ({@link ChaosLoad}), with {@code kill -9} of each service and of the
 * servers' JVM (Kafka broker, schema registry, S3 store and OpenSearch together) at seeded random
 * moments, some during the state restore that follows an earlier kill. After the last fault it
 * waits for the pipeline to catch up and checks, through the query API, the Parquet archive and the
 * decisions topic, that every acknowledged span of every trace the policies must keep (errors,
 * slow) arrived exactly once.
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
    QUERY("query");

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
          System.out.printf("Fault: kill -9 %s%n", f.process);
          pipeline.killAndRestart(f.process);
          injected.merge(f, 1, Integer::sum);
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
        Map<String, Set<String>> mustKeep = new TreeMap<>();
        load.exporter()
            .acknowledged()
            .forEach(
                (trace, spans) -> {
                  if (load.kind(trace) != ChaosLoad.Kind.NORMAL) {
                    mustKeep.put(trace, Set.copyOf(spans));
                  }
                });
        assertThat(mustKeep).as("error and slow traces acknowledged").hasSizeGreaterThan(20);
        long deadline = System.nanoTime() + CATCH_UP_BOUND.toNanos();
        Map<String, Set<String>> missing = missing(checks, mustKeep);
        while (!missing.isEmpty() && System.nanoTime() < deadline) {
          TimeUnit.SECONDS.sleep(2); // polling the query API and the archive
          missing = missing(checks, mustKeep);
        }
        long caughtUpSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - lastFaultNanos);
        long lost = missing.values().stream().mapToLong(Set::size).sum();

        // Then each is searchable and archived exactly once, and each trace has one decision
        int duplicatedInQuery = 0;
        for (Map.Entry<String, Set<String>> t : mustKeep.entrySet()) {
          List<String> answered = checks.querySpanIds(t.getKey()).orElse(List.of());
          duplicatedInQuery += answered.size() - new HashSet<>(answered).size();
        }
        Map<String, List<String>> archived = checks.archivedSpans();
        int duplicatedInArchive = 0;
        for (List<String> spans : archived.values()) {
          duplicatedInArchive += spans.size() - new HashSet<>(spans).size();
        }
        Map<String, Integer> decisions = checks.decisionCounts();
        long tracesWithoutOneDecision =
            load.exporter().acknowledged().keySet().stream()
                .filter(trace -> decisions.getOrDefault(trace, 0) != 1)
                .count();
        long acknowledgedSpans = load.exporter().acknowledgedSpans();
        long keptSpans = mustKeep.values().stream().mapToLong(Set::size).sum();
        System.out.printf(
            "Chaos result (seed %d): faults %s; %d spans acknowledged (%d in %d error or slow"
                + " traces), %d not acknowledged; lost %d; duplicated %d in the query API, %d in the"
                + " archive; traces without exactly one decision %d; caught up %d s after the"
                + " last fault%n",
            seed,
            injected,
            acknowledgedSpans,
            keptSpans,
            mustKeep.size(),
            load.exporter().failedSpans(),
            lost,
            duplicatedInQuery,
            duplicatedInArchive,
            tracesWithoutOneDecision,
            caughtUpSeconds);
        assertThat(missing)
            .as(
                "acknowledged spans of kept traces missing %d s after the last fault",
                caughtUpSeconds)
            .isEmpty();
        assertThat(duplicatedInQuery).as("spans twice in a query answer").isZero();
        assertThat(duplicatedInArchive).as("spans twice in the archive").isZero();
        assertThat(tracesWithoutOneDecision).as("traces without exactly one decision").isZero();
        for (String p : Pipeline.SERVICES) {
          assertThat(pipeline.process(p).ready()).as("%s ready at the end", p).isTrue();
        }
      }
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** Acknowledged spans of the traces to keep not yet searchable or archived, by trace. */
  private static Map<String, Set<String>> missing(Checks checks, Map<String, Set<String>> mustKeep)
      throws Exception {
    Map<String, List<String>> archived = checks.archivedSpans();
    Map<String, Set<String>> missing = new HashMap<>();
    for (Map.Entry<String, Set<String>> t : mustKeep.entrySet()) {
      Set<String> gone = new HashSet<>(t.getValue());
      gone.removeAll(archived.getOrDefault(t.getKey(), List.of()));
      Set<String> notSearchable = new HashSet<>(t.getValue());
      checks.querySpanIds(t.getKey()).ifPresent(notSearchable::removeAll);
      gone.addAll(notSearchable);
      if (!gone.isEmpty()) {
        missing.put(t.getKey(), gone);
      }
    }
    return missing;
  }

  /**
   * The faults in order: the first six are one of each kind but the query service's, shuffled; a
   * longer run then draws from every kind.
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
    Fault[] all = Fault.values();
    while (plan.size() < faults) {
      plan.add(all[random.nextInt(all.length)]);
    }
    return plan;
  }
}
