package io.spanline.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.archive.config.ArchiveSinkConfigLoader;
import io.spanline.index.config.IndexSinkConfigLoader;
import io.spanline.sampling.config.SamplingConfigLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spanline generation create} refuses, before touching Kafka or OpenSearch, a range that is
 * not whole UTC days, not over yet, or past the hot retention, and a name an index cannot carry.
 */
class GenerationCommandTest {
  private static final Clock NOON_4_DEC =
      Clock.fixed(Instant.parse("2026-12-04T12:00:00Z"), ZoneOffset.UTC);

  @TempDir Path dir;

  private record Run(int exit, String err) {}

  private Run create(String name, String from, String to) throws Exception {
    Path policy = Files.writeString(dir.resolve("strict.yaml"), "policies: []\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        new GenerationCommand(
                () -> SamplingConfigLoader.load(Map.of(), Map.of()),
                () -> IndexSinkConfigLoader.load(Map.of(), Map.of()),
                () -> ArchiveSinkConfigLoader.load(Map.of(), Map.of()),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                NOON_4_DEC)
            .commandLine()
            .execute("create", name, "--policy", policy.toString(), "--from", from, "--to", to);
    return new Run(exit, err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void refusesARangeThatIsNotWholeUtcDays() throws Exception {
    Run r = create("g2", "2026-12-01T10:00:00Z", "2026-12-02T00:00:00Z");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("whole UTC days", "midnight UTC");
  }

  @Test
  void refusesADayThatIsNotOverYet() throws Exception {
    Run r = create("g2", "2026-12-04T00:00:00Z", "2026-12-05T00:00:00Z");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("in the future");
  }

  @Test
  void refusesDaysPastTheHotRetention() throws Exception {
    // 7 days of retention on 4 December keep 28 November onwards
    Run r = create("g2", "2026-11-27T00:00:00Z", "2026-11-29T00:00:00Z");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("past the hot retention", "2026-11-28");
  }

  @Test
  void refusesANameThatAnIndexCannotCarry() throws Exception {
    Run r = create("G-2", "2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("Invalid generation name 'G-2'");
  }
}
