package io.spanline.assembly;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** A task is behind by the broker's figures: its committed offsets against the partitions' ends. */
class StreamsInputLagTest {
  private static final TopicPartition P0 = new TopicPartition("otlp_spans", 0);
  private static final TopicPartition P1 = new TopicPartition("otlp_spans", 1);

  private static ListOffsetsResultInfo end(long offset) {
    return new ListOffsetsResultInfo(offset, -1, Optional.empty());
  }

  @Test
  void committedBelowTheEndOfAnyPartition_isBehind() {
    assertThat(
            StreamsInputLag.isBehind(
                Set.of(P0, P1),
                Map.of(P0, end(10), P1, end(20)),
                Map.of(P0, new OffsetAndMetadata(10), P1, new OffsetAndMetadata(19))))
        .isTrue();
  }

  @Test
  void committedAtTheEndOfEveryPartition_isCaughtUp() {
    assertThat(
            StreamsInputLag.isBehind(
                Set.of(P0, P1),
                Map.of(P0, end(10), P1, end(20)),
                Map.of(P0, new OffsetAndMetadata(10), P1, new OffsetAndMetadata(20))))
        .isFalse();
  }

  @Test
  void nothingCommittedYet_isBehindUnlessThePartitionIsEmpty() {
    assertThat(StreamsInputLag.isBehind(Set.of(P0), Map.of(P0, end(3)), Map.of())).isTrue();
    assertThat(StreamsInputLag.isBehind(Set.of(P0), Map.of(P0, end(0)), Map.of())).isFalse();
  }

  @Test
  void aPartitionWhoseEndIsUnknown_isBehind() {
    assertThat(
            StreamsInputLag.isBehind(
                Set.of(P0, P1), Map.of(P0, end(10)), Map.of(P0, new OffsetAndMetadata(10))))
        .isTrue();
  }
}
