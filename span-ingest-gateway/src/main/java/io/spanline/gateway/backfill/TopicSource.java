package io.spanline.gateway.backfill;

import io.spanline.gateway.ingest.TraceIngestor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Export requests from a Kafka topic, one a record value (OTLP protobuf {@code TracesData} or
 * {@code ExportTraceServiceRequest}, as a Collector's Kafka exporter writes them, or OTLP/JSON):
 * every partition from its first offset to the end it had when the backfill started,
 * read_committed, without a consumer group (nothing is committed). Keys and partitioning do not
 * matter: the gateway's core splits by trace ID again.
 */
final class TopicSource implements BackfillSource {
  private final String topic;
  private final String tenantHeader;
  private final TraceIngestor.Encoding encoding;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Map<TopicPartition, Long> start = new HashMap<>();
  private final Map<TopicPartition, Long> end;
  private final List<TopicPartition> open;
  private final ArrayDeque<ConsumerRecord<byte[], byte[]>> buffered = new ArrayDeque<>();
  private final long total;

  /**
   * @param clientConfig the source cluster's client settings (bootstrap servers and security)
   * @param tenantHeader header holding the tenant, or null
   * @throws IllegalArgumentException if the topic does not exist
   */
  TopicSource(
      Map<String, Object> clientConfig,
      String topic,
      String tenantHeader,
      TraceIngestor.Encoding encoding) {
    this.topic = topic;
    this.tenantHeader = tenantHeader;
    this.encoding = encoding;
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    this.consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
    if (infos == null || infos.isEmpty()) {
      consumer.close();
      throw new IllegalArgumentException("source topic " + topic + " does not exist");
    }
    List<TopicPartition> partitions =
        infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    start.putAll(consumer.beginningOffsets(partitions, Duration.ofSeconds(30)));
    end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
    open =
        new java.util.ArrayList<>(
            partitions.stream().filter(p -> start.get(p) < end.get(p)).toList());
    consumer.assign(open);
    open.forEach(p -> consumer.seek(p, start.get(p)));
    long n = 0;
    for (TopicPartition p : partitions) {
      n += end.get(p) - start.get(p);
    }
    total = n;
  }

  @Override
  public Request next() {
    while (buffered.isEmpty()) {
      open.removeIf(p -> consumer.position(p) >= end.get(p));
      if (open.isEmpty()) {
        return null;
      }
      consumer.assign(open);
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
        if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
          buffered.add(r);
        }
      }
    }
    ConsumerRecord<byte[], byte[]> r = buffered.poll();
    String tenant = null;
    if (tenantHeader != null) {
      Header h = r.headers().lastHeader(tenantHeader);
      if (h != null && h.value() != null) {
        tenant = new String(h.value(), StandardCharsets.UTF_8);
      }
    }
    return new Request(
        topic + " partition " + r.partition() + " offset " + r.offset(),
        tenant,
        r.value() == null ? new byte[0] : r.value(),
        encoding);
  }

  @Override
  public long total() {
    return total;
  }

  @Override
  public long done() {
    long n = 0;
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      long at =
          open.contains(e.getKey())
              ? Math.min(consumer.position(e.getKey()), e.getValue())
              : e.getValue();
      n += at - start.get(e.getKey());
    }
    return Math.max(0, n - buffered.size());
  }

  @Override
  public void close() {
    consumer.close();
  }
}
