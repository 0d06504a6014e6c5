package io.spanline.service.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.service.streams.HangingTransactions.OpenTransaction;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/** When an open transaction on a partition hangs, judged from what its coordinator says. */
class HangingTransactionsTest {
  private static final TopicPartition CHANGELOG = new TopicPartition("app-store-changelog", 0);
  private static final TopicPartition OTHER = new TopicPartition("app-store-changelog", 1);
  private static final OpenTransaction OPEN = new OpenTransaction(CHANGELOG, 5, 60, 0, 93);

  private static TransactionDescription coordinator(
      TransactionState state, long producerId, int epoch, Set<TopicPartition> partitions) {
    return new TransactionDescription(
        1, state, producerId, epoch, 30_000, OptionalLong.empty(), partitions);
  }

  @Test
  void aCommitTheCoordinatorCallsCompleteWhileThePartitionIsStillOpen_hangs() {
    // the case seen after kill -9: CompleteCommit, a later epoch, the partition never marked
    assertThat(
            HangingTransactions.hangs(
                OPEN, coordinator(TransactionState.COMPLETE_COMMIT, 5, 66, Set.of())))
        .isTrue();
    assertThat(
            HangingTransactions.hangs(
                OPEN, coordinator(TransactionState.COMPLETE_ABORT, 5, 61, Set.of())))
        .isTrue();
    assertThat(HangingTransactions.hangs(OPEN, coordinator(TransactionState.EMPTY, 5, 62, null)))
        .isTrue();
  }

  @Test
  void aLiveTransactionWithThePartitionInIt_doesNotHang() {
    for (TransactionState live :
        new TransactionState[] {
          TransactionState.ONGOING,
          TransactionState.PREPARE_COMMIT,
          TransactionState.PREPARE_ABORT,
          TransactionState.PREPARE_EPOCH_FENCE,
          TransactionState.UNKNOWN
        }) {
      assertThat(HangingTransactions.hangs(OPEN, coordinator(live, 5, 61, Set.of(CHANGELOG))))
          .as("%s with the partition in it", live)
          .isFalse();
    }
  }

  @Test
  void aLaterTransactionWithoutThisPartition_leavesItHanging() {
    assertThat(
            HangingTransactions.hangs(
                OPEN, coordinator(TransactionState.ONGOING, 5, 66, Set.of(OTHER))))
        .isTrue();
  }

  @Test
  void aTransactionalIdThatMovedToAnotherProducerId_leavesTheOldOneHanging() {
    assertThat(
            HangingTransactions.hangs(
                OPEN, coordinator(TransactionState.ONGOING, 9, 0, Set.of(CHANGELOG))))
        .isTrue();
  }

  @Test
  void minimumAge_isTwiceTheTransactionTimeout_orKafkaStreamsDefault() {
    Properties p = new Properties();
    assertThat(StreamsService.hangingMinimumAge(p)).isEqualTo(Duration.ofSeconds(20));
    p.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), 30_000);
    assertThat(StreamsService.hangingMinimumAge(p)).isEqualTo(Duration.ofSeconds(60));
  }
}
