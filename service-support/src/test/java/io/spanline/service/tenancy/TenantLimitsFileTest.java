package io.spanline.service.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TenantLimitsFileTest {
  private static final String FILE =
      """
      defaults:
        ingest-spans-per-second: 1000
        max-open-traces: 5000
        query-max-results: 200
      overrides:
        acme:
          ingest-spans-per-second: 20000
          query-concurrency: 4
        globex: {}
      """;

  @Test
  void aTenantsOverrideWins_andEveryKeyItLeavesOutComesFromTheDefaults() {
    TenantLimitsFile file = TenantLimitsFile.parse(FILE);

    TenantLimitsFile.Limits acme = file.forTenant("acme");
    assertThat(acme.ingestSpansPerSecond()).hasValue(20000);
    assertThat(acme.queryConcurrency()).hasValue(4);
    assertThat(acme.maxOpenTraces()).hasValue(5000);
    assertThat(acme.queryMaxResults()).hasValue(200);
    assertThat(acme.ingestBytesPerSecond()).isEmpty();

    assertThat(file.forTenant("globex")).isEqualTo(file.defaults());
    assertThat(file.forTenant("initech").ingestSpansPerSecond()).hasValue(1000);
    assertThat(file.forTenant("initech").maxBytesPerTrace()).isEmpty();
  }

  @Test
  void anEmptyFileSetsNothing() {
    assertThat(TenantLimitsFile.parse("")).isEqualTo(TenantLimitsFile.EMPTY);
    assertThat(TenantLimitsFile.parse("defaults:\n").forTenant("x"))
        .isEqualTo(TenantLimitsFile.Limits.NONE);
  }

  @Test
  void badFiles_areRefusedNamingTheKeyAndValue() {
    assertThatThrownBy(() -> TenantLimitsFile.parse("defaults:\n  ingest-spans-per-secnd: 5\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown key 'defaults.ingest-spans-per-secnd'")
        .hasMessageContaining("ingest-spans-per-second");
    assertThatThrownBy(
            () -> TenantLimitsFile.parse("overrides:\n  acme:\n    max-open-traces: 0\n"))
        .hasMessageContaining("max-open-traces=0")
        .hasMessageContaining(">= 1");
    assertThatThrownBy(() -> TenantLimitsFile.parse("defaults:\n  query-concurrency: lots\n"))
        .hasMessageContaining("line 2")
        .hasMessageContaining("defaults.query-concurrency");
    assertThatThrownBy(() -> TenantLimitsFile.parse("defaults:\n  query-concurrency: 1.5\n"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TenantLimitsFile.parse("overrides:\n  'bad tenant': {}\n"))
        .hasMessageContaining("not a tenant ID");
    assertThatThrownBy(() -> TenantLimitsFile.parse("limits: {}\n"))
        .hasMessageContaining("unknown key 'limits'");
  }

  @Test
  void storageKeys_indexedAttributesReplaceTheDefaultsList_andRetentionDaysComeFromTheDefaults() {
    TenantLimitsFile file =
        TenantLimitsFile.parse(
            """
            defaults:
              indexed-attributes: [http.route, customer.id]
              hot-retention-days: 7
            overrides:
              acme:
                indexed-attributes: ["*"]
                cold-retention-days: 90
              globex:
                indexed-attributes: []
                hot-retention-days: 2
            """);

    assertThat(file.forTenant("acme").indexedAttributes()).contains(Set.of("*"));
    assertThat(file.forTenant("acme").hotRetentionDays()).hasValue(7);
    assertThat(file.forTenant("acme").coldRetentionDays()).hasValue(90);
    assertThat(file.forTenant("globex").indexedAttributes()).contains(Set.of());
    assertThat(file.forTenant("globex").hotRetentionDays()).hasValue(2);
    assertThat(file.forTenant("initech").indexedAttributes().orElseThrow())
        .containsExactly("http.route", "customer.id");
    assertThat(file.forTenant("initech").coldRetentionDays()).isEmpty();
    assertThat(TenantLimitsFile.parse("defaults: {}\n").forTenant("x").indexedAttributes())
        .isEmpty();
  }

  @Test
  void nonsensicalStorageValues_areRefusedNamingTheKeyAndValue() {
    assertThatThrownBy(() -> TenantLimitsFile.parse("defaults:\n  hot-retention-days: 0\n"))
        .hasMessageContaining("hot-retention-days=0")
        .hasMessageContaining(">= 1");
    assertThatThrownBy(
            () -> TenantLimitsFile.parse("overrides:\n  acme:\n    cold-retention-days: -5\n"))
        .hasMessageContaining("cold-retention-days=-5");
    assertThatThrownBy(() -> TenantLimitsFile.parse("defaults:\n  hot-retention-days: 99999\n"))
        .hasMessageContaining("<= 3660");
    assertThatThrownBy(() -> TenantLimitsFile.parse("defaults:\n  hot-retention-days: 1.5\n"))
        .isInstanceOf(IllegalArgumentException.class);
    for (String bad :
        List.of(
            "['']",
            "['has space']",
            "['.leading']",
            "['trailing.']",
            "['a..b']",
            "['*', http.route]",
            "[null]",
            "['" + "k".repeat(256) + "']")) {
      assertThatThrownBy(
              () -> TenantLimitsFile.parse("defaults:\n  indexed-attributes: " + bad + "\n"))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("indexed-attributes");
    }
    assertThatThrownBy(() -> TenantLimitsFile.parse("defaults:\n  indexed-attributes: 5\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("indexed-attributes");
    assertThatThrownBy(() -> TenantLimitsFile.parse("defaults:\n  hot-retention-dayz: 5\n"))
        .hasMessageContaining("unknown key 'defaults.hot-retention-dayz'")
        .hasMessageContaining("hot-retention-days");
  }

  @Test
  void reloads_aChangedFile_andKeepsTheLastGoodOneWhenTheNewOneIsBad(@TempDir Path dir)
      throws Exception {
    Path path = dir.resolve("limits.yaml");
    Files.writeString(path, FILE);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (TenantLimitsReloader reloader =
        TenantLimitsReloader.start(path, Duration.ofHours(1), registry)) {
      assertThat(reloader.get().forTenant("acme").ingestSpansPerSecond()).hasValue(20000);

      Files.writeString(path, FILE.replace("20000", "30000"));
      assertThat(reloader.reload()).isTrue();
      assertThat(reloader.get().forTenant("acme").ingestSpansPerSecond()).hasValue(30000);

      Files.writeString(path, FILE.replace("20000", "-1"));
      assertThat(reloader.reload()).isFalse();
      assertThat(reloader.get().forTenant("acme").ingestSpansPerSecond()).hasValue(30000);
      assertThat(reloader.reload()).as("the same bad text is refused once").isFalse();

      Files.delete(path);
      assertThat(reloader.reload()).isFalse();
      assertThat(reloader.get().forTenant("acme").ingestSpansPerSecond()).hasValue(30000);

      Files.writeString(path, "defaults:\n  query-concurrency: 2\n");
      assertThat(reloader.reload()).isTrue();
      assertThat(reloader.get().forTenant("acme").queryConcurrency()).isEqualTo(OptionalLong.of(2));
      assertThat(reloader.get().forTenant("acme").ingestSpansPerSecond()).isEmpty();

      assertThat(
              registry
                  .get("spanline.tenant.limits.reloads")
                  .tag("result", "success")
                  .counter()
                  .count())
          .isEqualTo(3);
      assertThat(
              registry
                  .get("spanline.tenant.limits.reloads")
                  .tag("result", "failure")
                  .counter()
                  .count())
          .isEqualTo(2);
    }
  }

  @Test
  void aBadFileAtStartUp_stopsTheStart(@TempDir Path dir) throws Exception {
    Path path = dir.resolve("limits.yaml");
    Files.writeString(path, "defaults:\n  max-open-traces: -3\n");
    assertThatThrownBy(
            () ->
                TenantLimitsReloader.start(path, Duration.ofSeconds(1), new SimpleMeterRegistry()))
        .hasMessageContaining("tenant-limits.file=" + path)
        .hasMessageContaining("max-open-traces=-3");
    assertThatThrownBy(
            () ->
                TenantLimitsReloader.start(
                    dir.resolve("missing.yaml"), Duration.ofSeconds(1), new SimpleMeterRegistry()))
        .hasMessageContaining("missing.yaml");
  }
}
