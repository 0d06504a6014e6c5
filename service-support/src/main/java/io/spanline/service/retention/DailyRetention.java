package io.spanline.service.retention;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * A retention of whole UTC days, as Jaeger's index cleaner counts them: with N days, on day D the
 * data of days before D − N + 1 expires, so N days (today included) stay.
 */
public record DailyRetention(Duration retention, Clock clock) {
  /**
   * @throws IllegalArgumentException if the retention is shorter than a day
   */
  public DailyRetention {
    Objects.requireNonNull(retention, "retention");
    Objects.requireNonNull(clock, "clock");
    if (retention.toDays() < 1) {
      throw new IllegalArgumentException("retention must be at least one day, was " + retention);
    }
  }

  /** The first day kept: earlier days have expired. */
  public LocalDate firstDayKept() {
    return LocalDate.now(clock.withZone(ZoneOffset.UTC)).minusDays(retention.toDays() - 1);
  }
}
