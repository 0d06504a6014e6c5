package io.spanline.storage.archive;

import io.spanline.service.retention.TenantRetention;
import io.spanline.service.tenancy.TenantLimitsFile;
import io.spanline.storage.archive.internal.s3.S3Objects;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntConsumer;
import java.util.function.ObjIntConsumer;
import java.util.function.Supplier;
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
 *
 * <p>A tenant whose {@code cold-retention-days} (tenant-limits file, read at each sweep) is shorter
 * keeps that many days instead; the global retention is the longest any tenant keeps (a longer
 * tenant value is lowered to it).
 */
public final class RetentionSweep implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(RetentionSweep.class);

  private final S3Client s3;
  private final String bucket;
  private final ArchiveLayout layout;
  private final TenantRetention retention;
  private final IntConsumer deleted;
  private final ObjIntConsumer<String> deletedOfTenant;
  private final Runnable failed;

  /**
   * Without per-tenant retention.
   *
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
    this(
        s3,
        bucket,
        layout,
        retention,
        clock,
        () -> TenantLimitsFile.EMPTY,
        deleted,
        (tenant, objects) -> {},
        () -> {});
  }

  /**
   * @param retention whole days every tenant keeps at most
   * @param tenantLimits the tenant limits in force, read at each sweep ({@code
   *     cold-retention-days})
   * @param deleted told how many objects each sweep deleted
   * @param deletedOfTenant told, per tenant with objects deleted, how many a sweep deleted
   * @param failed told each time a sweep failed (S3 refused or unreachable; the next sweep tries
   *     again), e.g. a counter an alert watches
   * @throws IllegalArgumentException if the retention is shorter than a day
   */
  public RetentionSweep(
      S3Client s3,
      String bucket,
      ArchiveLayout layout,
      Duration retention,
      Clock clock,
      Supplier<TenantLimitsFile> tenantLimits,
      IntConsumer deleted,
      ObjIntConsumer<String> deletedOfTenant,
      Runnable failed) {
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.bucket = Objects.requireNonNull(bucket, "bucket");
    this.layout = Objects.requireNonNull(layout, "layout");
    this.retention =
        new TenantRetention(
            retention, clock, tenantLimits, TenantLimitsFile.Limits::coldRetentionDays);
    this.deleted = Objects.requireNonNull(deleted, "deleted");
    this.deletedOfTenant = Objects.requireNonNull(deletedOfTenant, "deletedOfTenant");
    this.failed = Objects.requireNonNull(failed, "failed");
  }

  /** The first day kept by the global retention: no tenant keeps partitions of earlier days. */
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
    List<String> expired = new ArrayList<>();
    Map<String, String> tenantOf = new HashMap<>();
    Map<String, LocalDate> firstKeptOf = new HashMap<>();
    String tenantsRoot = layout.root() + "tenant=";
    for (String tenant : S3Objects.folders(s3, bucket, layout.root())) {
      if (!tenant.startsWith(tenantsRoot)) {
        continue;
      }
      String tenantId =
          ArchiveLayout.decodeTenant(tenant.substring(tenantsRoot.length(), tenant.length() - 1));
      LocalDate firstKept = retention.firstDayKept(tenantId);
      firstKeptOf.put(tenantId, firstKept);
      for (String date : S3Objects.folders(s3, bucket, tenant)) {
        String name = date.substring(tenant.length(), date.length() - 1);
        if (!name.startsWith("date=")) {
          continue;
        }
        try {
          if (LocalDate.parse(name.substring(5)).isBefore(firstKept)) {
            expired.add(date);
            tenantOf.put(date, tenantId);
          }
        } catch (DateTimeParseException e) {
          // not a partition of ours
        }
      }
    }
    int objects = 0;
    Map<String, Integer> ofTenant = new LinkedHashMap<>();
    for (String folder : expired) {
      int n = deleteAll(folder);
      objects += n;
      String tenant = tenantOf.get(folder);
      ofTenant.merge(tenant, n, Integer::sum);
      LOG.info(
          "Retention: deleted {} (older than {}, tenant {})",
          folder,
          firstKeptOf.get(tenant),
          tenant);
    }
    deleted.accept(objects);
    ofTenant.forEach(
        (tenant, n) -> {
          if (n > 0) {
            deletedOfTenant.accept(tenant, n);
          }
        });
    return expired;
  }

  /** For a scheduler: runs {@link #sweep()}, logging instead of throwing. */
  @Override
  public void run() {
    try {
      sweep();
    } catch (RuntimeException e) {
      failed.run();
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
