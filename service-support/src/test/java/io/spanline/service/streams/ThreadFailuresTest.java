package io.spanline.service.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.Test;

class ThreadFailuresTest {
  private Instant now = Instant.parse("2026-12-02T10:00:00Z");
  private final Clock clock =
      new Clock() {
        @Override
        public Instant instant() {
          return now;
        }

        @Override
        public java.time.ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }
      };
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ThreadFailures failures =
      new ThreadFailures(clock, 3, Duration.ofMinutes(5), registry);

  private static StreamsException lockHeld() {
    return new StreamsException(
        new ProcessorStateException("Error opening store decisions.1764669600000: lock hold"));
  }

  @Test
  void failuresBelowTheThreshold_areCountedButLeaveTheAppReady() {
    failures.record(lockHeld());
    now = now.plusSeconds(45);
    failures.record(lockHeld());

    assertThat(failures.problem()).isEmpty();
    assertThat(
            registry
                .get("spanline.streams.thread.failures")
                .tag("exception", "ProcessorStateException")
                .counter()
                .count())
        .isEqualTo(2);
  }

  @Test
  void aThreadReplacedAgainAndAgain_makesTheAppUnready_namingTheRootCause() {
    for (int i = 0; i < 3; i++) {
      failures.record(lockHeld());
      now = now.plusSeconds(45);
    }

    assertThat(failures.problem())
        .hasValueSatisfying(
            p ->
                assertThat(p)
                    .contains("failed 3 times in the last 300 s")
                    .contains("ProcessorStateException: Error opening store decisions"));
  }

  @Test
  void failuresOlderThanTheWindow_stopCounting_soTheAppRecovers() {
    for (int i = 0; i < 3; i++) {
      failures.record(lockHeld());
    }
    assertThat(failures.problem()).isPresent();

    now = now.plus(Duration.ofMinutes(5)).plusSeconds(1);

    assertThat(failures.problem()).isEmpty();
  }

  @Test
  void rejectsAThresholdBelowOne() {
    assertThatThrownBy(() -> new ThreadFailures(clock, 0, Duration.ofMinutes(1), registry))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("threshold");
  }
}
