package io.spanline.archive.sink;

import static io.spanline.archive.testing.ArchiveSinkHarness.kept;
import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.archive.ArchiveSinkApp;
import io.spanline.archive.testing.ArchiveSinkHarness;
import io.spanline.localinfra.Probe;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.localinfra.s3.LocalS3;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.testing.TraceBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sink taking over from one that died mid-upload, in two partitions at once (as after a crash of
 * the whole process), with real Kafka, schema registry and S3-compatible store. Each partition's
 * first roll must end exactly where the predecessor's did, so that it overwrites the same object:
 * flushing one partition's roll must not cut another's short of its required end.
 */
@ExtendWith(LocalInfraExtension.class)
class ArchiveSinkResumeIT {
  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir Path dir;

  @Test
  void afterACrashEveryPartitionsFirstRollEndsWhereThePredecessorsDid_soNoSpanIsArchivedTwice(
      LocalKafka kafka, LocalSchemaRegistry registry, LocalS3 s3) throws Exception {
    try (ArchiveSinkHarness h =
        ArchiveSinkHarness.create(
            kafka, registry, s3, dir.resolve("work"), 2, Map.of("roll.max.age.ms", "600000"))) {
      // Given a predecessor that died while uploading rolls 0..4 of partition 0 and 0..19 of
      // partition 1 (it committed their ends, not the offsets after them)
      String topic = h.config().consumer().topic();
      h.admin()
          .alterConsumerGroupOffsets(
              h.config().consumer().groupId(),
              Map.of(
                  new TopicPartition(topic, 0), new OffsetAndMetadata(0, Roll.ROLL_END + 4),
                  new TopicPartition(topic, 1), new OffsetAndMetadata(0, Roll.ROLL_END + 19)))
          .all()
          .get();
      List<SampledTrace> first = traces(1, 0, 10);
      long firstBytes = h.sendTo(1, first);

      try (ArchiveSinkApp sink = h.startSink()) {
        // and a successor that has read the first half of partition 1's roll
        Probe.until(
            "the successor holding partition 1's records 0..9",
            WAIT,
            Duration.ofMillis(50),
            () ->
                sink.metrics().registry().get("spanline.archive.pending.bytes").gauge().value()
                    == firstBytes);

        // When partition 0's roll reaches its end (and is uploaded), then partition 1's
        List<SampledTrace> zero = traces(0, 0, 5);
        h.sendTo(0, zero);
        Probe.until(
            "partition 0's roll uploaded",
            WAIT,
            Duration.ofMillis(100),
            () -> keys(h).stream().anyMatch(k -> k.endsWith("/0-0-4.parquet")));
        List<SampledTrace> second = traces(1, 10, 10);
        h.sendTo(1, second);
        h.awaitAllCommitted(WAIT);
      }

      // Then each partition's roll is one object under the predecessor's key, every span once
      assertThat(keys(h).stream().map(k -> k.substring(k.lastIndexOf('/') + 1)).toList())
          .containsExactlyInAnyOrder("0-0-4.parquet", "1-0-19.parquet");
      List<GenericRecord> rows = h.allRows(dir.resolve("download"));
      List<String> spans =
          rows.stream().map(r -> r.get("trace_id") + ":" + r.get("span_id")).toList();
      assertThat(spans).hasSize(new HashSet<>(spans).size()).hasSize((5 + 20) * 2);
    }
  }

  private static List<String> keys(ArchiveSinkHarness h) {
    return h.objects().stream().map(o -> o.key()).toList();
  }

  private static List<SampledTrace> traces(int partition, int from, int count) {
    List<SampledTrace> out = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      out.add(
          kept(
              TraceBuilder.trace()
                  .root("frontend", "GET /" + partition + "/" + i, 10)
                  .child("db", "SELECT", 2)
                  .build(),
              "baseline"));
    }
    return out;
  }
}
