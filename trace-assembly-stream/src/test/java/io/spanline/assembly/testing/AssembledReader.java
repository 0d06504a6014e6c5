package io.spanline.assembly.testing;

import io.spanline.schemas.codec.avro.AvroRecordCodec;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.registry.SchemaRegistryClient;
import io.spanline.schemas.serde.ConfluentAvroSerde;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads {@code spanline.traces.assembled} with isolation level read_committed (what a downstream
 * exactly-once consumer sees) and tallies what arrived: fragments per trace and their span IDs.
 */
public final class AssembledReader implements AutoCloseable {
  private final KafkaConsumer<String, AssembledTrace> consumer;
  private final Map<TraceId, List<AssembledTrace>> byTrace = new HashMap<>();
  private int records;

  public AssembledReader(String bootstrapServers, String topic, SchemaRegistryClient registry) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "assembled-reader-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    consumer =
        new KafkaConsumer<>(
            props,
            new StringDeserializer(),
            new ConfluentAvroSerde<>(AvroRecordCodec.ASSEMBLED_TRACE, registry).deserializer());
    consumer.subscribe(List.of(topic));
  }

  /**
   * Polls until {@code done} holds for the tally, or the deadline passes.
   *
   * @return whether {@code done} held
   */
  public boolean readUntil(Predicate<AssembledReader> done, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.test(this)) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      poll();
    }
    return true;
  }

  /**
   * Polls until the position reaches the end of every partition (for read_committed: the last
   * stable offset), so everything committed so far has been read.
   */
  public void readToEnd(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (consumer.assignment().isEmpty() && System.nanoTime() < deadline) {
      poll();
    }
    Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
    while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("output not read to its end within " + timeout);
      }
      poll();
    }
  }

  private void poll() {
    for (ConsumerRecord<String, AssembledTrace> r : consumer.poll(Duration.ofMillis(500))) {
      records++;
      byTrace.computeIfAbsent(r.value().traceId(), k -> new ArrayList<>()).add(r.value());
    }
  }

  /** Traces with at least one record. */
  public int traces() {
    return byTrace.size();
  }

  public int records() {
    return records;
  }

  public Map<TraceId, List<AssembledTrace>> byTrace() {
    return byTrace;
  }

  /** Span IDs of one fragment, sorted. */
  public static long[] spanIds(AssembledTrace trace) {
    return trace.spans().stream().mapToLong((Span s) -> s.spanId().value()).sorted().toArray();
  }

  @Override
  public void close() {
    consumer.close();
  }
}
