package io.spanline.service.streams;

import io.spanline.service.config.KafkaSettings;
import io.spanline.service.internal.consumer.ConsumerLag;
import io.spanline.service.internal.consumer.LagInterceptor;
import io.spanline.service.internal.streams.BoundedMemoryRocksDbConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;

/** What Spanline's Kafka Streams apps configure and check alike. */
public final class StreamsApps {
  private StreamsApps() {}

  /**
   * Settings every Spanline Streams app shares.
   *
   * @param applicationId Kafka Streams {@code application.id}
   * @param kafka Kafka's address and client properties (security), given to every client
   * @param streamThreads {@code num.stream.threads}
   * @param stateDir {@code state.dir}
   * @param deadLetterTopic where records that cannot be processed go (KIP-1034), with the error in
   *     {@code __streams.errors.*} headers
   * @param tuning producer and RocksDB tuning
   * @return exactly_once_v2, the dead-letter topic with {@link DeadLetteringHandler}, log and
   *     continue on deserialization errors, {@link BoundedMemoryRocksDbConfig}, the producer tuning
   *     (batch size, linger, compression, request size) that PERFORMANCE.md measured, and the
   *     transaction timeout
   */
  public static Properties baseConfig(
      String applicationId,
      KafkaSettings kafka,
      int streamThreads,
      String stateDir,
      String deadLetterTopic,
      StreamsTuning tuning) {
    Properties p = new Properties();
    // unprefixed client properties reach every client Kafka Streams creates
    p.putAll(kafka.clientConfig());
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, streamThreads);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
    p.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, deadLetterTopic);
    p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetteringHandler.class);
    // consumer lag in seconds (ConsumerLag): StreamsService registers the tracker of this token
    p.put(
        StreamsConfig.mainConsumerPrefix(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG),
        LagInterceptor.class.getName());
    p.put(
        StreamsConfig.mainConsumerPrefix(ConsumerLag.TRACKER_CONFIG), UUID.randomUUID().toString());
    // no global stores; set so Kafka Streams does not warn at every start (its 5.0 default)
    p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    p.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        LogAndContinueExceptionHandler.class);
    p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedMemoryRocksDbConfig.class);
    p.put(BoundedMemoryRocksDbConfig.BLOCK_CACHE_BYTES, tuning.rocksDbBlockCacheBytes());
    p.put(BoundedMemoryRocksDbConfig.WRITE_BUFFER_BYTES, tuning.rocksDbWriteBufferBytes());
    p.put(
        StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG),
        tuning.producerBatchBytes());
    p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), tuning.producerLingerMs());
    p.put(
        StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG),
        tuning.producerCompression());
    p.put(
        StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
        tuning.producerMaxRequestBytes());
    // Set deliberately rather than left to Kafka Streams' 10 s: a transaction holds at most one
    // commit interval of records plus one capped punctuation, far below this; a killed instance's
    // open transaction blocks read_committed readers of its output partitions for at most this
    // long.
    p.put(
        StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG),
        (int) Math.min(Integer.MAX_VALUE, tuning.transactionTimeout().toMillis()));
    p.put(
        StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG),
        Math.max(1 << 20, tuning.producerBatchBytes()));
    return p;
  }

  /**
   * Fails fast when topics are missing, rather than letting Kafka Streams wait for them.
   *
   * @param readme where the error tells the operator to look, e.g. "the sampling-stream README"
   * @throws IllegalStateException naming the topics that do not exist; when Kafka refuses the login
   *     or the TLS handshake (at once, naming the settings to check, see {@link
   *     KafkaSettings#explain}); or when Kafka cannot be reached within 30 s
   */
  public static void requireTopics(KafkaSettings kafka, List<String> topics, String readme) {
    try (Admin admin = Admin.create(kafka.clientConfig())) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<String> missing = new ArrayList<>();
      for (String t : topics) {
        if (!existing.contains(t)) {
          missing.add(t);
        }
      }
      if (!missing.isEmpty()) {
        throw new IllegalStateException(
            "Topics "
                + missing
                + " do not exist at "
                + kafka.bootstrapServers()
                + "; create them first (see "
                + readme
                + ")");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking topics", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(kafka.explain(e), e);
    }
  }
}
