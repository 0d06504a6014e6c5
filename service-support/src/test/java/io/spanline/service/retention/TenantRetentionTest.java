package io.spanline.service.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.service.tenancy.TenantLimitsFile;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class TenantRetentionTest {
  private static final Clock NOON_22_NOV =
      Clock.fixed(Instant.parse("2026-11-22T12:00:00Z"), ZoneOffset.UTC);

  @Test
  void aTenantKeepsItsOwnDays_neverMoreThanTheGlobal_andTheDefaultsApplyToTheOthers() {
    // Given a global retention of 10 days and a file shortening some tenants
    AtomicReference<TenantLimitsFile> file =
        new AtomicReference<>(
            TenantLimitsFile.parse(
                """
                defaults:
                  hot-retention-days: 5
                overrides:
                  short: {hot-retention-days: 2}
                  long: {hot-retention-days: 30}
                  same: {hot-retention-days: 10}
                  other: {cold-retention-days: 1}
                """));
    TenantRetention retention =
        new TenantRetention(
            Duration.ofDays(10), NOON_22_NOV, file::get, TenantLimitsFile.Limits::hotRetentionDays);

    // Then each tenant's first day kept follows its days, at most the global 10
    assertThat(retention.firstDayKept()).isEqualTo(LocalDate.parse("2026-11-13"));
    assertThat(retention.firstDayKept("short")).isEqualTo(LocalDate.parse("2026-11-21"));
    assertThat(retention.firstDayKept("long")).isEqualTo(LocalDate.parse("2026-11-13"));
    assertThat(retention.firstDayKept("same")).isEqualTo(LocalDate.parse("2026-11-13"));
    assertThat(retention.firstDayKept("other")).isEqualTo(LocalDate.parse("2026-11-18"));
    assertThat(retention.firstDayKept("anyone")).isEqualTo(LocalDate.parse("2026-11-18"));

    // and the plan names the shortened tenants, the others' day and who set their own value
    TenantRetention.Plan plan = retention.plan();
    assertThat(plan.globalFirstKept()).isEqualTo(LocalDate.parse("2026-11-13"));
    assertThat(plan.shortened()).isEqualTo(Map.of("short", LocalDate.parse("2026-11-21")));
    assertThat(plan.others()).contains(LocalDate.parse("2026-11-18"));
    assertThat(plan.ownValue()).isEqualTo(Set.of("short", "long", "same"));

    // When the file is reloaded without the defaults
    file.set(TenantLimitsFile.parse("overrides:\n  short: {hot-retention-days: 1}\n"));

    // Then the next plan follows it
    assertThat(retention.plan().others()).isEmpty();
    assertThat(retention.plan().shortened())
        .isEqualTo(Map.of("short", LocalDate.parse("2026-11-22")));
    assertThat(retention.firstDayKept("anyone")).isEqualTo(LocalDate.parse("2026-11-13"));
  }
}
