package io.spanline.storage.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.junit.UniqueNames;
import io.spanline.localinfra.s3.LocalS3;
import io.spanline.service.tenancy.TenantLimitsFile;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

@ExtendWith(LocalInfraExtension.class)
class RetentionSweepIT {
  private static final Clock NOON_22_NOV =
      Clock.fixed(Instant.parse("2026-11-22T12:00:00Z"), ZoneOffset.UTC);

  @Test
  void sweepsAndCompactionsS3Refuses_areCountedAsFailures(LocalS3 server) {
    S3Settings settings =
        new S3Settings(
            Optional.of(server.endpoint()),
            LocalS3.REGION,
            true,
            LocalS3.ACCESS_KEY,
            LocalS3.SECRET_KEY);
    try (S3Client s3 = S3Clients.create(settings)) {
      // Given a bucket that does not exist (deleted under the sink, or a wrong setting)
      String missing = UniqueNames.unique("missing");
      ArchiveLayout layout = new ArchiveLayout("spans");
      AtomicInteger failures = new AtomicInteger();

      // When a scheduled sweep and a scheduled compaction run against it
      new RetentionSweep(
              s3,
              missing,
              layout,
              Duration.ofDays(30),
              NOON_22_NOV,
              () -> TenantLimitsFile.EMPTY,
              n -> {},
              (tenant, n) -> {},
              failures::incrementAndGet)
          .run();
      assertThat(failures).hasValue(1);
      new ArchiveCompactor(
              s3,
              missing,
              layout,
              new ArchiveCompactor.Settings(
                  1 << 20,
                  1 << 20,
                  64 << 10,
                  64L << 20,
                  16L << 20,
                  Path.of("target", "compaction-failure"),
                  Duration.ofMinutes(10)),
              NOON_22_NOV,
              (step, folder) -> {},
              n -> {},
              failures::incrementAndGet)
          .run();

      // Then each failure is counted (and logged), and neither throws into the scheduler
      assertThat(failures).hasValue(2);
    }
  }

  @Test
  void deletesDatePartitionsOlderThanTheRetention_forEveryTenant_andNothingElse(LocalS3 server) {
    String bucket = UniqueNames.unique("retention");
    ArchiveLayout layout = new ArchiveLayout("spans");
    S3Settings settings =
        new S3Settings(
            Optional.of(server.endpoint()),
            LocalS3.REGION,
            true,
            LocalS3.ACCESS_KEY,
            LocalS3.SECRET_KEY);
    try (S3Client s3 = S3Clients.create(settings)) {
      s3.createBucket(b -> b.bucket(bucket));
      // Given files of several days and tenants, and keys that are not archive partitions
      List<String> expired =
          List.of(
              layout.fileKey("acme", at("2026-10-01T03:00"), 0, 0, 9),
              layout.fileKey("acme", at("2026-10-22T23:00"), 1, 10, 19),
              layout.fileKey("acme", at("2026-10-22T05:00"), 2, 0, 5),
              layout.fileKey("globex", at("2026-10-20T00:00"), 0, 0, 1));
      List<String> kept =
          List.of(
              layout.fileKey("acme", at("2026-10-24T00:00"), 0, 10, 20),
              layout.fileKey("globex", at("2026-11-22T11:00"), 0, 2, 3),
              layout.root() + "tenant=acme/date=someday/hour=01/x.parquet",
              "other/tenant=acme/date=2020-01-01/hour=00/0-0-1.parquet",
              "README.txt");
      for (String key : concat(expired, kept)) {
        s3.putObject(p -> p.bucket(bucket).key(key), RequestBody.fromString("x"));
      }

      // When the sweep runs on 22 November with a retention of 30 days
      AtomicInteger deleted = new AtomicInteger();
      RetentionSweep sweep =
          new RetentionSweep(
              s3, bucket, layout, Duration.ofDays(30), NOON_22_NOV, deleted::addAndGet);
      List<String> folders = sweep.sweep();

      // Then the date partitions before 24 October are gone, everything else stays
      assertThat(sweep.firstDayKept()).hasToString("2026-10-24");
      assertThat(folders)
          .containsExactlyInAnyOrder(
              "spans/tenant=acme/date=2026-10-01/",
              "spans/tenant=acme/date=2026-10-22/",
              "spans/tenant=globex/date=2026-10-20/");
      assertThat(deleted).hasValue(4);
      assertThat(s3.listObjectsV2Paginator(l -> l.bucket(bucket)).contents())
          .extracting(S3Object::key)
          .containsExactlyInAnyOrderElementsOf(kept);
      assertThat(sweep.sweep()).isEmpty();
    }
  }

