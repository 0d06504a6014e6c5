package io.spanline.sampling.replay;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Holds the replay's main consumer to its {@code --rate}: each poll's records wait for their tokens
 * before Kafka Streams sees them. The cap comes from the consumer's configuration under {@link
 * #RATE_CAP_CONFIG} (Kafka Streams passes such custom entries to its clients).
 */
public final class RateCapInterceptor implements ConsumerInterceptor<byte[], byte[]> {
  /** Configuration key of the {@link RateCap} object. */
  static final String RATE_CAP_CONFIG = "spanline.replay.rate-cap";

  private RateCap cap = RateCap.NONE;

  @Override
  public void configure(Map<String, ?> configs) {
    Object c = configs.get(RATE_CAP_CONFIG);
    if (!(c instanceof RateCap)) {
      throw new IllegalArgumentException(
          RATE_CAP_CONFIG + " must hold the replay's rate cap, not " + c);
    }
    cap = (RateCap) c;
  }

  @Override
  public ConsumerRecords<byte[], byte[]> onConsume(ConsumerRecords<byte[], byte[]> records) {
    try {
      cap.take(records.count());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return records;
  }

  @Override
  public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {}

  @Override
  public void close() {}
}
