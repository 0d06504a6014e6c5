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
import io.spanline.service.process.ProgressLine;
import io.spanline.service.streams.StreamsApps;
import io.spanline.service.tenancy.TenantLimitsSettings;
import io.spanline.storage.opensearch.IndexLayout;
import io.spanline.storage.opensearch.OpenSearchConnection;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Indexes a topic of kept traces (a replay's output) into another index layout (a generation's)
 * with the index sink's own consumer and write path, until its consumer group has committed every
 * record that was in the topic when it started. The group's committed offsets are its checkpoint:
 * run it again after a crash and it continues; documents have deterministic IDs, so what is indexed
 * twice is overwritten. Progress goes to a {@link ProgressLine}.
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
        Admin admin = Admin.create(base.kafka().clientConfig());
        OpenSearchConnection openSearch = OpenSearchConnection.open(base.openSearch());
        KafkaProducer<byte[], byte[]> deadLetters =
            new KafkaProducer<>(SinkClients.deadLetterProducerConfig(base.kafka(), groupId))) {
      Map<TopicPartition, Long> end = lastRecordEnds(base, topic, endOffsets(admin, topic));
      long total = end.values().stream().mapToLong(Long::longValue).sum();
      ConfluentAvroSerde<SampledTrace> values =
          new ConfluentAvroSerde<>(AvroRecordCodec.SAMPLED_TRACE, registry);
      IndexSink sink =
          new IndexSink(
              config,
              new KafkaConsumer<byte[], byte[]>(
                  SinkClients.consumerConfig(
                      base.kafka(), groupId, 0, c.maxPollRecords(), c.consumerOverrides())),
              values.deserializer(),
              openSearch.client(),
              deadLetters,
              sinkMetrics,
              new TenantIndexSettings(tenantLimits, base.attributeAllowlist(), base.retention()),
              Clock.systemUTC());
      AtomicReference<Throwable> failed = new AtomicReference<>();
      Thread worker = new Thread(sink, "spanline-generation-index");
      worker.setUncaughtExceptionHandler((t, e) -> failed.set(e));
      worker.start();
      boolean complete;
      try {
        complete = awaitEnd(admin, groupId, end, total, worker, failed, options, metrics);
      } finally {
        sink.stop();
        worker.join(TimeUnit.SECONDS.toMillis(60));
      }
      return new Result(
          total,
          complete,
          count(metrics, "spanline.index.records"),
          count(metrics, "spanline.index.dead.letters"));
    } catch (IOException e) {
      throw new IllegalStateException("closing the OpenSearch client failed: " + e, e);
    }
  }

  private static long count(MeterRegistry metrics, String name) {
    return (long) metrics.find(name).counters().stream().mapToDouble(x -> x.count()).sum();
  }

  private static boolean awaitEnd(
      Admin admin,
      String groupId,
      Map<TopicPartition, Long> end,
      long total,
      Thread worker,
      AtomicReference<Throwable> failed,
      Options options,
      MeterRegistry metrics)
      throws InterruptedException {
    ProgressLine line =
        new ProgressLine(
            options.err(), options.progress(), options.progressInterval(), System::nanoTime);
    long deadline = System.nanoTime() + options.timeout().toNanos();
    long atStart = -1;
    while (true) {
      if (failed.get() != null || !worker.isAlive()) {
        throw new IllegalStateException(
            "the generation's index consumer stopped: " + failed.get(), failed.get());
      }
      Map<TopicPartition, OffsetAndMetadata> committed;
      try {
        committed =
            admin
                .listConsumerGroupOffsets(groupId)
                .partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        throw new IllegalStateException(
            "cannot read the offsets of group " + groupId + ": " + e.getMessage(), e);
      }
      long done = 0;
      boolean caughtUp = true;
      for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
        OffsetAndMetadata at = committed == null ? null : committed.get(e.getKey());
        long offset = at == null ? 0 : Math.min(at.offset(), e.getValue());
        done += offset;
        if (offset < e.getValue()) {
          caughtUp = false;
        }
      }
      if (atStart < 0) {
        atStart = done;
      }
      long doneNow = done;
      long thisRun = done - atStart;
      long read = count(metrics, "spanline.index.records");
      boolean last = caughtUp || options.stopRequested().getAsBoolean();
      line.show(
          () -> {
            double rate = thisRun / line.elapsedSeconds(line.now());
            return String.format(
                Locale.ROOT,
                "index: %,d of %,d offsets, %.1f %%, %,d records read, %,.0f offsets/s, ETA %s",
                doneNow,
                total,
                total == 0 ? 100.0 : 100.0 * doneNow / total,
                read,
                rate,
                ProgressLine.eta(total - doneNow, rate));
          },
          last);
      if (caughtUp) {
        return true;
      }
      if (options.stopRequested().getAsBoolean()) {
        return false;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "indexing the generation did not finish within " + options.timeout());
      }
      Thread.sleep(Math.min(500, Math.max(50, options.progressInterval().toMillis())));
    }
  }

  /**
   * Per partition, the offset after its last committed record before {@code end}: what the sink
   * commits once it has indexed that record. The end itself may lie past transaction markers (the
   * replay writes transactionally), which no consumer commits as a record. Found by reading
   * backwards from the end in growing windows.
   */
  private static Map<TopicPartition, Long> lastRecordEnds(
      IndexSinkConfig base, String topic, Map<TopicPartition, Long> end) {
    Map<String, Object> probe =
        SinkClients.consumerConfig(
            base.kafka(), "unused", 0, 500, base.consumer().consumerOverrides());
    probe.remove(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_ID_CONFIG);
    Map<TopicPartition, Long> out = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(probe)) {
      for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
        TopicPartition tp = e.getKey();
        long stop = e.getValue();
        long beginning = consumer.beginningOffsets(List.of(tp)).get(tp);
        long last = -1;
        consumer.assign(List.of(tp));
        for (long window = 64; last < 0 && stop > beginning; window *= 4) {
          long from = Math.max(beginning, stop - window);
          consumer.seek(tp, from);
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
          while (consumer.position(tp) < stop && System.nanoTime() < deadline) {
            for (var r : consumer.poll(Duration.ofMillis(200)).records(tp)) {
              if (r.offset() < stop) {
                last = Math.max(last, r.offset());
              }
            }
          }
          if (from == beginning) {
            break;
          }
        }
        out.put(tp, last + 1);
      }
    }
    return out;
  }

  /** The read_committed end of every partition (offsets from 0: a replay's fresh topic). */
  private static Map<TopicPartition, Long> endOffsets(Admin admin, String topic) {
    try {
      int partitions =
          admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
      Map<TopicPartition, OffsetSpec> request = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        request.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      Map<TopicPartition, Long> end = new HashMap<>();
      admin
          .listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
          .all()
          .get(30, TimeUnit.SECONDS)
          .forEach((tp, info) -> end.put(tp, info.offset()));
      return end;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the end of " + topic, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "cannot read the end offsets of " + topic + ": " + e.getMessage(), e);
    }
  }
}
