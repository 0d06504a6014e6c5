package io.spanline.index.sink;

import io.spanline.index.config.IndexSinkConfig;
import io.spanline.index.metrics.IndexSinkMetrics;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.StartTimeWindow;
import io.spanline.service.consumer.ConsumerThreads;
import io.spanline.service.consumer.DeadLetters;
import io.spanline.service.consumer.PausingBackoff;
import io.spanline.service.logging.LogContext;
import io.spanline.storage.opensearch.BulkOutcome;
import io.spanline.storage.opensearch.BulkRejection;
import io.spanline.storage.opensearch.PendingAction;
import io.spanline.storage.opensearch.TraceIndexWriter;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer of the sampled-traces topic indexing into OpenSearch. Each poll becomes one batch:
 * records are decoded and mapped to documents (a record that cannot be read is dead-lettered), the
 * documents are bulk-indexed, items OpenSearch refuses for good (e.g. a mapping conflict) send
 * their record to the dead-letter topic, and items that failed for a transient reason are sent
 * again alone. While anything is left to retry, every assigned partition is paused (the consumer
 * keeps polling, so it stays in the group) and the wait doubles per attempt up to the maximum.
 * Offsets are committed only after every item of the batch is indexed or dead-lettered, so nothing
 * is skipped; documents have deterministic IDs, so what is indexed twice after a crash or rebalance
 * is overwritten, not duplicated.
 */
public final class IndexSink implements ConsumerThreads.Worker {
  private static final Logger LOG = LoggerFactory.getLogger(IndexSink.class);
  private static final Duration POLL = Duration.ofMillis(500);

  private final Consumer<byte[], byte[]> consumer;
  private final String topic;
  private final Deserializer<SampledTrace> values;
  private final TraceIndexWriter writer;
  private final Clock clock;
  private final TenantIndexSettings tenants;
  private final Duration spanStartMaxFuture;
  private final DeadLetters deadLetters;
  private final IndexSinkMetrics metrics;
  private final PausingBackoff backoff;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Set<TopicPartition> revoked = new HashSet<>();

  /**
   * @param consumer a consumer with auto-commit off, not yet subscribed; the sink owns it
   * @param values reads {@code SampledTrace} values (Confluent wire format)
   * @param deadLetterProducer shared with other sinks; not closed by this one
   * @param tenants each tenant's attribute allowlist and hot retention
   * @param clock the clock the accepted window of span start times is measured against
   */
  public IndexSink(
      IndexSinkConfig config,
      Consumer<byte[], byte[]> consumer,
      Deserializer<SampledTrace> values,
      OpenSearchClient client,
      Producer<byte[], byte[]> deadLetterProducer,
      IndexSinkMetrics metrics,
      TenantIndexSettings tenants,
      Clock clock) {
    this.consumer = consumer;
    this.topic = config.consumer().topic();
    this.values = values;
    this.clock = clock;
    this.tenants = tenants;
    this.spanStartMaxFuture = config.spanStartMaxFuture();
    this.writer =
        new TraceIndexWriter(
            client,
            config.layout(),
            tenants::allowlist,
            config.bulkMaxActions(),
            config.bulkMaxBytes(),
            config.bulkRefusedMaxAttempts(),
            metrics);
    this.deadLetters = new DeadLetters(deadLetterProducer, config.consumer().deadLetterTopic());
    this.metrics = metrics;
    this.backoff =
        new PausingBackoff(
            consumer,
            config.consumer().retryInitialBackoff(),
            config.consumer().retryMaxBackoff(),
            metrics::paused);
  }

