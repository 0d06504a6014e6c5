package io.spanline.sampling.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.junit.UniqueNames;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.schemas.model.SampledTrace;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replay (Kafka Streams, writing kept traces) against a real broker and schema registry: a run
 * capped by {@code --rate}, and a run stopped by {@code --max-records} then continued from its
 * checkpoint, which writes exactly what the uninterrupted one wrote.
 */
@ExtendWith(LocalInfraExtension.class)
class ReplayResumeIT {
  private static final int TRACES = 2_000;
  private static final long RATE = 400;
  private static final String POLICY =
      """
      policies:
        - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
        - {name: third, type: probabilistic, probabilistic: {hash_salt: resume, sampling_percentage: 33}}
      """;

  @TempDir static Path dir;
  private static ReplayFixture given;
  private static Path policy;
  private static LocalKafka broker;

  @BeforeAll
  static void givenAssembledTraces(LocalKafka kafka, LocalSchemaRegistry registry)
      throws Exception {
    broker = kafka;
    given = ReplayFixture.write(kafka, registry, dir, TRACES);
    policy = Files.writeString(dir.resolve("policy.yaml"), POLICY);
  }

  private record Run(int exit, String out, String err, Duration took) {}

  private static Run replay(String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--policy",
                policy.toString(),
                "--from",
                given.from().toString(),
                "--to",
                given.to().toString(),
                "--timeout",
                "PT2M"));
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
    System.out.println("replay " + String.join(" ", extra) + ": exit " + exit + " in " + took);
    return new Run(
        exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), took);
  }

  @Test
  void aStoppedReplayContinuesFromItsCheckpoint_andWritesWhatAnUninterruptedReplayWrote()
      throws Exception {
    // Given an uninterrupted replay, capped at 400 records a second
    String whole = UniqueNames.unique("replayed-whole");
    Run uninterrupted =
        replay(
            "--output-topic",
            whole,
            "--application-id",
            UniqueNames.unique("replay-whole"),
            "--rate",
            String.valueOf(RATE),
            "--progress",
            "plain");
    assertThat(uninterrupted.exit()).as(uninterrupted.err()).isZero();
    assertThat(uninterrupted.took().toMillis())
        .as("at least records / rate")
        .isGreaterThanOrEqualTo(given.records() * 1000 / RATE * 95 / 100);
    System.out.println(
        "replay rate cap "
            + RATE
            + " records/s: "
            + given.records()
            + " records in "
            + uninterrupted.took().toMillis()
            + " ms");

    // When a replay with a checkpoint, held to 400 records a second, stops after 500 committed
    // records, then runs again
    String resumed = UniqueNames.unique("replayed-resumed");
    Path checkpoint = dir.resolve("replay.checkpoint.json");
    Run first =
        replay(
            "--output-topic",
            resumed,
            "--checkpoint",
            checkpoint.toString(),
            "--rate",
            String.valueOf(RATE),
            "--max-records",
            "500",
            "--progress",
            "plain",
            "--progress-interval",
            "PT0.2S");
    assertThat(first.exit()).as(first.err()).isEqualTo(ReplayCommand.STOPPED);
    JsonNode saved = new ObjectMapper().readTree(checkpoint.toFile());
    long committed = 0;
    for (JsonNode offset : saved.get("committed")) {
      committed += offset.asLong();
    }
    assertThat(committed)
        .as("stopped part of the way: %s", saved)
        .isBetween(500L, given.records() - 500);
    assertThat(saved.get("outputTopic").asText()).isEqualTo(resumed);
    Run second = replay("--checkpoint", checkpoint.toString(), "--progress", "plain");

    // Then the continued replay wrote exactly what the uninterrupted one wrote, each trace once
    assertThat(second.exit()).as(second.err()).isZero();
    assertThat(second.out()).contains("written to " + resumed);
    List<String> expected = keptTraces(whole);
    List<String> actual = keptTraces(resumed);
    assertThat(expected).hasSizeGreaterThan(TRACES / 4);
    assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(new HashSet<>(actual)).hasSameSizeAs(actual);

    // And each run showed its progress
    assertThat(first.err() + second.err())
        .containsPattern(
            "replay: [\\d,]+ records, [\\d,]+ traces read, \\d+\\.\\d % of the range,"
                + " [\\d,]+ records/s, ETA");
    assertThat(second.err()).contains("100.0 % of the range");
  }

  /** Tenant, trace ID and fragment of every kept trace on {@code topic} (read_committed). */
  private static List<String> keptTraces(String topic) {
    Deserializer<SampledTrace> values = given.topics().sampledTraces().valueSerde().deserializer();
    List<String> kept = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      List<TopicPartition> parts =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts);
      while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          SampledTrace t = values.deserialize(topic, r.value());
          kept.add(t.trace().tenant() + "/" + t.trace().traceId() + "/" + t.trace().fragment());
        }
      }
    }
    return kept;
  }
}
