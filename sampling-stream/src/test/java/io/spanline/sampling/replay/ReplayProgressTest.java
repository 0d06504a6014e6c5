package io.spanline.sampling.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.service.process.ProgressLine;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The progress line, on a clock the test moves. */
class ReplayProgressTest {
  private static final Instant FROM = Instant.parse("2026-11-22T10:00:00Z");
  private static final Instant TO = FROM.plusSeconds(100);

  private long now;

  private ReplayProgress progress(ByteArrayOutputStream err, ProgressLine.Mode mode) {
    return new ReplayProgress(
        new PrintStream(err, true, StandardCharsets.UTF_8),
        mode,
        Duration.ofSeconds(1),
        () -> now,
        FROM,
        TO,
        0,
        0,
        1_000,
        List.of(0, 1),
        2);
  }

  @Test
  void theLineShowsRecordsTracesShareOfTheRangeRateAndTimeLeft() {
    // Given two partitions and 1 000 records to read
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ReplayProgress p = progress(err, ProgressLine.Mode.PLAIN);

    // When 250 records (200 of them traces) are read in 2 s, partition 0 up to 50 s into the
    // range and partition 1 up to 30 s
    for (int i = 0; i < 250; i++) {
      now = i * 8_000_000L;
      p.record(i % 2, FROM.plusSeconds(i % 2 == 0 ? 50 : 30).toEpochMilli(), i % 5 != 0);
    }
    now = 2_000_000_000L;

    // Then the line has 250 records, 200 traces, 40 % of the range, 125 records/s, 6 s left
    assertThat(p.line(now))
        .isEqualTo(
            "replay: 250 records, 200 traces read, 40.0 % of the range, 125 records/s,"
                + " ETA 0:00:06");
  }

  @Test
  void plainModePrintsALinePerIntervalAndTerminalModeRewritesOneLine() {
    // Given the same reads shown plainly and on a terminal
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    ByteArrayOutputStream terminal = new ByteArrayOutputStream();
    ReplayProgress a = progress(plain, ProgressLine.Mode.PLAIN);
    ReplayProgress b = progress(terminal, ProgressLine.Mode.TERMINAL);

    // When a record is read every 300 ms for 3 s, then the run ends
    for (int i = 1; i <= 10; i++) {
      now = i * 300_000_000L;
      a.record(0, FROM.toEpochMilli(), true);
      b.record(0, FROM.toEpochMilli(), true);
    }
    a.finish();
    b.finish();

    // Then plain output has a line each time a second has passed (at 1.2 s and 2.4 s) and a last
    // one; the terminal gets the same three as one line rewritten in place, ended once
    assertThat(plain.toString(StandardCharsets.UTF_8).lines())
        .hasSize(3)
        .allMatch(l -> l.startsWith("replay: "));
    String t = terminal.toString(StandardCharsets.UTF_8);
    assertThat(t.chars().filter(c -> c == '\r')).hasSize(3);
    assertThat(t.chars().filter(c -> c == '\n')).hasSize(1);
    assertThat(t).startsWith("\rreplay: ").endsWith(System.lineSeparator());
  }
}
