package io.spanline.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.spanline.archive.testing.ArchiveSinkHarness;
import io.spanline.localinfra.Probe;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.localinfra.s3.LocalS3;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.testing.TraceBuilder;
import io.spanline.storage.archive.ArchiveLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The archive sink applying the tenant-limits file's {@code cold-retention-days} through its
 * retention sweep, against real Kafka, schema registry and S3Proxy, with a reload while it runs.
 */
@ExtendWith(LocalInfraExtension.class)
class TenantColdRetentionIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void theSweepDeletesATenantsFoldersPastItsColdRetention_andFollowsAReload(
      LocalKafka kafka, LocalSchemaRegistry registry, LocalS3 s3) throws Exception {
    // Given a global retention of 30 days, 'short' keeping 7, and files of 'short' and 'plain'
    // from today and from 10 days ago
    Path file = dir.resolve("tenant-limits.yaml");
    Files.writeString(file, "overrides:\n  short: {cold-retention-days: 7}\n");
    try (ArchiveSinkHarness h =
        ArchiveSinkHarness.create(
            kafka,
            registry,
            s3,
            dir.resolve("work"),
            1,
            Map.of(
                "retention.days", "30",
                "retention.interval.ms", "300",
                "tenant-limits.file", file.toString(),
                "tenant-limits.reload.interval.ms", "200"))) {
      ArchiveLayout layout = h.config().layout();
      LocalDate today = LocalDate.now(ZoneOffset.UTC);
      LocalDateTime old = today.minusDays(10).atTime(3, 0);
      LocalDateTime recent = today.atStartOfDay();
      for (String tenant : List.of("short", "plain")) {
        for (LocalDateTime hour : List.of(old, recent)) {
          h.s3()
              .putObject(
                  p -> p.bucket(h.config().bucket()).key(layout.fileKey(tenant, hour, 0, 0, 9)),
                  RequestBody.fromString("x"));
        }
      }

      // When the sink runs
      try (ArchiveSinkApp app = h.startSink()) {
        // Then the sweep deletes 'short''s old folder only, and counts it for 'short'
        Probe.until(
            "short's folder of 10 days ago swept",
            WAIT,
            Duration.ofMillis(100),
            () -> !keys(h).contains(layout.fileKey("short", old, 0, 0, 9)));
        assertThat(keys(h))
            .containsExactlyInAnyOrder(
                layout.fileKey("short", recent, 0, 0, 9),
                layout.fileKey("plain", old, 0, 0, 9),
                layout.fileKey("plain", recent, 0, 0, 9));
        Counter shortDeleted =
            app.metrics()
                .registry()
                .get("spanline.archive.retention.tenant.deleted.objects")
                .tag("tenant", "short")
                .counter();
        assertThat(shortDeleted.count()).isEqualTo(1);

        // When the file's defaults shorten every other tenant to 5 days
        Files.writeString(
            file,
            "defaults:\n  cold-retention-days: 5\noverrides:\n  short: {cold-retention-days: 7}\n");

        // Then a following sweep deletes 'plain''s old folder too, and nothing of today
        Probe.until(
            "plain's folder of 10 days ago swept after the reload",
            WAIT,
            Duration.ofMillis(100),
            () -> !keys(h).contains(layout.fileKey("plain", old, 0, 0, 9)));
        assertThat(keys(h))
            .containsExactlyInAnyOrder(
                layout.fileKey("short", recent, 0, 0, 9), layout.fileKey("plain", recent, 0, 0, 9));
        assertThat(shortDeleted.count()).isEqualTo(1);
      }
    }
  }

  @Test
  void spansOlderThanATenantsColdRetention_areNotArchived_andCountedAsOutOfItsWindow(
      LocalKafka kafka, LocalSchemaRegistry registry, LocalS3 s3) throws Exception {
    // Given the harness's 3650 days (the test traces start in 2025) and 'brief' keeping 30
    Path file = dir.resolve("brief.yaml");
    Files.writeString(file, "overrides:\n  brief: {cold-retention-days: 30}\n");
    try (ArchiveSinkHarness h =
        ArchiveSinkHarness.create(
            kafka,
            registry,
            s3,
            dir.resolve("work-brief"),
            1,
            Map.of("tenant-limits.file", file.toString(), "roll.max.age.ms", "500"))) {
      try (ArchiveSinkApp app = h.startSink()) {
        // When a trace of 'brief' and one of 'plain' arrive
        h.send(
            List.of(
                ArchiveSinkHarness.kept(trace("brief")), ArchiveSinkHarness.kept(trace("plain"))));
        h.awaitAllCommitted(WAIT);

        // Then only plain's is archived, and brief's 2 spans count as out of its window
        assertThat(keys(h))
            .anyMatch(k -> k.startsWith(h.config().layout().tenantFolder("plain")))
            .noneMatch(k -> k.startsWith(h.config().layout().tenantFolder("brief")));
        assertThat(
                app.metrics()
                    .registry()
                    .get("spanline.archive.spans.out_of_window")
                    .tag("tenant", "brief")
                    .counter()
                    .count())
            .isEqualTo(2);
      }
    }
  }

  private static AssembledTrace trace(String tenant) {
    return TraceBuilder.trace()
        .tenant(tenant)
        .root("frontend", "GET /", 100)
        .child("db", "SELECT", 10)
        .build();
  }

  private static List<String> keys(ArchiveSinkHarness h) {
    return h.allObjects().stream().map(S3Object::key).toList();
  }
}
