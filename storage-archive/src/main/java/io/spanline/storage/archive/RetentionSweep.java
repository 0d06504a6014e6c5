package io.spanline.storage.archive;

import io.spanline.service.retention.DailyRetention;
import io.spanline.storage.archive.internal.s3.S3Objects;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Cold retention for stores without lifecycle rules (S3Proxy, some S3-compatible servers): deletes
 * every {@code date=} partition older than the retention, for every tenant. With a retention of N
 * days, on UTC day D the partitions of days before D − N + 1 go, so N whole days (today included)
 * stay. Only keys under this layout's {@code tenant=.../date=YYYY-MM-DD/} folders are touched. On
 * AWS S3, a bucket lifecycle rule expiring objects under the prefix does the same without the sink
 * (see the README); the sweep then finds nothing to delete.
 */
public final class RetentionSweep implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(RetentionSweep.class);

  private final S3Client s3;
  private final String bucket;
  private final ArchiveLayout layout;
  private final DailyRetention retention;
  private final IntConsumer deleted;

  /**
   * @param deleted told how many objects each sweep deleted
   * @throws IllegalArgumentException if the retention is shorter than a day
   */
  public RetentionSweep(
      S3Client s3,
      String bucket,
      ArchiveLayout layout,
      Duration retention,
      Clock clock,
      IntConsumer deleted) {
    this.s3 = s3;
    this.bucket = bucket;
    this.layout = layout;
    this.retention = new DailyRetention(retention, clock);
    this.deleted = deleted;
  }

  /** The first day kept: partitions of earlier days are deleted. */
  LocalDate firstDayKept() {
    return retention.firstDayKept();
  }

  /**
   * Deletes the expired partitions now.
   *
   * @return the {@code date=} folders deleted
   * @throws SdkException if S3 cannot be listed or refuses a delete
   */
  List<String> sweep() {
    LocalDate firstKept = firstDayKept();
    List<String> expired = new ArrayList<>();
    for (String tenant : S3Objects.folders(s3, bucket, layout.root())) {
      if (!tenant.startsWith(layout.root() + "tenant=")) {
        continue;
      }
      for (String date : S3Objects.folders(s3, bucket, tenant)) {
        String name = date.substring(tenant.length(), date.length() - 1);
        if (!name.startsWith("date=")) {
          continue;
        }
        try {
          if (LocalDate.parse(name.substring(5)).isBefore(firstKept)) {
            expired.add(date);
          }
        } catch (DateTimeParseException e) {
          // not a partition of ours
        }
      }
    }
    int objects = 0;
    for (String folder : expired) {
      objects += deleteAll(folder);
      LOG.info("Retention: deleted {} (older than {})", folder, firstKept);
    }
    deleted.accept(objects);
    return expired;
  }

  /** For a scheduler: runs {@link #sweep()}, logging instead of throwing. */
  @Override
  public void run() {
    try {
      sweep();
    } catch (RuntimeException e) {
      LOG.warn("Retention sweep failed; the next run tries again: {}", e.toString());
    }
  }

  private int deleteAll(String folder) {
    List<String> keys = new ArrayList<>();
    for (S3Object o : s3.listObjectsV2Paginator(l -> l.bucket(bucket).prefix(folder)).contents()) {
      keys.add(o.key());
    }
    return S3Objects.deleteAll(s3, bucket, keys);
  }
}
