package io.spanline.storage.archive;

import io.spanline.schemas.model.SampledTrace;
import io.spanline.storage.archive.internal.index.TraceIdIndex;
import io.spanline.storage.archive.internal.parquet.ParquetTraceWriter;
import io.spanline.storage.archive.internal.parquet.SpanRows;
import io.spanline.storage.archive.internal.s3.S3Uploader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.generic.GenericRecord;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Writes a batch of kept traces (the archive sink's roll of one Kafka partition) as Parquet files,
 * one per tenant and hour, and uploads each to its key ({@link ArchiveLayout#fileKey}, named by the
 * partition and the batch's offset range, so writing the same batch again overwrites the same
 * objects). Rows are sorted by trace ID then start: entries are sorted by trace ID, and the spans
 * of one trace (all its fragments in the batch) by start, so no more than one trace is read at a
 * time. Files are written under the work folder and deleted after upload. After each upload the
 * file and its trace IDs are added to the hour's trace-ID index ({@link ArchiveLayout#indexKey}); a
 * crash between the two leaves a file the index does not cover, which readers open anyway (see
 * {@link ColdTraceReader}).
 */
public final class ArchiveWriter {
  private final ParquetTraceWriter parquet;
  private final S3Uploader uploader;
  private final ArchiveLayout layout;
  private final Path workDir;
  private final ArchiveHours hours;

  /** S3's smallest multipart part (except the last), in bytes: 5 MiB. */
  public static final long MIN_PART_BYTES = S3Uploader.MIN_PART_BYTES;

  ArchiveWriter(
      ParquetTraceWriter parquet, S3Uploader uploader, ArchiveLayout layout, Path workDir) {
    this.parquet = parquet;
    this.uploader = uploader;
    this.layout = layout;
    this.workDir = workDir;
    this.hours = new ArchiveHours(uploader.s3(), uploader.bucket(), layout, 0);
  }

  /**
   * A writer uploading to {@code bucket} under {@code layout}'s keys: files of at least {@code
   * multipartThreshold} bytes as a multipart upload of {@code multipartPartBytes} parts (aborted
   * when a part fails), smaller ones with one PUT.
   *
   * @param s3 not closed by the writer
   * @param multipartThreshold file size from which uploads go in parts, bytes, at least {@code
   *     multipartPartBytes}
   * @param multipartPartBytes size of each part but the last, bytes, at least {@link
   *     #MIN_PART_BYTES}
   * @param rowGroupBytes target Parquet row group size, bytes (uncompressed, as Parquet measures
   *     it)
   * @param pageBytes target Parquet page size, bytes
   * @param workDir where files are written before their upload (made when missing); each is deleted
   *     after its upload
   * @throws IllegalArgumentException if parts are smaller than {@link #MIN_PART_BYTES} or the
   *     threshold is below a part
   */
  public static ArchiveWriter toS3(
      S3Client s3,
      String bucket,
      ArchiveLayout layout,
      long multipartThreshold,
      long multipartPartBytes,
      long rowGroupBytes,
      int pageBytes,
      Path workDir) {
    return new ArchiveWriter(
        new ParquetTraceWriter(rowGroupBytes, pageBytes),
        new S3Uploader(s3, bucket, multipartThreshold, multipartPartBytes),
        layout,
        workDir);
  }

  /** One kept trace (or fragment) of a batch, read only when its file is written. */
  public interface Entry {
    /** The trace ID, lower-case hex. */
    String traceId();

    String tenant();

    /** The UTC hour folder of the trace's start. */
    LocalDateTime hour();

    /** The trace itself. */
    SampledTrace read();
  }

  /** Told of each file uploaded. */
  @FunctionalInterface
  public interface Uploaded {
    /**
     * @param bytes the file's size
     * @param rows spans in it
     * @param took how long its upload took
     */
    void file(long bytes, long rows, Duration took);
  }

  private record Group(String tenant, LocalDateTime hour) {}

  /**
   * Writes and uploads every file of the batch.
   *
   * @param firstOffset the batch's first Kafka offset (or any number naming the batch)
   * @param lastOffset its last
   * @throws IOException if a file cannot be written or read
   * @throws software.amazon.awssdk.core.exception.SdkException if S3 fails
   */
  public void write(
      int partition,
      long firstOffset,
      long lastOffset,
      List<? extends Entry> entries,
      Uploaded uploaded)
      throws IOException {
    Map<Group, List<Entry>> groups =
        new TreeMap<>(Comparator.comparing(Group::tenant).thenComparing(Group::hour));
    for (Entry e : entries) {
      groups.computeIfAbsent(new Group(e.tenant(), e.hour()), g -> new ArrayList<>()).add(e);
    }
    Files.createDirectories(workDir);
    for (Map.Entry<Group, List<Entry>> g : groups.entrySet()) {
      String key =
          layout.fileKey(
              g.getKey().tenant(), g.getKey().hour(), partition, firstOffset, lastOffset);
      Path file = workDir.resolve(partition + "-" + firstOffset + "-" + lastOffset + ".parquet");
      try {
        long rows = writeFile(g.getValue(), file);
        long size = Files.size(file);
        long started = System.nanoTime();
        uploader.upload(file, key);
        hours.addToIndex(
            g.getKey().tenant(),
            g.getKey().hour(),
            Map.of(
                new TraceIdIndex.FileRef(key.substring(key.lastIndexOf('/') + 1), size),
                g.getValue().stream().map(Entry::traceId).distinct().toList()));
        uploaded.file(size, rows, Duration.ofNanos(System.nanoTime() - started));
      } finally {
        Files.deleteIfExists(file);
      }
    }
  }

  private long writeFile(List<Entry> entries, Path file) throws IOException {
    List<Entry> sorted = new ArrayList<>(entries);
    sorted.sort(Comparator.comparing(Entry::traceId));
    long distinct = sorted.stream().map(Entry::traceId).distinct().count();
    long rows = 0;
    try (ParquetTraceWriter.FileWriter w = parquet.open(file, distinct)) {
      int i = 0;
      while (i < sorted.size()) {
        int j = i;
        List<GenericRecord> trace = new ArrayList<>();
        while (j < sorted.size() && sorted.get(j).traceId().equals(sorted.get(i).traceId())) {
          trace.addAll(SpanRows.of(sorted.get(j).read()));
          j++;
        }
        trace.sort(SpanRows.ORDER);
        for (GenericRecord r : trace) {
          w.write(r);
        }
        rows += trace.size();
        i = j;
      }
    }
    return rows;
  }
}
