package io.spanline.sampling.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dry run's tools against a real Kafka broker and schema registry: 3 000 traces over 4
 * partitions in a 30-second range, late fragments, the running policy's decisions and one record
 * that is not Avro; progress lines, a run stopped twice and continued from its checkpoint, the
 * report as JSON and CSV, and the rate cap.
 */
@ExtendWith(LocalInfraExtension.class)
class DryRunToolsIT {
  private static final int TRACES = 3_000;
  private static final long RATE = 1000;
  private static final String POLICY =
      """
      policies:
        - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
        - {name: quarter, type: probabilistic, probabilistic: {hash_salt: tools, sampling_percentage: 25}}
      """;

  @TempDir static Path dir;
  private static ReplayFixture given;
  private static Path policy;

  @BeforeAll
  static void givenTracesDecisionsAndAPoisonRecord(LocalKafka kafka, LocalSchemaRegistry registry)
      throws Exception {
    given = ReplayFixture.write(kafka, registry, dir, TRACES);
    policy = Files.writeString(dir.resolve("policy.yaml"), POLICY);
  }

  private record Run(int exit, String out, String err, Duration took) {}

  private static Run dryRun(String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--policy",
                policy.toString(),
                "--from",
                given.from().toString(),
                "--to",
                given.to().toString(),
                "--dry-run"));
    args.addAll(List.of(extra));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    long start = System.nanoTime();
    int exit =
        ReplayCommand.run(
            given.config(),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            args.toArray(String[]::new));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    Run run =
        new Run(
            exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), took);
    System.out.println("dry run " + extra.length + " extra args: exit " + exit + " in " + took);
    return run;
  }

  @Test
  void aStoppedDryRunContinuesFromItsCheckpoint_toTheReportOfAnUninterruptedRun() throws Exception {
    // Given the report of an uninterrupted dry run, with plain progress lines
    Run whole = dryRun("--output", "json", "--progress", "plain", "--progress-interval", "PT0S");
    assertThat(whole.exit()).as(whole.err()).isZero();
    JsonNode expected = new ObjectMapper().readTree(whole.out());
    assertThat(expected.at("/read/traces").asLong()).isEqualTo(TRACES);
    assertThat(expected.at("/kept/current/traces").asLong()).isEqualTo(TRACES / 3);

    // When a run with a checkpoint stops after 1 000 records, twice, then runs to the end
    Path checkpoint = dir.resolve("dry-run.checkpoint.json");
    Run first =
        dryRun(
            "--checkpoint",
            checkpoint.toString(),
            "--checkpoint-every",
            "250",
            "--max-records",
            "1000",
            "--progress",
            "none");
    assertThat(first.exit()).as(first.err()).isEqualTo(ReplayCommand.STOPPED);
    assertThat(first.err()).contains("stopped after 1,000 records").contains(checkpoint.toString());
    assertThat(checkpoint).exists();
    Run second =
        dryRun(
            "--checkpoint", checkpoint.toString(), "--max-records", "1000", "--progress", "none");
    assertThat(second.exit()).as(second.err()).isEqualTo(ReplayCommand.STOPPED);
    Run last =
        dryRun("--checkpoint", checkpoint.toString(), "--output", "json", "--progress", "none");

    // Then the continued run's report equals the uninterrupted one
    assertThat(last.exit()).as(last.err()).isZero();
    assertThat(new ObjectMapper().readTree(last.out())).isEqualTo(expected);

    // And progress lines have their shape and reach 100 %
    List<String> lines = whole.err().lines().filter(l -> l.startsWith("replay: ")).toList();
    assertThat(lines).hasSizeGreaterThan(1);
    assertThat(lines)
        .allMatch(
            l ->
                l.matches(
                    "replay: [\\d,]+ records, [\\d,]+ traces read, \\d+\\.\\d % of the range,"
                        + " [\\d,]+ records/s, ETA (\\d+:\\d\\d:\\d\\d|\\?)"));
    assertThat(lines.get(lines.size() - 1))
        .startsWith(
            "replay: "
                + String.format(java.util.Locale.ROOT, "%,d", TRACES + TRACES / 10 + 1)
                + " records, 3,000 traces read, 100.0 % of the range")
        .endsWith("ETA 0:00:00");
  }

  @Test
  void aPoisonRecordIsNamedByTopicPartitionAndOffset_andTheRestIsReported() {
    // When a dry run reads the range that holds a record that is not Avro
    Run run = dryRun("--output", "json", "--progress", "none");

    // Then it names the record, counts it and reports everything else
    String at =
        given.names().assembledTraces()
            + " partition "
            + given.poison().partition()
            + " offset "
            + given.poison().offset();
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.err()).contains("skipped the unreadable record at " + at);
    assertThat(run.out()).contains("\"unreadable\" : 1").contains(at);
  }

  @Test
  void theReportParsesBackFromJsonAndCsv() throws Exception {
    // Given the report as JSON, and as CSV to a file
    Path csvFile = dir.resolve("report.csv");
    Run json = dryRun("--output", "json", "--progress", "none", "--report", csvFile.toString());
    Run csv = dryRun("--output", "csv", "--progress", "none");
    assertThat(json.exit()).isZero();
    assertThat(csv.exit()).isZero();

    // When both are parsed with a JSON and a CSV reader
    JsonNode report = new ObjectMapper().readTree(json.out());
    List<Map<String, String>> rows = new ArrayList<>();
    try (MappingIterator<Map<String, String>> it =
        new CsvMapper()
            .readerFor(Map.class)
            .with(CsvSchema.emptySchema().withHeader())
            .readValues(csv.out())) {
      it.forEachRemaining(rows::add);
    }

    // Then they hold the same figures, and the file equals standard output
    assertThat(Files.readString(csvFile)).isEqualTo(csv.out());
    Map<String, String> kept =
        rows.stream().filter(r -> r.get("section").equals("kept")).findFirst().orElseThrow();
    assertThat(Long.parseLong(kept.get("new_traces")))
        .isEqualTo(report.at("/kept/new/traces").asLong());
    assertThat(Long.parseLong(kept.get("current_spans")))
        .isEqualTo(report.at("/kept/current/spans").asLong());
    for (JsonNode policyRow : report.get("byPolicy")) {
      Map<String, String> row =
          rows.stream()
              .filter(
                  r ->
                      r.get("section").equals("policy")
                          && r.get("name").equals(policyRow.get("name").asText()))
              .findFirst()
              .orElseThrow();
      assertThat(Long.parseLong(row.get("new_traces")))
          .isEqualTo(policyRow.at("/new/traces").asLong());
      assertThat(Long.parseLong(row.get("current_traces")))
          .isEqualTo(policyRow.at("/current/traces").asLong());
    }
    assertThat(rows.stream().filter(r -> r.get("section").equals("service")))
        .extracting(r -> r.get("name"))
        .as("late fragments have the root service of their first span")
        .containsExactlyInAnyOrder("frontend", "checkout", "payment");
  }

  @Test
  void theRateCapHoldsTheReadToTheGivenRecordsPerSecond() throws Exception {
    // When a dry run of about 3 300 records is capped at 1 000 records a second
    Run run = dryRun("--rate", String.valueOf(RATE), "--output", "json", "--progress", "none");

    // Then it takes at least records / rate (less 5 % for the clock), and the report is unchanged
    assertThat(run.exit()).as(run.err()).isZero();
    long records = given.records();
    assertThat(run.took().toMillis()).isGreaterThanOrEqualTo(records * 1000 / RATE * 95 / 100);
    Run free = dryRun("--output", "json", "--progress", "none");
    assertThat(new ObjectMapper().readTree(run.out()))
        .isEqualTo(new ObjectMapper().readTree(free.out()));
    System.out.println(
        "rate cap 1000 records/s: "
            + records
            + " records in "
            + run.took().toMillis()
            + " ms; uncapped "
            + free.took().toMillis()
            + " ms");
  }
}
