package io.spanline.archive.sink;

import io.spanline.archive.metrics.ArchiveSinkMetrics;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.storage.archive.ArchiveWriter;
import java.io.IOException;
import java.time.LocalDateTime;
import java.util.List;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Writes one partition's roll through the {@link ArchiveWriter}, under the roll's offset range: a
 * roll written again after a crash overwrites the same objects. Each entry's record is decoded when
 * its file is written, and narrowed again to the spans archived when it was read.
 */
final class RollWriter {
  private final ArchiveWriter writer;
  private final Deserializer<SampledTrace> values;
  private final String topic;
  private final ArchiveSinkMetrics metrics;

  RollWriter(
      ArchiveWriter writer,
      Deserializer<SampledTrace> values,
      String topic,
      ArchiveSinkMetrics metrics) {
    this.writer = writer;
    this.values = values;
    this.topic = topic;
    this.metrics = metrics;
  }

  /** A roll entry as the archive writer reads it. */
  private record Read(Roll.Entry entry, Deserializer<SampledTrace> values, String topic)
      implements ArchiveWriter.Entry {
    @Override
    public String traceId() {
      return entry.traceId();
    }

    @Override
    public String tenant() {
      return entry.tenant();
    }

    @Override
    public LocalDateTime hour() {
      return entry.hour();
    }

    @Override
    public SampledTrace read() {
      SampledTrace trace = values.deserialize(topic, entry.value());
      // the spans left out when the record was read stay out
      return entry.window() == null ? trace : entry.window().narrow(trace).kept().orElseThrow();
    }
  }

  /**
   * Writes and uploads every file of the roll; files already uploaded by an earlier attempt are
   * written again under the same keys.
   *
   * @throws IOException if a file cannot be written or read
   * @throws software.amazon.awssdk.core.exception.SdkException if S3 fails
   */
  void write(int partition, Roll roll) throws IOException {
    List<Read> entries = roll.entries().stream().map(e -> new Read(e, values, topic)).toList();
    writer.write(partition, roll.first(), roll.last(), entries, metrics::fileUploaded);
  }
}
