package io.spanline.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/** What the Kafka Streams benchmarks share: the pass-through baseline and waiting for the end. */
final class StreamsBench {
  private StreamsBench() {}

  /** Streams settings of the pass-through baseline: exactly_once_v2 and the tuned producer. */
  static Properties tuned(String bootstrapServers, Path dir, String applicationId, int threads) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
    props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state-" + applicationId).toString());
    props.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), 262_144);
    props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
    props.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
    return props;
  }

  /**
   * Copies {@code input} to {@code output} as bytes with a Streams app and returns items per
   * second, {@code items} being what the input holds (spans, traces).
   */
  static double passThrough(
      String bootstrapServers,
      Admin admin,
      Path dir,
      int threads,
      String input,
      String output,
      long items,
      String unit)
      throws Exception {
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(input, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
        .to(output, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
    String applicationId = "bench-" + output;
    try (KafkaStreams streams =
        new KafkaStreams(builder.build(), tuned(bootstrapServers, dir, applicationId, threads))) {
      long start = System.nanoTime();
      streams.start();
      awaitInputCommitted(admin, applicationId, input);
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf("RESULT pass-through %.0f %s/s (%.1f s)%n", items / seconds, unit, seconds);
      return items / seconds;
    }
  }

  /** Waits until the application's committed offsets reach the end of every input partition. */
  static void awaitInputCommitted(Admin admin, String applicationId, String input)
      throws Exception {
    awaitInputCommitted(admin, applicationId, input, 0);
  }

  /**
   * As {@link #awaitInputCommitted(Admin, String, String)}, a committed offset {@code slack} short
   * of the end counting as the end: 1 for a topic written in transactions, whose partitions end
   * with a commit marker a consumer committing its last record + 1 stops just before.
   */
  static void awaitInputCommitted(Admin admin, String applicationId, String input, long slack)
      throws Exception {
    int partitions =
        admin
            .describeTopics(java.util.List.of(input))
            .allTopicNames()
            .get()
            .get(input)
            .partitions()
            .size();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      latest.put(new TopicPartition(input, p), OffsetSpec.latest());
    }
    Map<TopicPartition, Long> end =
        admin.listOffsets(latest).all().get().entrySet().stream()
            .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    await(
        () -> {
          try {
            Map<TopicPartition, OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata().get();
            return end.entrySet().stream()
                .allMatch(
                    e -> {
                      OffsetAndMetadata c = committed.get(e.getKey());
                      long target = e.getValue() - slack;
                      return (slack > 0 && target <= 0) || (c != null && c.offset() >= target);
                    });
          } catch (Exception e) {
            return false;
          }
        },
        600);
  }

  static void await(BooleanSupplier condition, int timeoutSeconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not done within " + timeoutSeconds + " s");
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
