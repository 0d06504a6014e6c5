package io.spanline.archive.testing;

import static io.spanline.archive.testing.ArchiveSinkHarness.kept;
import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.archive.ArchiveSinkApp;
import io.spanline.localinfra.Probe;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.localinfra.s3.LocalS3;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.testing.TraceBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The archive the SQL engine tests read (DuckDB, Apache Spark SQL): 300 traces of two tenants
 * ({@code acme}, {@code globex}) over two days, some spans failed, written by the real sink with
 * 1-second rolls and compacted to one file per tenant and hour, then downloaded to a local folder.
 *
 * @param spans the downloaded {@code spans} folder: {@code tenant=…/date=…/hour=…/*.parquet}
 * @param day the first of the two days
 * @param acmeErrorsOnDay the failed spans of {@code acme} that day, by service name
 * @param acmeSpans every span of {@code acme}, both days
 */
public record CompactedArchive(
    Path spans, LocalDate day, Map<String, Long> acmeErrorsOnDay, long acmeSpans) {

  /** Writes the archive through the sink into {@code s3} and downloads it under {@code dir}. */
  public static CompactedArchive write(
      LocalKafka kafka, LocalSchemaRegistry registry, LocalS3 s3, Path dir) throws Exception {
    try (ArchiveSinkHarness h =
        ArchiveSinkHarness.create(
            kafka,
            registry,
            s3,
            dir.resolve("work"),
            2,
            Map.of(
                "roll.max.age.ms",
                "1000",
                "compaction.enabled",
                "true",
                "compaction.interval.ms",
                "1000",
                "compaction.min-age.ms",
                "1"))) {
      List<SampledTrace> traces = traces();
      try (ArchiveSinkApp sink = h.startSink()) {
        h.send(traces);
        h.awaitAllCommitted(Duration.ofSeconds(90));
        // compaction leaves one Parquet file per tenant and hour, and no replaced file
        Probe.until(
            "compaction to one file per tenant and hour",
            Duration.ofSeconds(90),
            Duration.ofMillis(200),
            () -> {
              Map<String, Long> perHour =
                  h.objects().stream()
                      .map(o -> o.key())
                      .filter(k -> k.endsWith(".parquet"))
                      .collect(
                          Collectors.groupingBy(
                              k -> k.substring(0, k.lastIndexOf('/')), Collectors.counting()));
              return !perHour.isEmpty() && perHour.values().stream().allMatch(n -> n == 1);
            });
        assertThat(sink.metrics().filesCompacted()).isPositive();
      }
      LocalDate day = LocalDate.ofEpochDay(Math.floorDiv(TraceBuilder.START, 86_400_000_000_000L));
      Map<String, Long> errors = new TreeMap<>();
      long acmeSpans = 0;
      for (SampledTrace t : traces) {
        AssembledTrace trace = t.trace();
        if (!trace.tenant().equals("acme")) {
          continue;
        }
        acmeSpans += trace.spans().size();
        LocalDate traceDay =
            Instant.ofEpochSecond(trace.summary().startEpochNanos() / 1_000_000_000L)
                .atZone(ZoneOffset.UTC)
                .toLocalDate();
        for (Span s : trace.spans()) {
          if (traceDay.equals(day) && s.status().isError()) {
            errors.merge(s.serviceName(), 1L, Long::sum);
          }
        }
      }
      assertThat(errors).isNotEmpty();
      return new CompactedArchive(
          h.download(dir.resolve("archive")).resolve("spans"), day, errors, acmeSpans);
    }
  }

  private static List<SampledTrace> traces() {
    List<String> services = List.of("frontend", "checkout", "payment");
    List<SampledTrace> traces = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      TraceBuilder b =
          TraceBuilder.trace()
              .tenant(i % 3 == 0 ? "globex" : "acme")
              .shiftedBy(Duration.ofDays(i % 2))
              .root("frontend", "GET /", 30);
      if (i % 5 == 0) {
        b.error();
      }
      b.child(services.get(1 + i % 2), "call", 10);
      if (i % 4 == 0) {
        b.error();
      }
      traces.add(kept(b.build(), "baseline"));
    }
    return traces;
  }
}
