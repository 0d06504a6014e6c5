package io.spanline.storage.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;

class ArchiveLayoutTest {
  private final ArchiveLayout layout = new ArchiveLayout("spans");

  @Test
  void keysFollowTheContract() {
    assertThat(layout.fileKey("acme", LocalDateTime.parse("2026-11-22T07:00"), 3, 100, 250))
        .isEqualTo("spans/tenant=acme/date=2026-11-22/hour=07/3-100-250.parquet");
    assertThat(new ArchiveLayout("").fileKey("a", LocalDateTime.parse("2026-01-02T23:00"), 0, 0, 0))
        .isEqualTo("tenant=a/date=2026-01-02/hour=23/0-0-0.parquet");
  }

  @Test
  void parsesItsOwnKeysBack_includingTenantsWithSlashesOrEquals() {
    String key = layout.fileKey("team/a=b", LocalDateTime.parse("2026-11-22T07:00"), 3, 100, 250);

    assertThat(key).contains("tenant=team%2Fa%3Db/");
    assertThat(layout.parse(key))
        .contains(
            new ArchiveLayout.FileKey(
                "team/a=b", LocalDateTime.parse("2026-11-22T07:00"), 3, 100, 250));
    assertThat(layout.parse("spans/tenant=a/date=2026-11-22/hour=07/x.parquet")).isEmpty();
    assertThat(layout.parse("other/tenant=a/date=2026-11-22/hour=07/0-1-2.parquet")).isEmpty();
  }

  @Test
  void listsTheHourFoldersOfARange() {
    long from = nanos("2026-11-22T22:30:00Z");
    long to = nanos("2026-11-23T00:10:00Z");

    assertThat(layout.hourFolders("acme", from, to))
        .containsExactly(
            "spans/tenant=acme/date=2026-11-22/hour=22/",
            "spans/tenant=acme/date=2026-11-22/hour=23/",
            "spans/tenant=acme/date=2026-11-23/hour=00/");
    assertThatThrownBy(() -> layout.hourFolders("acme", to, from)).hasMessageContaining("after");
    assertThat(ArchiveLayout.hourOf(nanos("2026-11-22T22:59:59.999Z")))
        .isEqualTo(LocalDateTime.parse("2026-11-22T22:00"));
  }

  @Test
  void refusesPrefixesWithSlashesAtTheEnds() {
    assertThatThrownBy(() -> new ArchiveLayout("/spans")).hasMessageContaining("'/spans'");
    assertThatThrownBy(() -> new ArchiveLayout("spans/"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static long nanos(String instant) {
    Instant i = Instant.parse(instant);
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }
}
