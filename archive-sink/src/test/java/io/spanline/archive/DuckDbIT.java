package io.spanline.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.archive.testing.CompactedArchive;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.localinfra.s3.LocalS3;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;
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
    // Given traces of two tenants over two days, some spans failed, archived and compacted
    CompactedArchive archive = CompactedArchive.write(kafka, registry, s3, dir);

    // When DuckDB reads the archive's folders with plain SQL
    Map<String, Long> counted = new TreeMap<>();
    long acmeRows;
    Class.forName("org.duckdb.DuckDBDriver");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      String source =
          "read_parquet('"
              + archive.spans().toString().replace("'", "''")
              + "/**/*.parquet', hive_partitioning = true)";
      try (ResultSet rs =
          st.executeQuery(
              "SELECT service_name, count(*) AS errors FROM "
                  + source
                  + " WHERE tenant = 'acme' AND date = '"
                  + archive.day()
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
                  + archive.day()
                  + " 00:00:00' AND hour IS NOT NULL")) {
        rs.next();
        acmeRows = rs.getLong(1);
      }
    }

    // Then it finds the error count per service of that tenant and date
    assertThat(counted).isEqualTo(archive.acmeErrorsOnDay());
    assertThat(acmeRows).isEqualTo(archive.acmeSpans());
  }
}
