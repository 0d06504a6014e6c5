package io.spanline.sampling.replay;

import io.spanline.service.config.KafkaSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Where a time range starts and ends in each partition of a topic: the first offset whose record
 * timestamp is at or after {@code from}, and the first at or after {@code to} (the log end when
 * there is none).
 *
 * <p>Found by binary search over the data records of each partition (about log2(records) fetches of
 * one record), not with Kafka's {@code offsetsForTimes}: that returns the first record in log order
 * whose timestamp reaches the target, control records included, and the commit markers of
 * transactional writers (every Spanline stream) carry the time they were written — so after a
 * stream caught up on a backlog, or for records written with older timestamps, it lands on a marker
 * far from the range. The search is exact when data record timestamps grow along each partition, as
 * Spanline's streams write them; records a little out of order near the edges are still filtered by
 * their own timestamps when read.
 *
 * @param start per partition, the first offset to read
 * @param end per partition, the offset to stop before
 */
record TimeRangeOffsets(Map<TopicPartition, Long> start, Map<TopicPartition, Long> end) {

  /**
   * @throws IllegalArgumentException if the topic does not exist or {@code from} is not before
   *     {@code to}
   */
  public static TimeRangeOffsets of(KafkaSettings kafka, String topic, Instant from, Instant to) {
    if (!from.isBefore(to)) {
      throw new IllegalArgumentException("--from (" + from + ") must be before --to (" + to + ")");
    }
    try (KafkaConsumer<byte[], byte[]> consumer = Replay.consumer(kafka, 1)) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
      if (infos == null || infos.isEmpty()) {
        throw new IllegalArgumentException("topic " + topic + " does not exist");
      }
      List<TopicPartition> partitions =
          infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      Map<TopicPartition, Long> first =
          consumer.beginningOffsets(partitions, Duration.ofSeconds(30));
      Map<TopicPartition, Long> last = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      Map<TopicPartition, Long> start = new HashMap<>();
      Map<TopicPartition, Long> end = new HashMap<>();
      for (TopicPartition p : partitions) {
        consumer.assign(List.of(p));
        long s = search(consumer, p, first.get(p), last.get(p), from.toEpochMilli());
        start.put(p, s);
        end.put(p, search(consumer, p, s, last.get(p), to.toEpochMilli()));
      }
      return new TimeRangeOffsets(start, end);
    }
  }

  /** The first offset in [lo, hi) whose data record has a timestamp at or after {@code target}. */
  private static long search(
      KafkaConsumer<byte[], byte[]> consumer, TopicPartition p, long lo, long hi, long target) {
    long end = hi;
    while (lo < hi) {
      long mid = lo + (hi - lo) / 2;
      ConsumerRecord<byte[], byte[]> r = firstDataRecord(consumer, p, mid, end);
      if (r == null || r.offset() >= hi || r.timestamp() >= target) {
        hi = mid;
      } else {
        lo = r.offset() + 1;
      }
    }
    return lo;
  }

  /** The first data record at or after {@code offset} and before {@code end}, or null. */
  private static ConsumerRecord<byte[], byte[]> firstDataRecord(
      KafkaConsumer<byte[], byte[]> consumer, TopicPartition p, long offset, long end) {
    consumer.seek(p, offset);
    while (consumer.position(p) < end) {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
        return r;
      }
    }
    return null;
  }

  /** Records in the range's offsets, over all partitions (control records included). */
  public long records() {
    long n = 0;
    for (Map.Entry<TopicPartition, Long> e : start.entrySet()) {
      n += Math.max(0, end.get(e.getKey()) - e.getValue());
    }
    return n;
  }
}
