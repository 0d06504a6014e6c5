package io.spanline.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * What a chaos run ended with, measured after the last fault: the acknowledged spans of the traces
 * the policies must keep (errors, slow) that are missing from the query API or the archive, spans
 * found twice, traces without exactly one decision, and how long the pipeline took to catch up.
 *
 * @param missing acknowledged spans of kept traces not searchable or not archived, by trace
 */
record Outcome(
    long acknowledgedSpans,
    long notAcknowledgedSpans,
    int keptTraces,
    long keptSpans,
    Map<String, Set<String>> missing,
    int duplicatedInQuery,
    int duplicatedInArchive,
    long tracesWithoutOneDecision,
    long caughtUpSeconds) {

  long lost() {
    return missing.values().stream().mapToLong(Set::size).sum();
  }

  /**
   * Polls the query API and the archive every 2 s until every acknowledged span of the traces to
   * keep is in both or {@code bound} passed since {@code lastFaultNanos}, then measures the rest.
   */
  static Outcome measure(ChaosLoad load, Checks checks, long lastFaultNanos, Duration bound)
      throws Exception {
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
    long deadline = lastFaultNanos + bound.toNanos();
    Map<String, Set<String>> missing = missing(checks, mustKeep);
    while (!missing.isEmpty() && System.nanoTime() < deadline) {
      TimeUnit.SECONDS.sleep(2); // polling the query API and the archive
      missing = missing(checks, mustKeep);
    }
    long caughtUp = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - lastFaultNanos);
    int duplicatedInQuery = 0;
    for (String trace : mustKeep.keySet()) {
      List<String> answered = checks.querySpanIds(trace).orElse(List.of());
      duplicatedInQuery += answered.size() - new HashSet<>(answered).size();
    }
    int duplicatedInArchive = 0;
    for (List<String> spans : checks.archivedSpans().values()) {
      duplicatedInArchive += spans.size() - new HashSet<>(spans).size();
    }
    Map<String, Integer> decisions = checks.decisionCounts();
    long withoutOneDecision =
        load.exporter().acknowledged().keySet().stream()
            .filter(trace -> decisions.getOrDefault(trace, 0) != 1)
            .count();
    return new Outcome(
        load.exporter().acknowledgedSpans(),
        load.exporter().failedSpans(),
        mustKeep.size(),
        mustKeep.values().stream().mapToLong(Set::size).sum(),
        missing,
        duplicatedInQuery,
        duplicatedInArchive,
        withoutOneDecision,
        caughtUp);
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

  /** The figures as one line, e.g. for the module README. */
  String summary(long seed, Object faults) {
    return String.format(
        "Chaos result (seed %d): faults %s; %d spans acknowledged (%d in %d error or slow traces),"
            + " %d not acknowledged; lost %d; duplicated %d in the query API, %d in the archive;"
            + " traces without exactly one decision %d; caught up %d s after the last fault",
        seed,
        faults,
        acknowledgedSpans,
        keptSpans,
        keptTraces,
        notAcknowledgedSpans,
        lost(),
        duplicatedInQuery,
        duplicatedInArchive,
        tracesWithoutOneDecision,
        caughtUpSeconds);
  }

  /** Nothing lost, nothing twice, one decision per trace. */
  void assertExactlyOnce() {
    assertThat(missing)
        .as("acknowledged spans of kept traces missing %d s after the last fault", caughtUpSeconds)
        .isEmpty();
    assertThat(duplicatedInQuery).as("spans twice in a query answer").isZero();
    assertThat(duplicatedInArchive).as("spans twice in the archive").isZero();
    assertThat(tracesWithoutOneDecision).as("traces without exactly one decision").isZero();
  }
}
