package io.spanline.sampling.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.sampling.config.SamplingConfigLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Arguments are checked before Kafka is contacted; mistakes exit with code 2 and say why. */
class ReplayCommandTest {
  @TempDir Path dir;

  private int run(ByteArrayOutputStream err, String... args) {
    PrintStream previous = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      return ReplayCommand.run(
          SamplingConfigLoader.load(Map.of(), Map.of()),
          new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
          args);
    } finally {
      System.setErr(previous);
    }
  }

  @Test
  void anInvalidPolicyFileIsRefusedWithLineAndField() throws Exception {
    Path policy =
        Files.writeString(dir.resolve("p.yaml"), "policies:\n  - {name: x, type: nope}\n");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        run(
            err,
            "--policy",
            policy.toString(),
            "--from",
            "2026-11-22T10:00:00Z",
            "--to",
            "2026-11-22T11:00:00Z",
            "--dry-run");
    assertThat(exit).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("line 2")
        .contains("policies[0].type");
  }

  @Test
  void aReplayNeedsAnOutputTopicOtherThanTheLiveOne() throws Exception {
    Path policy =
        Files.writeString(dir.resolve("p.yaml"), "policies: [{name: a, type: always_sample}]");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertThat(
            run(
                err,
                "--policy",
                policy.toString(),
                "--from",
                "2026-11-22T10:00:00Z",
                "--to",
                "2026-11-22T11:00:00Z"))
        .isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--output-topic is required");
    ByteArrayOutputStream err2 = new ByteArrayOutputStream();
    assertThat(
            run(
                err2,
                "--policy",
                policy.toString(),
                "--from",
                "2026-11-22T10:00:00Z",
                "--to",
                "2026-11-22T11:00:00Z",
                "--output-topic",
                "spanline.traces.sampled"))
        .isEqualTo(2);
    assertThat(err2.toString(StandardCharsets.UTF_8)).contains("must not be the live");
  }

  @Test
  void anEmptyOrReversedRangeIsRefused() throws Exception {
    Path policy =
        Files.writeString(dir.resolve("p.yaml"), "policies: [{name: a, type: always_sample}]");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertThat(
            run(
                err,
                "--policy",
                policy.toString(),
                "--from",
                "2026-11-22T11:00:00Z",
                "--to",
                "2026-11-22T10:00:00Z",
                "--dry-run"))
        .isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--to must be after --from");
    ByteArrayOutputStream err2 = new ByteArrayOutputStream();
    assertThat(
            run(
                err2,
                "--policy",
                policy.toString(),
                "--from",
                "yesterday",
                "--to",
                "2026-11-22T10:00:00Z",
                "--dry-run"))
        .isEqualTo(2);
    assertThat(err2.toString(StandardCharsets.UTF_8)).contains("--from");
  }
}
