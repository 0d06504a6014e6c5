package io.spanline.archive.sink;

import io.spanline.archive.metrics.ArchiveSinkMetrics;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.storage.archive.layout.ArchiveLayout;
import io.spanline.storage.archive.parquet.ParquetTraceWriter;
import io.spanline.storage.archive.parquet.SpanRows;
import io.spanline.storage.archive.s3.S3Uploader;
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
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Turns one partition's roll into Parquet files, one per tenant and hour, and uploads each to its
 * key ({@link ArchiveLayout#fileKey}). Rows are sorted by trace ID then start: entries are sorted
 * by trace ID, and the spans of one trace (all its fragments in the roll) by start, so no more than
 * one trace is decoded at a time. Files are written under the work folder and deleted after upload.
 */
final class RollWriter {
  private final ParquetTraceWriter parquet;
  private final S3Uploader uploader;
  private final ArchiveLayout layout;
  private final Path workDir;
  private final Deserializer<SampledTrace> values;
  private final String topic;
  private final ArchiveSinkMetrics metrics;

  RollWriter(
      ParquetTraceWriter parquet,
      S3Uploader uploader,
      ArchiveLayout layout,
      Path workDir,
      Deserializer<SampledTrace> values,
      String topic,
      ArchiveSinkMetrics metrics) {
    this.parquet = parquet;
    this.uploader = uploader;
    this.layout = layout;
    this.workDir = workDir;
    this.values = values;
    this.topic = topic;
    this.metrics = metrics;
  }

  private record Group(String tenant, LocalDateTime hour) {}

  /**
   * Writes and uploads every file of the roll; files already uploaded by an earlier attempt are
   * written again under the same keys.
   *
   * @throws IOException if a file cannot be written or read
   * @throws software.amazon.awssdk.core.exception.SdkException if S3 fails
   */
  void write(int partition, Roll roll) throws IOException {
    Map<Group, List<Roll.Entry>> groups =
        new TreeMap<>(Comparator.comparing(Group::tenant).thenComparing(Group::hour));
    for (Roll.Entry e : roll.entries()) {
      groups.computeIfAbsent(new Group(e.tenant(), e.hour()), g -> new ArrayList<>()).add(e);
    }
    Files.createDirectories(workDir);
    for (Map.Entry<Group, List<Roll.Entry>> g : groups.entrySet()) {
      String key =
          layout.fileKey(
              g.getKey().tenant(), g.getKey().hour(), partition, roll.first(), roll.last());
      Path file = workDir.resolve(partition + "-" + roll.first() + "-" + roll.last() + ".parquet");
      try {
        long rows = writeFile(g.getValue(), file);
        long size = Files.size(file);
        long started = System.nanoTime();
        uploader.upload(file, key);
        metrics.fileUploaded(size, rows, Duration.ofNanos(System.nanoTime() - started));
      } finally {
        Files.deleteIfExists(file);
      }
    }
  }

  private long writeFile(List<Roll.Entry> entries, Path file) throws IOException {
    List<Roll.Entry> sorted = new ArrayList<>(entries);
    sorted.sort(Comparator.comparing(Roll.Entry::traceId));
    long distinct = sorted.stream().map(Roll.Entry::traceId).distinct().count();
    long rows = 0;
    try (ParquetTraceWriter.FileWriter w = parquet.open(file, distinct)) {
      int i = 0;
      while (i < sorted.size()) {
        int j = i;
        List<GenericRecord> trace = new ArrayList<>();
        while (j < sorted.size() && sorted.get(j).traceId().equals(sorted.get(i).traceId())) {
          Roll.Entry e = sorted.get(j);
          SampledTrace read = values.deserialize(topic, e.value());
          if (e.window() != null) {
            // the spans left out when the record was read stay out
            read = e.window().narrow(read).kept().orElseThrow();
          }
          trace.addAll(SpanRows.of(read));
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
