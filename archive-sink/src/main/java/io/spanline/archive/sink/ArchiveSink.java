package io.spanline.archive.sink;

import io.spanline.archive.config.ArchiveSinkConfig;
import io.spanline.archive.metrics.ArchiveSinkMetrics;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.StartTimeWindow;
import io.spanline.service.consumer.ConsumerThreads;
import io.spanline.service.consumer.DeadLetters;
import io.spanline.service.consumer.PausingBackoff;
import io.spanline.service.logging.LogContext;
import io.spanline.storage.archive.ArchiveLayout;
import io.spanline.storage.archive.ArchiveWriter;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One consumer of the sampled-traces topic archiving to S3. Records accumulate in a roll per
 * partition; when the consumer's rolls reach {@code roll.max.bytes} or the oldest is {@code
 * roll.max.age.ms} old, they are uploaded:
 *
 * <ol>
 *   <li>each roll's end offset is committed as metadata of its first offset (the position does not
 *       move), so whoever reads the partition next knows where the roll ends;
 *   <li>every file of every roll is written and uploaded (retried with backoff, partitions paused,
 *       while S3 fails);
 *   <li>dead letters are flushed and the offsets after each roll committed.
 * </ol>
 *
 * <p>A consumer that dies in between leaves the roll end behind: its successor ends its first roll
 * of that partition at exactly that offset, so it writes the same keys again and overwrites what
 * was uploaded. Nothing is lost (nothing is committed before the upload) and nothing is duplicated
 * (the same records go to the same keys). A record that cannot be read goes to the dead-letter
 * topic and counts in its roll's offsets. Spans that started before the retention or further ahead
 * than {@code span.start.max-future.ms} are left out and counted per tenant: each hour a start time
 * names becomes an object prefix, and records written straight to Kafka (a Collector) skip the
 * gateway's check.
 */
public final class ArchiveSink implements ConsumerThreads.Worker {
  private static final Logger LOG = LoggerFactory.getLogger(ArchiveSink.class);
  private static final Duration POLL = Duration.ofMillis(500);

  private final Consumer<byte[], byte[]> consumer;
  private final String topic;
  private final Deserializer<SampledTrace> values;
  private final RollWriter writer;
  private final DeadLetters deadLetters;
  private final ArchiveSinkMetrics metrics;
  private final PausingBackoff backoff;
  private final long rollMaxBytes;
  private final long rollMaxAgeNanos;
  private final Clock clock;
  private final Function<String, Duration> retention;
  private final Duration spanStartMaxFuture;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Map<TopicPartition, Roll> rolls = new LinkedHashMap<>();
  private final Map<TopicPartition, Optional<Long>> requiredEnds = new HashMap<>();

  /** Partitions revoked (or lost) since the last poll: their polled records are not ours. */
  private final Set<TopicPartition> revokedSincePoll = new HashSet<>();

  private long rollBytes;
  private long rollStartedNanos;

  /** Like the constructor below, every tenant's spans archived back to {@code retention.days}. */
  public ArchiveSink(
      ArchiveSinkConfig config,
      int number,
      Consumer<byte[], byte[]> consumer,
      Deserializer<SampledTrace> values,
      S3Client s3,
      Producer<byte[], byte[]> deadLetterProducer,
      ArchiveSinkMetrics metrics,
      Clock clock) {
    this(
        config,
        number,
        consumer,
        values,
        s3,
        deadLetterProducer,
        metrics,
        tenant -> config.retention(),
        clock);
  }

