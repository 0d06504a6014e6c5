package io.spanline.storage.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.junit.UniqueNames;
import io.spanline.localinfra.s3.LocalS3;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
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

  private static LocalDateTime at(String iso) {
    return LocalDateTime.parse(iso);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }
}
