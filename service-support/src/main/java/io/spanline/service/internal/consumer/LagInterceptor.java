package io.spanline.service.internal.consumer;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Tells the {@link ConsumerLag} named by {@value ConsumerLag#TRACKER_CONFIG} the timestamp of the
 * last record of each partition in each poll; records pass unchanged. Public because Kafka
 * instantiates it by class name ({@code interceptor.classes}).
 */
public final class LagInterceptor implements ConsumerInterceptor<Object, Object> {
  private Object token;
  private ConsumerLag lag;

  @Override
  public void configure(Map<String, ?> configs) {
    token = configs.get(ConsumerLag.TRACKER_CONFIG);
  }

  @Override
  public ConsumerRecords<Object, Object> onConsume(ConsumerRecords<Object, Object> records) {
    if (lag == null) {
      lag = ConsumerLag.forToken(token); // registered after the consumer is made
      if (lag == null) {
        return records;
      }
    }
    for (TopicPartition tp : records.partitions()) {
      List<ConsumerRecord<Object, Object>> batch = records.records(tp);
      if (!batch.isEmpty()) {
        lag.fetched(tp, batch.get(batch.size() - 1).timestamp());
      }
    }
    return records;
  }

  @Override
  public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {}

  @Override
  public void close() {}
}