  /**
   * @param number this consumer's number in the process, naming its work folder
   * @param consumer a consumer with auto-commit off, not yet subscribed; the sink owns it
   * @param values reads {@code SampledTrace} values (Confluent wire format)
   * @param s3 shared with other sinks; not closed by this one
   * @param deadLetterProducer shared with other sinks; not closed by this one
   * @param retention how far back a tenant's span starts are archived: {@code retention.days}, or
   *     the tenant's shorter {@code cold-retention-days}
   * @param clock the clock the archived window of span start times ({@code retention.days} back,
   *     {@code span.start.max-future.ms} ahead) is measured against
   */
  public ArchiveSink(
      ArchiveSinkConfig config,
      int number,
      Consumer<byte[], byte[]> consumer,
      Deserializer<SampledTrace> values,
      S3Client s3,
      Producer<byte[], byte[]> deadLetterProducer,
      ArchiveSinkMetrics metrics,
      Function<String, Duration> retention,
      Clock clock) {
    this.consumer = consumer;
    this.topic = config.consumer().topic();
    this.values = values;
    this.writer =
        new RollWriter(
            ArchiveWriter.toS3(
                s3,
                config.bucket(),
                config.layout(),
                config.multipartThreshold(),
                config.multipartPartBytes(),
                config.rowGroupBytes(),
                config.pageBytes(),
                config.workDir().resolve("consumer-" + number)),
            values,
            topic,
            metrics);
    this.deadLetters = new DeadLetters(deadLetterProducer, config.consumer().deadLetterTopic());
    this.metrics = metrics;
    this.backoff =
        new PausingBackoff(
            consumer,
            config.consumer().retryInitialBackoff(),
            config.consumer().retryMaxBackoff(),
            metrics::paused);
    this.rollMaxBytes = config.rollMaxBytes();
    this.rollMaxAgeNanos = config.rollMaxAge().toNanos();
    this.clock = clock;
    this.retention = retention;
    this.spanStartMaxFuture = config.spanStartMaxFuture();
  }