  @Override
  public void run() {
    try {
      consumer.subscribe(List.of(topic), new Rebalance());
      while (running.get()) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
        if (!records.isEmpty()) {
          process(records);
        }
      }
    } catch (WakeupException e) {
      if (running.get()) {
        throw e;
      }
    } finally {
      backoff.forget();
      consumer.close();
    }
  }

  /** Stops the loop (from any thread); the batch in progress is not committed. */
  @Override
  public void stop() {
    running.set(false);
    consumer.wakeup();
  }

  private void process(ConsumerRecords<byte[], byte[]> records) {
    metrics.recordsRead(records.count());
    revoked.clear();
    TraceIndexWriter.Batch<ConsumerRecord<byte[], byte[]>> batch = writer.batch();
    Instant now = clock.instant();
    Map<String, StartTimeWindow> windows = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      try {
        SampledTrace sampled = values.deserialize(r.topic(), r.headers(), r.value());
        StartTimeWindow window =
            windows.computeIfAbsent(
                sampled.trace().tenant(),
                t -> StartTimeWindow.around(now, tenants.retention(t), spanStartMaxFuture));
        StartTimeWindow.Narrowed inWindow = window.narrow(sampled);
        if (inWindow.leftOut() > 0) {
          metrics.outOfWindow(sampled.trace().tenant(), inWindow.leftOut());
        }
        if (inWindow.kept().isPresent()) {
          batch.add(r, inWindow.kept().get());
        }
      } catch (RuntimeException e) {
        try (LogContext ignored = LogContext.ofRecord(r.headers(), r.key())) {
          LOG.warn(
              "Dead-lettering unreadable record {}-{}@{}: {}",
              r.topic(),
              r.partition(),
              r.offset(),
              e.toString());
        }
        deadLetters.send(r, e.getClass().getName(), String.valueOf(e.getMessage()));
        metrics.deadLettered("undecodable");
      }
    }
    List<PendingAction<ConsumerRecord<byte[], byte[]>>> pending = actions(batch);
    if (pending == null) {
      return; // stopped
    }
    Set<ConsumerRecord<byte[], byte[]>> rejected = new HashSet<>();
    int attempt = 0;
    while (!pending.isEmpty()) {
      BulkOutcome<ConsumerRecord<byte[], byte[]>> outcome = writer.index(pending);
      for (BulkRejection<ConsumerRecord<byte[], byte[]>> r : outcome.rejected()) {
        ConsumerRecord<byte[], byte[]> origin = r.action().origin();
        try (LogContext ignored = LogContext.ofRecord(origin.headers(), origin.key())) {
          LOG.warn(
              "OpenSearch refused document {} of record {}-{}@{} ({} {}: {}); dead-lettering the"
                  + " record",
              r.action().id(),
              origin.topic(),
              origin.partition(),
              origin.offset(),
              r.status(),
              r.type(),
              r.reason());
        }
        if (rejected.add(origin)) {
          deadLetters.send(
              origin,
              r.type(),
              "document "
                  + r.action().id()
                  + " refused "
                  + r.action().refusals()
                  + " time(s): "
                  + r.reason());
          metrics.deadLettered(r.tooLarge() ? "too_large" : "rejected");
        }
      }
      pending = outcome.retry();
      if (!pending.isEmpty()) {
        metrics.retried(pending.size());
        if (!backoff.waitBeforeRetry(attempt++, running::get)) {
          return;
        }
        pending = withoutRevoked(pending);
      }
    }
    deadLetters.flush();
    commit(records);
    backoff.resumeIfPaused();
  }

  /**
   * The batch's bulk actions (looking up the summaries' indices, retried while OpenSearch is
   * unreachable); null when the sink was stopped meanwhile.
   */
  private List<PendingAction<ConsumerRecord<byte[], byte[]>>> actions(
      TraceIndexWriter.Batch<ConsumerRecord<byte[], byte[]>> batch) {
    int attempt = 0;
    while (true) {
      try {
        return batch.actions();
      } catch (IOException | RuntimeException e) {
        metrics.bulkError("request_failed", 1);
        LOG.warn("Looking up trace summaries failed; will retry: {}", e.toString());
        if (!backoff.waitBeforeRetry(attempt++, running::get)) {
          return null;
        }
      }
    }
  }

  private List<PendingAction<ConsumerRecord<byte[], byte[]>>> withoutRevoked(
      List<PendingAction<ConsumerRecord<byte[], byte[]>>> pending) {
    if (revoked.isEmpty()) {
      return pending;
    }
    return pending.stream()
        .filter(
            a -> !revoked.contains(new TopicPartition(a.origin().topic(), a.origin().partition())))
        .toList();
  }

  private void commit(ConsumerRecords<byte[], byte[]> records) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    Set<TopicPartition> owned = consumer.assignment();
    for (TopicPartition tp : records.partitions()) {
      if (owned.contains(tp) && !revoked.contains(tp)) {
        List<ConsumerRecord<byte[], byte[]>> rs = records.records(tp);
        offsets.put(tp, new OffsetAndMetadata(rs.get(rs.size() - 1).offset() + 1));
      }
    }
    if (offsets.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(offsets);
    } catch (CommitFailedException | RebalanceInProgressException e) {
      // The partitions moved on; their new owner indexes from the last commit (same IDs).
      LOG.warn("Commit after a rebalance failed; the new owner re-indexes: {}", e.toString());
    }
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      revoked.addAll(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      revoked.addAll(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      backoff.onAssigned(partitions);
    }
  }
}
