package io.spanline.index;

import io.micrometer.core.instrument.MeterRegistry;
import io.spanline.index.config.IndexSinkConfig;
import io.spanline.index.metrics.IndexSinkMetrics;
import io.spanline.index.sink.IndexSink;
import io.spanline.index.sink.TenantIndexSettings;
import io.spanline.schemas.codec.avro.AvroRecordCodec;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.registry.SchemaRegistryClient;
import io.spanline.schemas.serde.ConfluentAvroSerde;
import io.spanline.service.consumer.ConsumerAppSettings;
import io.spanline.service.consumer.SinkClients;
import io.spanline.service.consumer.TopicCatchUp;
import io.spanline.service.process.ProgressLine;
import io.spanline.service.streams.StreamsApps;
import io.spanline.service.tenancy.TenantLimitsSettings;
import io.spanline.storage.opensearch.IndexLayout;
import io.spanline.storage.opensearch.OpenSearchConnection;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * Indexes a topic of kept traces (a replay's output) into another index layout (a generation's)
 * with the index sink's own consumer and write path, until its consumer group has committed every
 * record that was in the topic when it started. The group's committed offsets are its checkpoint:
 * run it again after a crash and it continues; documents have deterministic IDs, so what is indexed
 * twice is overwritten. Progress goes to a {@link ProgressLine}. The waiting is {@link
 * TopicCatchUp}'s, shared with the archive sink's {@code GenerationArchiver}.
 */
public final class GenerationIndexer {
  private GenerationIndexer() {}

  /**
   * How the run is shown and bounded.
   *
   * @param progress how progress is shown
   * @param progressInterval how often it is refreshed and the offsets checked
   * @param err where progress goes
   * @param stopRequested true once the run should stop (Ctrl-C): it returns incomplete
   * @param timeout give up (throw) after this long
   */
  public record Options(
      ProgressLine.Mode progress,
      Duration progressInterval,
      PrintStream err,
      BooleanSupplier stopRequested,
      Duration timeout) {
    public Options {
      Objects.requireNonNull(progress, "progress");
      Objects.requireNonNull(progressInterval, "progressInterval");
      Objects.requireNonNull(err, "err");
      Objects.requireNonNull(stopRequested, "stopRequested");
      Objects.requireNonNull(timeout, "timeout");
    }
  }

  /**
   * What a run did.
   *
   * @param offsets the topic's offsets up to its last committed record at the start, summed over
   *     partitions (records, and the transaction markers between them), all runs together
   * @param complete whether the group reached that end (false: stopped; run again to continue)
   * @param recordsRead records this run read (a batch read again after a stop counts again)
   * @param deadLettered records this run sent to the dead-letter topic
   */
  public record Result(long offsets, boolean complete, long recordsRead, long deadLettered) {}

  /**
   * Runs the index sink's consumer over {@code topic} into {@code layout} as group {@code groupId}
   * until it has caught up with the topic's end as it was at the start.
   *
   * @param base the index sink's settings: Kafka, OpenSearch, bulk sizes, attributes, retention
   *     window, dead-letter topic; its topic, group and layout are replaced
   * @param metrics where the sink's metrics go ({@code spanline.index.*})
   * @throws IllegalStateException if the topic is missing, Kafka fails, the sink's consumer fails,
   *     or the timeout passes
   */
  public static Result run(
      IndexSinkConfig base,
      SchemaRegistryClient registry,
      String topic,
      IndexLayout layout,
      String groupId,
      MeterRegistry metrics,
      Options options)
      throws InterruptedException {
    StreamsApps.requireTopics(
        base.kafka(), List.of(topic, base.consumer().deadLetterTopic()), "index-sink/README.md");
    ConsumerAppSettings c = base.consumer();
    IndexSinkConfig config =
        new IndexSinkConfig(
            base.kafka(),
            base.registry(),
            new ConsumerAppSettings(
                topic,
                c.deadLetterTopic(),
                groupId,
                1,
                c.maxPollRecords(),
                c.retryInitialBackoff(),
                c.retryMaxBackoff(),
                c.consumerOverrides()),
            base.openSearch(),
            layout,
            base.shards(),
            base.replicas(),
            base.refreshInterval(),
            base.keywordMaxLength(),
            base.attributeAllowlist(),
            base.bulkMaxActions(),
            base.bulkMaxBytes(),
            base.bulkRefusedMaxAttempts(),
            base.retention(),
            base.retentionInterval(),
            base.retentionDeleteBatch(),
            base.spanStartMaxFuture(),
            base.tenantLimits(),
            base.admin());
    IndexSinkMetrics sinkMetrics = new IndexSinkMetrics(metrics);
    // the tenants' allowlists and hot retention as the live sink applies them, read once
    try (TenantLimitsSettings.Source tenantLimits = base.tenantLimits().open(metrics);
        OpenSearchConnection openSearch = OpenSearchConnection.open(base.openSearch());
        KafkaProducer<byte[], byte[]> deadLetters =
            new KafkaProducer<>(SinkClients.deadLetterProducerConfig(base.kafka(), groupId))) {
      ConfluentAvroSerde<SampledTrace> values =
          new ConfluentAvroSerde<>(AvroRecordCodec.SAMPLED_TRACE, registry);
      TopicCatchUp.Outcome outcome =
          TopicCatchUp.run(
              new TopicCatchUp.Target(base.kafka(), c.consumerOverrides(), topic, groupId, "index"),
              () ->
                  new IndexSink(
                      config,
                      new KafkaConsumer<byte[], byte[]>(
                          SinkClients.consumerConfig(
                              base.kafka(), groupId, 0, c.maxPollRecords(), c.consumerOverrides())),
                      values.deserializer(),
                      openSearch.client(),
                      deadLetters,
                      sinkMetrics,
                      new TenantIndexSettings(
                          tenantLimits, base.attributeAllowlist(), base.retention()),
                      Clock.systemUTC()),
              () -> count(metrics, "spanline.index.records"),
              new TopicCatchUp.Options(
                  options.progress(),
                  options.progressInterval(),
                  options.err(),
                  options.stopRequested(),
                  options.timeout()));
      return new Result(
          outcome.offsets(),
          outcome.complete(),
          count(metrics, "spanline.index.records"),
          count(metrics, "spanline.index.dead.letters"));
    } catch (IOException e) {
      throw new IllegalStateException("closing the OpenSearch client failed: " + e, e);
    }
  }

  private static long count(MeterRegistry metrics, String name) {
    return (long) metrics.find(name).counters().stream().mapToDouble(x -> x.count()).sum();
  }
}
