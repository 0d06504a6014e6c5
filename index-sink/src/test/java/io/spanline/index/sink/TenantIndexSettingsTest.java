package io.spanline.index.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.service.tenancy.TenantLimitsFile;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class TenantIndexSettingsTest {
  private static final Set<String> GLOBAL = Set.of("http.route", "rpc.method");

  @Test
  void aTenantsListReplacesTheGlobalOne_andAReloadedFileIsAnsweredAtOnce() {
    // Given a file giving acme its own list and the others the global one
    AtomicReference<TenantLimitsFile> file =
        new AtomicReference<>(
            TenantLimitsFile.parse("overrides:\n  acme: {indexed-attributes: [customer.id]}\n"));
    TenantIndexSettings settings = new TenantIndexSettings(file::get, GLOBAL, Duration.ofDays(7));

    assertThat(settings.allowlist("acme")).containsExactly("customer.id");
    assertThat(settings.allowlist("globex")).isEqualTo(GLOBAL);
    assertThat(settings.allowlist("acme")).isSameAs(settings.allowlist("acme"));

    // When the file changes: defaults for everyone, acme every key
    file.set(
        TenantLimitsFile.parse(
            "defaults:\n  indexed-attributes: []\noverrides:\n  acme: {indexed-attributes: ['*']}\n"));

    // Then the next answers follow it
    assertThat(settings.allowlist("acme")).containsExactly("*");
    assertThat(settings.allowlist("globex")).isEmpty();
  }

  @Test
  void aTenantsHotRetentionNarrowsTheWindow_neverBeyondTheGlobalRetention() {
    TenantLimitsFile file =
        TenantLimitsFile.parse(
            "overrides:\n  brief: {hot-retention-days: 2}\n  long: {hot-retention-days: 30}\n");
    TenantIndexSettings settings = new TenantIndexSettings(() -> file, GLOBAL, Duration.ofDays(7));

    assertThat(settings.retention("brief")).isEqualTo(Duration.ofDays(2));
    assertThat(settings.retention("long")).isEqualTo(Duration.ofDays(7));
    assertThat(settings.retention("anyone")).isEqualTo(Duration.ofDays(7));
  }

  @Test
  void manyTenantIds_doNotGrowTheCacheWithoutBound() {
    TenantLimitsFile file = TenantLimitsFile.EMPTY;
    TenantIndexSettings settings = new TenantIndexSettings(() -> file, GLOBAL, Duration.ofDays(7));
    for (int i = 0; i < TenantIndexSettings.MAX_CACHED_TENANTS * 3; i++) {
      assertThat(settings.allowlist("t" + i)).isEqualTo(GLOBAL);
    }
    assertThat(settings.cachedTenants())
        .isLessThanOrEqualTo(TenantIndexSettings.MAX_CACHED_TENANTS);
  }
}
