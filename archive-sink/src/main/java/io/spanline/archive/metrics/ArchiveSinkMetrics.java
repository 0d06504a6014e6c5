package io.spanline.archive.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The archive sink's meters (Prometheus names in the README): records read, files, bytes and rows
 * archived, upload latency, bytes pending in open rolls, retries, dead letters, paused consumers
 * and retention deletions. Consumer lag comes from the Kafka consumer's own metrics.
 */
public final class ArchiveSinkMetrics {
  private final MeterRegistry registry;
  private final Counter records;
  private final Counter files;
  private final Counter bytes;
  private final Counter rows;
  private final Counter retries;
  private final Counter deletedObjects;
  private final Counter compactedFiles;
  private final Counter compactionFailures;
  private final Counter retentionFailures;
  private final Timer upload;
  private final AtomicLong pendingBytes = new AtomicLong();
  private final AtomicInteger paused = new AtomicInteger();

  public ArchiveSinkMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.records =
        Counter.builder("spanline.archive.records")
            .description("Kafka records (kept traces or fragments) read")
            .register(registry);
    this.files =
        Counter.builder("spanline.archive.files")
            .description("Parquet files uploaded")
            .register(registry);
    this.bytes =
        Counter.builder("spanline.archive.bytes")
            .description("Parquet bytes uploaded")
            .baseUnit("bytes")
            .register(registry);
    this.rows =
        Counter.builder("spanline.archive.rows")
            .description("Rows (spans) uploaded")
            .register(registry);
    this.retries =
        Counter.builder("spanline.archive.retries")
            .description("Roll uploads attempted again after a failure")
            .register(registry);
    this.deletedObjects =
        Counter.builder("spanline.archive.retention.deleted.objects")
            .description("Objects deleted by the retention sweep")
            .register(registry);
    this.compactedFiles =
        Counter.builder("spanline.archive.compaction.replaced.files")
            .description("Data files compaction replaced by larger ones")
            .register(registry);
    this.compactionFailures =
        Counter.builder("spanline.archive.compaction.failures")
            .description("Compaction runs that failed; the next run finishes or redoes their work")
            .register(registry);
    this.retentionFailures =
        Counter.builder("spanline.archive.retention.failures")
            .description("Retention sweeps that failed; the next sweep tries again")
            .register(registry);
    this.upload =
        Timer.builder("spanline.archive.upload")
            .description("Latency of one file's upload (single PUT or whole multipart upload)")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofMinutes(5))
            .register(registry);
    Gauge.builder("spanline.archive.pending.bytes", pendingBytes, AtomicLong::get)
        .description("Record bytes read into open rolls, not yet uploaded")
        .baseUnit("bytes")
        .register(registry);
    Gauge.builder("spanline.archive.paused.consumers", paused, AtomicInteger::get)
        .description("Consumers whose partitions are paused while S3 fails")
        .register(registry);
  }

  /** Meters in a registry of their own, for tests and tools. */
  public static ArchiveSinkMetrics detached() {
    return new ArchiveSinkMetrics(new SimpleMeterRegistry());
  }

  public MeterRegistry registry() {
    return registry;
  }

  public void recordRead(long recordBytes) {
    records.increment();
    pendingBytes.addAndGet(recordBytes);
  }

  /** A roll of {@code recordBytes} was uploaded and committed, or dropped on a rebalance. */
  public void rollDone(long recordBytes) {
    pendingBytes.addAndGet(-recordBytes);
  }

  public void fileUploaded(long fileBytes, long fileRows, Duration took) {
    files.increment();
    bytes.increment(fileBytes);
    rows.increment(fileRows);
    upload.record(took);
  }

  /** Files one compaction run replaced. */
  public void compacted(long files) {
    compactedFiles.increment(files);
  }

  /** A compaction run failed (the compactor logs why). */
  public void compactionFailed() {
    compactionFailures.increment();
  }

  /** A retention sweep failed (the sweep logs why). */
  public void retentionFailed() {
    retentionFailures.increment();
  }

  /** Files compaction replaced so far. */
  public double filesCompacted() {
    return compactedFiles.count();
  }

  public void retried() {
    retries.increment();
  }

  /** Spans left out of the archive because their start time is outside the accepted window. */
  public void outOfWindow(String tenant, int spans) {
    Counter.builder("spanline.archive.spans.out_of_window")
        .description("Spans not archived: started before the retention or too far ahead")
        .tag("tenant", tenant)
        .register(registry)
        .increment(spans);
  }

  public void deadLettered() {
    Counter.builder("spanline.archive.dead.letters")
        .description("Records written to the dead-letter topic")
        .register(registry)
        .increment();
  }

  public void paused(boolean nowPaused) {
    paused.addAndGet(nowPaused ? 1 : -1);
  }

  public void retentionDeleted(int objects) {
    deletedObjects.increment(objects);
  }

  /** Objects of {@code tenant} the retention sweep deleted (global or the tenant's retention). */
  public void tenantRetentionDeleted(String tenant, int objects) {
    Counter.builder("spanline.archive.retention.tenant.deleted.objects")
        .description("Objects of a tenant deleted by the retention sweep")
        .tag("tenant", tenant)
        .register(registry)
        .increment(objects);
  }

  public double filesUploaded() {
    return files.count();
  }

  public double rowsUploaded() {
    return rows.count();
  }

  public double bytesUploaded() {
    return bytes.count();
  }
}