  @Override
  public void run() {
    try {
      consumer.subscribe(List.of(topic), new Rebalance());
      while (running.get()) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
        revokedSincePoll.clear();
        for (ConsumerRecord<byte[], byte[]> r : records) {
          TopicPartition tp = new TopicPartition(r.topic(), r.partition());
          if (revokedSincePoll.contains(tp)) {
            // Revoked during a flush below: whoever owns it now reads these from the last commit.
            continue;
          }
          add(r);
          if (rolls.get(tp).reachedRequiredEnd() && !flush()) {
            return;
          }
        }
        if (!rolls.isEmpty()
            && (rollBytes >= rollMaxBytes
                || System.nanoTime() - rollStartedNanos >= rollMaxAgeNanos)
            && !flush()) {
          return;
        }
      }
    } catch (WakeupException e) {
      if (running.get()) {
        throw e;
      }
    } finally {
      backoff.forget();
      metrics.rollDone(rollBytes);
      consumer.close();
    }
  }

  /** Stops the loop (from any thread); open rolls are left uncommitted, to be read again. */
  @Override
  public void stop() {
    running.set(false);
    consumer.wakeup();
  }

  private void add(ConsumerRecord<byte[], byte[]> r) {
    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
    Roll roll =
        rolls.computeIfAbsent(tp, p -> new Roll(requiredEnds.getOrDefault(p, Optional.empty())));
    if (rollBytes == 0 && rolls.size() == 1 && roll.isEmpty()) {
      rollStartedNanos = System.nanoTime();
    }
    long size = r.value() == null ? 0 : r.value().length;
    Roll.Entry entry = null;
    try {
      SampledTrace sampled = values.deserialize(r.topic(), r.headers(), r.value());
      StartTimeWindow window =
          StartTimeWindow.around(
              clock.instant(), retention.apply(sampled.trace().tenant()), spanStartMaxFuture);
      StartTimeWindow.Narrowed inWindow = window.narrow(sampled);
      if (inWindow.leftOut() > 0) {
        metrics.outOfWindow(sampled.trace().tenant(), inWindow.leftOut());
      }
      if (inWindow.kept().isPresent()) {
        AssembledTrace trace = inWindow.kept().get().trace();
        entry =
            new Roll.Entry(
                trace.traceId().toHex(),
                trace.tenant(),
                ArchiveLayout.hourOf(trace.summary().startEpochNanos()),
                r.value(),
                inWindow.leftOut() > 0 ? window : null);
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
      metrics.deadLettered();
    }
    roll.add(r.offset(), size, entry);
    rollBytes += size;
    metrics.recordRead(size);
  }

  /**
   * Uploads every roll and commits after them. A rebalance may run while S3 is retried (the
   * consumer polls while it waits): rolls of partitions revoked then are dropped by the listener,
   * are not uploaded any further and are not committed — their next owner reads them again from the
   * last commit.
   *
   * @return false when the sink was stopped while S3 was failing
   */
  private boolean flush() {
    // A roll that must end where a predecessor's did waits for that offset (see Roll#mayEnd).
    List<TopicPartition> due = new ArrayList<>();
    rolls.forEach(
        (tp, roll) -> {
          if (roll.mayEnd()) {
            due.add(tp);
          }
        });
    if (due.isEmpty()) {
      return true;
    }
    Map<TopicPartition, OffsetAndMetadata> ends = new HashMap<>();
    for (TopicPartition tp : due) {
      Roll roll = rolls.get(tp);
      ends.put(tp, new OffsetAndMetadata(roll.first(), roll.endMetadata()));
    }
    consumer.commitSync(ends);
    // Rolls are looked up again: the rebalance listener removes revoked ones while we retry.
    for (TopicPartition tp : due) {
      for (int attempt = 0; ; attempt++) {
        Roll roll = rolls.get(tp);
        if (roll == null) {
          LOG.info(
              "{} was revoked while its roll was being uploaded; its owner reads it again", tp);
          break;
        }
        try {
          writer.write(tp.partition(), roll);
          break;
        } catch (IOException | SdkException ex) {
          LOG.warn(
              "Uploading roll {}-{}..{} failed; will retry: {}",
              tp,
              roll.first(),
              roll.last(),
              ex.toString());
          metrics.retried();
          if (!backoff.waitBeforeRetry(attempt, running::get)) {
            return false;
          }
        }
      }
    }
    deadLetters.flush();
    Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
    Set<TopicPartition> owned = consumer.assignment();
    for (TopicPartition tp : due) {
      Roll roll = rolls.get(tp);
      if (roll != null && owned.contains(tp)) {
        next.put(tp, new OffsetAndMetadata(roll.last() + 1));
      }
    }
    if (!next.isEmpty()) {
      try {
        consumer.commitSync(next);
      } catch (CommitFailedException | RebalanceInProgressException e) {
        // Uploaded but not committed: whoever reads these partitions next ends its first roll at
        // the committed roll end and overwrites the same keys.
        LOG.warn(
            "Commit after the upload failed in a rebalance; rolls are written again: {}",
            e.toString());
      }
    }
    long doneBytes = 0;
    for (TopicPartition tp : due) {
      Roll roll = rolls.remove(tp);
      if (roll != null) {
        // (a roll revoked meanwhile is gone already, and a required end set since it was
        // assigned again belongs to the roll its records will be read into next)
        requiredEnds.remove(tp);
        doneBytes += roll.bytes();
      }
    }
    metrics.rollDone(doneBytes);
    rollBytes -= doneBytes;
    rollStartedNanos = System.nanoTime();
    backoff.resumeIfPaused();
    return true;
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      drop(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      drop(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      backoff.onAssigned(partitions);
      Set<TopicPartition> assigned = new HashSet<>(partitions);
      consumer
          .committed(assigned)
          .forEach(
              (tp, offset) -> {
                Optional<Long> end = Roll.requiredEnd(offset == null ? null : offset.metadata());
                requiredEnds.put(tp, end);
                end.ifPresent(
                    e ->
                        LOG.info(
                            "{}: a roll ending at offset {} was being uploaded; writing it again",
                            tp,
                            e));
              });
    }

    /** Their records are read again by the next owner, from the last commit. */
    private void drop(Collection<TopicPartition> partitions) {
      revokedSincePoll.addAll(partitions);
      for (TopicPartition tp : partitions) {
        Roll roll = rolls.remove(tp);
        requiredEnds.remove(tp);
        if (roll != null) {
          rollBytes -= roll.bytes();
          metrics.rollDone(roll.bytes());
        }
      }
    }
  }
}
