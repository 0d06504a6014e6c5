package io.spanline.archive;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spanline.archive.testing.CompactedArchive;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.localinfra.s3.LocalS3;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Apache Spark SQL in local mode reads the archive the sink wrote and compacted: the Hive folders
 * become partition columns (tenant a string, date a date, hour an integer) and plain SQL finds the
 * same answers as the trace model does. Spark runs in a JVM of its own with its own classpath
 * (module archive-spark, profile {@code spark}), as a user's Spark would.
 */
@ExtendWith(LocalInfraExtension.class)
class SparkSqlIT {
  /** The options Spark's own launcher gives a Java 17 JVM. */
  private static final List<String> SPARK_JVM_OPTIONS =
      List.of(
          "-XX:+IgnoreUnrecognizedVMOptions",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.net=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
          "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
          "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
          "-Djdk.reflect.useDirectMethodHandle=false",
          "-Dio.netty.tryReflectionSetAccessible=true");

  @TempDir Path dir;

  @Test
  void sparkSqlCountsErrorsPerServiceForADate_withTheHiveFoldersAsTypedPartitionColumns(
      LocalKafka kafka, LocalSchemaRegistry registry, LocalS3 s3) throws Exception {
    // Given traces of two tenants over two days, some spans failed, archived and compacted
    CompactedArchive archive = CompactedArchive.write(kafka, registry, s3, dir);

    // When Spark SQL reads the archive's folder as a table
    Map<String, List<JsonNode>> answers =
        spark(
            archive.spans(),
            "SELECT service_name, count(*) AS errors FROM spans WHERE tenant = 'acme' AND date ="
                + " DATE '"
                + archive.day()
                + "' AND status_code = 'ERROR' GROUP BY service_name ORDER BY service_name",
            "SELECT count(*) AS n FROM spans WHERE tenant = 'acme' AND start_time >= TIMESTAMP '"
                + archive.day()
                + " 00:00:00' AND hour BETWEEN 0 AND 23");

    // Then the Hive folders are typed partition columns
    Map<String, String> types = new HashMap<>();
    for (JsonNode field : answers.get("schema").get(0).get("fields")) {
      types.put(field.get("name").asText(), field.get("type").asText());
    }
    assertThat(types)
        .containsEntry("tenant", "string")
        .containsEntry("date", "date")
        .containsEntry("hour", "integer")
        .containsEntry("start_time", "timestamp")
        .containsEntry("trace_id", "string");
    // and Spark finds the error count per service of that tenant and date, and every span once
    Map<String, Long> counted = new TreeMap<>();
    for (JsonNode row : answers.getOrDefault("0", List.of())) {
      counted.put(row.get("service_name").asText(), row.get("errors").asLong());
    }
    assertThat(counted).isEqualTo(archive.acmeErrorsOnDay());
    assertThat(answers.get("1")).hasSize(1);
    assertThat(answers.get("1").get(0).get("n").asLong()).isEqualTo(archive.acmeSpans());
  }

  /**
   * Runs {@code SparkArchiveSql} over {@code folder} in a JVM of its own and returns its output
   * lines by their first column ({@code schema}, {@code 0}, {@code 1}, …) parsed as JSON.
   */
  private Map<String, List<JsonNode>> spark(Path folder, String... statements) throws Exception {
    String classpath =
        System.getProperty("spanline.archive-spark.classes")
            + File.pathSeparator
            + Files.readString(Path.of(System.getProperty("spanline.archive-spark.classpath")))
                .trim();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx1g");
    command.add("-Djava.io.tmpdir=" + Files.createDirectories(dir.resolve("spark-tmp")));
    command.addAll(SPARK_JVM_OPTIONS);
    command.add("-cp");
    command.add(classpath);
    command.add("io.spanline.archivespark.SparkArchiveSql");
    command.add(folder.toString());
    command.addAll(List.of(statements));
    Path out = dir.resolve("spark.out");
    Path err = dir.resolve("spark.err");
    Process p =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    try {
      assertThat(p.waitFor(4, TimeUnit.MINUTES)).as("Spark finished within 4 minutes").isTrue();
    } finally {
      p.destroyForcibly();
    }
    assertThat(p.exitValue()).as("Spark's exit status; its log:%n%s", tail(err)).isZero();
    ObjectMapper json = new ObjectMapper();
    Map<String, List<JsonNode>> answers = new HashMap<>();
    for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
      int tab = line.indexOf('\t');
      if (tab > 0) {
        answers
            .computeIfAbsent(line.substring(0, tab), k -> new ArrayList<>())
            .add(json.readTree(line.substring(tab + 1)));
      }
    }
    assertThat(answers).as("Spark's output; its log:%n%s", tail(err)).containsKey("schema");
    return answers;
  }

  private static String tail(Path file) throws Exception {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
  }
}
