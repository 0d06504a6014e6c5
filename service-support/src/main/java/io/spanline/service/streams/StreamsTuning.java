package io.spanline.service.streams;

import io.spanline.service.config.Settings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Producer and RocksDB tuning of a Kafka Streams app, the same settings in every Streams app:
 * {@code producer.batch.size}, {@code producer.linger.ms}, {@code producer.compression.type},
 * {@code producer.transaction.timeout.ms}, {@code rocksdb.block-cache.bytes}, {@code
 * rocksdb.write-buffer.bytes}. The largest request ({@code producer.max.request.size}) is the app's
 * to decide: the assembly derives it from its trace size bound, sampling reads a setting.
 *
 * @param producerBatchBytes {@code producer.batch.size}
 * @param producerLingerMs {@code producer.linger.ms}
 * @param producerCompression {@code producer.compression.type}
 * @param producerMaxRequestBytes {@code producer.max.request.size}
 * @param rocksDbBlockCacheBytes shared block cache of all RocksDB stores of the instance
 * @param rocksDbWriteBufferBytes memtables of all stores, counted against the cache
 * @param transactionTimeout {@code producer.transaction.timeout.ms}: the broker aborts a
 *     transaction open longer than this (it must not exceed the broker's {@code
 *     transaction.max.timeout.ms}, 15 minutes by default)
 */
public record StreamsTuning(
    int producerBatchBytes,
    int producerLingerMs,
    String producerCompression,
    int producerMaxRequestBytes,
    long rocksDbBlockCacheBytes,
    long rocksDbWriteBufferBytes,
    Duration transactionTimeout) {

  public StreamsTuning {
    Objects.requireNonNull(producerCompression, "producerCompression");
    Objects.requireNonNull(transactionTimeout, "transactionTimeout");
  }

  /**
   * The settings with their defaults, as PERFORMANCE.md measured them; RocksDB's two memory bounds
   * are the app's.
   */
  public static Map<String, String> defaults(long rocksDbBytes) {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("producer.batch.size", "262144");
    d.put("producer.linger.ms", "5");
    d.put("producer.compression.type", "lz4");
    d.put("producer.transaction.timeout.ms", "30000");
    d.put("rocksdb.block-cache.bytes", String.valueOf(rocksDbBytes));
    d.put("rocksdb.write-buffer.bytes", String.valueOf(rocksDbBytes));
    return d;
  }

  /**
   * Reads the settings of {@link #defaults}.
   *
   * @param producerMaxRequestBytes the app's {@code producer.max.request.size}
   * @throws IllegalArgumentException naming the setting of a bad value
   */
  public static StreamsTuning from(Settings s, int producerMaxRequestBytes) {
    return new StreamsTuning(
        s.intAtLeast("producer.batch.size", 0),
        s.intDurationAtLeast("producer.linger.ms", TimeUnit.MILLISECONDS, 0),
        s.get("producer.compression.type"),
        producerMaxRequestBytes,
        s.longAtLeast("rocksdb.block-cache.bytes", 1 << 20),
        s.longAtLeast("rocksdb.write-buffer.bytes", 1 << 20),
        Duration.ofMillis(
            s.intDurationAtLeast("producer.transaction.timeout.ms", TimeUnit.MILLISECONDS, 1000)));
  }

  /** The same tuning with another largest request. */
  StreamsTuning withProducerMaxRequestBytes(int bytes) {
    return new StreamsTuning(
        producerBatchBytes,
        producerLingerMs,
        producerCompression,
        bytes,
        rocksDbBlockCacheBytes,
        rocksDbWriteBufferBytes,
        transactionTimeout);
  }
}