  @Test
  void aTenantWithAShorterColdRetention_losesItsOlderDateFolders_andTheOthersKeepTheirs(
      LocalS3 server) {
    String bucket = UniqueNames.unique("retention");
    ArchiveLayout layout = new ArchiveLayout("spans");
    S3Settings settings =
        new S3Settings(
            Optional.of(server.endpoint()),
            LocalS3.REGION,
            true,
            LocalS3.ACCESS_KEY,
            LocalS3.SECRET_KEY);
    try (S3Client s3 = S3Clients.create(settings)) {
      s3.createBucket(b -> b.bucket(bucket));
      // Given a global retention of 30 days, 'short' keeping 7, 'long' asking for 90 (more than
      // the global) and every other tenant (such as 'plain' and 'we/ird', whose folder name is
      // encoded) the defaults' 14, with files of several days each
      AtomicReference<TenantLimitsFile> limits =
          new AtomicReference<>(
              TenantLimitsFile.parse(
                  """
                  defaults:
                    cold-retention-days: 14
                  overrides:
                    short: {cold-retention-days: 7}
                    long: {cold-retention-days: 90, hot-retention-days: 1}
                  """));
      List<String> days = List.of("2026-10-01", "2026-11-01", "2026-11-10", "2026-11-20");
      for (String tenant : List.of("short", "long", "plain", "we/ird")) {
        for (String day : days) {
          s3.putObject(
              p -> p.bucket(bucket).key(layout.fileKey(tenant, at(day + "T05:00"), 0, 0, 9)),
              RequestBody.fromString("x"));
          s3.putObject(
              p -> p.bucket(bucket).key(layout.fileKey(tenant, at(day + "T06:00"), 0, 10, 19)),
              RequestBody.fromString("x"));
        }
      }

      // When the sweep runs on 22 November
      AtomicInteger deleted = new AtomicInteger();
      Map<String, Integer> ofTenant = new ConcurrentHashMap<>();
      RetentionSweep sweep =
          new RetentionSweep(
              s3,
              bucket,
              layout,
              Duration.ofDays(30),
              NOON_22_NOV,
              limits::get,
              deleted::addAndGet,
              (tenant, n) -> ofTenant.merge(tenant, n, Integer::sum),
              () -> {});
      List<String> folders = sweep.sweep();

      // Then every tenant loses 1 October (past the global 30 days), 'short' also 1 and 10
      // November (kept from 16 November), 'plain' and 'we/ird' also 1 November (kept from 9
      // November)
      assertThat(folders)
          .containsExactlyInAnyOrder(
              "spans/tenant=short/date=2026-10-01/",
              "spans/tenant=short/date=2026-11-01/",
              "spans/tenant=short/date=2026-11-10/",
              "spans/tenant=we%2Fird/date=2026-10-01/",
              "spans/tenant=we%2Fird/date=2026-11-01/",
              "spans/tenant=plain/date=2026-10-01/",
              "spans/tenant=plain/date=2026-11-01/",
              "spans/tenant=long/date=2026-10-01/");
      assertThat(deleted).hasValue(16);
      assertThat(ofTenant).isEqualTo(Map.of("short", 6, "we/ird", 4, "plain", 4, "long", 2));
      assertThat(days(s3, bucket, layout, "short")).containsExactly("2026-11-20");
      assertThat(days(s3, bucket, layout, "plain")).containsExactly("2026-11-10", "2026-11-20");
      assertThat(days(s3, bucket, layout, "long"))
          .containsExactly("2026-11-01", "2026-11-10", "2026-11-20");
      assertThat(sweep.sweep()).isEmpty();

      // When a reload shortens 'long' to 5 days, the next sweep applies it
      limits.set(TenantLimitsFile.parse("overrides:\n  long: {cold-retention-days: 5}\n"));
      assertThat(sweep.sweep())
          .containsExactlyInAnyOrder(
              "spans/tenant=long/date=2026-11-01/", "spans/tenant=long/date=2026-11-10/");
      assertThat(days(s3, bucket, layout, "long")).containsExactly("2026-11-20");
      assertThat(days(s3, bucket, layout, "plain")).containsExactly("2026-11-10", "2026-11-20");
    }
  }

  /** The days of a tenant's date folders holding objects, in order. */
  private static List<String> days(
      S3Client s3, String bucket, ArchiveLayout layout, String tenant) {
    return s3
        .listObjectsV2Paginator(l -> l.bucket(bucket).prefix(layout.tenantFolder(tenant)))
        .contents()
        .stream()
        .map(
            o ->
                o.key()
                    .substring(
                        layout.tenantFolder(tenant).length() + 5,
                        layout.tenantFolder(tenant).length() + 15))
        .distinct()
        .sorted()
        .toList();
  }

  private static LocalDateTime at(String iso) {
    return LocalDateTime.parse(iso);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }
}
