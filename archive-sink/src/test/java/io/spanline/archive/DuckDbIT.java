package io.spanline.archive;

import static io.spanline.archive.testing.ArchiveSinkHarness.kept;
import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.archive.testing.ArchiveSinkHarness;
import io.spanline.localinfra.Probe;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.localinfra.s3.LocalS3;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.testing.TraceBuilder;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * DuckDB reads the archive with plain SQL, partitions from the Hive folder names, after the sink's
 * compaction merged each tenant's hour of 1-second rolls into one file (the replaced files deleted,
 * so plain SQL counts every span once).
 */
@ExtendWith(LocalInfraExtension.class)
class DuckDbIT {
  @TempDir Path dir;

  @Test
  void duckDbCountsErrorsPerServiceForADate_throughHivePartitioning(
      LocalKafka kafka, LocalSchemaRegistry registry, LocalS3 s3) throws Exception {
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
      // Given traces of two tenants over two days, some spans failed
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
      try (ArchiveSinkApp sink = h.startSink()) {
        h.send(traces);
        h.awaitAllCommitted(Duration.ofSeconds(90));
        // Then compaction leaves one Parquet file per tenant and hour, and no replaced file
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
      Map<String, Long> expected = new TreeMap<>();
      for (SampledTrace t : traces) {
        AssembledTrace trace = t.trace();
        for (Span s : trace.spans()) {
          LocalDate spanDay =
              java.time.Instant.ofEpochSecond(trace.summary().startEpochNanos() / 1_000_000_000L)
                  .atZone(ZoneOffset.UTC)
                  .toLocalDate();
          if (trace.tenant().equals("acme") && spanDay.equals(day) && s.status().isError()) {
            expected.merge(s.serviceName(), 1L, Long::sum);
          }
        }
      }
      assertThat(expected).isNotEmpty();

      // When DuckDB reads the archive's folders with plain SQL
      Path archive = h.download(dir.resolve("archive"));
      Map<String, Long> counted = new TreeMap<>();
      long acmeRows;
      Class.forName("org.duckdb.DuckDBDriver");
      try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
          Statement st = c.createStatement()) {
        String source =
            "read_parquet('"
                + archive.resolve("spans").toString().replace("'", "''")
                + "/**/*.parquet', hive_partitioning = true)";
        try (ResultSet rs =
            st.executeQuery(
                "SELECT service_name, count(*) AS errors FROM "
                    + source
                    + " WHERE tenant = 'acme' AND date = '"
                    + day
                    + "' AND status_code = 'ERROR' GROUP BY service_name ORDER BY service_name")) {
          while (rs.next()) {
            counted.put(rs.getString("service_name"), rs.getLong("errors"));
          }
        }
        try (ResultSet rs =
            st.executeQuery(
                "SELECT count(*) FROM "
                    + source
                    + " WHERE tenant = 'acme' AND start_time >= TIMESTAMP '"
                    + day
                    + " 00:00:00' AND hour IS NOT NULL")) {
          rs.next();
          acmeRows = rs.getLong(1);
        }
      }

      // Then it finds the error count per service of that tenant and date
      assertThat(counted).isEqualTo(expected);
      assertThat(acmeRows)
          .isEqualTo(
              traces.stream()
                  .filter(t -> t.trace().tenant().equals("acme"))
                  .mapToLong(t -> t.trace().spans().size())
                  .sum());
    }
  }
}
