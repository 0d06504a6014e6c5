package io.spanline.service.consumer;

import io.spanline.service.config.KafkaSettings;
import io.spanline.service.process.ProgressLine;
import java.io.PrintStream;
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
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Runs one sink consumer (a {@link ConsumerThreads.Worker}) over a topic on its own thread until
 * its consumer group has committed every record that was in the topic when the run started, then
 * stops it. The group's committed offsets are the checkpoint: a run stopped (or crashed) and run
 * again with the same group continues where the group's commits end. Used by {@code spanline
 * generation create} to index and archive a replay's output topic with the sinks' own write paths.
 *
 * <p>The end of each partition is its {@code read_committed} end offset at the start, moved back to
 * just after the last record before it: a transactional producer (the replay) leaves transaction
 * markers after its last record, which no consumer ever commits past. Progress (offsets committed
 * of the total, records read, rate, ETA) goes to a {@link ProgressLine}.
 */
public final class TopicCatchUp {
  private TopicCatchUp() {}

  /**
   * How the run is shown and bounded.
   *
   * @param progress how progress is shown
   * @param progressInterval how often it is refreshed and the group's offsets checked (checked at
   *     least every 500 ms and at most every 50 ms)
   * @param err where progress goes
   * @param stopRequested true once the run should stop (Ctrl-C): it then returns incomplete
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
   * What the group's consumer is and reads.
   *
   * @param kafka how to reach Kafka
   * @param consumerOverrides the sink's {@code consumer.*} settings (prefix removed), applied to
   *     the consumer that looks for each partition's last record
   * @param topic the topic to catch up with; its offsets start at 0 in the progress line (a fresh
   *     topic)
   * @param groupId the worker's consumer group, whose committed offsets are watched
   * @param label what the worker does, for the progress line and errors, e.g. {@code index} or
   *     {@code archive}
   */
  public record Target(
      KafkaSettings kafka,
      Map<String, String> consumerOverrides,
      String topic,
      String groupId,
      String label) {
    public Target {
      Objects.requireNonNull(kafka, "kafka");
      consumerOverrides = Map.copyOf(consumerOverrides);
      Objects.requireNonNull(topic, "topic");
      Objects.requireNonNull(groupId, "groupId");
      Objects.requireNonNull(label, "label");
    }
  }

  /**
   * What a run did.
   *
   * @param offsets the topic's offsets up to its last committed record at the start, summed over
   *     partitions (records, and the transaction markers between them), all runs together
   * @param complete whether the group reached that end (false: stopped; run again to continue)
   */
  public record Outcome(long offsets, boolean complete) {}

  /**
   * Reads the topic's end, makes the worker and runs it on a thread named {@code
   * spanline-generation-<label>} until the group has committed up to that end, a stop is requested
   * or the timeout passes; then stops the worker (what it has not committed is read again by the
   * next run) and waits up to 60 s for its thread.
   *
   * @param worker makes the worker (a consumer of {@code target.groupId()} subscribed to {@code
   *     target.topic()} that commits what it has stored); called once, after the end was read
   * @param recordsRead records the worker has read so far, for the progress line
   * @throws IllegalStateException if the topic is missing, Kafka fails, the worker fails or returns
   *     before the end (its exception is the cause), or the timeout passes
   * @throws InterruptedException if interrupted while waiting (the worker is stopped)
   */
  public static Outcome run(
      Target target,
      Supplier<? extends ConsumerThreads.Worker> worker,
      LongSupplier recordsRead,
      Options options)
      throws InterruptedException {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(worker, "worker");
    Objects.requireNonNull(recordsRead, "recordsRead");
    Objects.requireNonNull(options, "options");
    try (Admin admin = Admin.create(target.kafka().clientConfig())) {
      Map<TopicPartition, Long> end = lastRecordEnds(target, endOffsets(admin, target.topic()));
      long total = end.values().stream().mapToLong(Long::longValue).sum();
      ConsumerThreads.Worker w = worker.get();
      AtomicReference<Throwable> failed = new AtomicReference<>();
      Thread thread =
          new Thread(
              () -> {
                try {
                  w.run();
                } finally {
                  w.cleanUp();
                }
              },
              "spanline-generation-" + target.label());
      thread.setUncaughtExceptionHandler((t, e) -> failed.set(e));
      thread.start();
      boolean complete;
      try {
        complete = awaitEnd(admin, target, end, total, thread, failed, recordsRead, options);
      } finally {
        w.stop();
        thread.join(TimeUnit.SECONDS.toMillis(60));
      }
      return new Outcome(total, complete);
    }
  }

  private static boolean awaitEnd(
      Admin admin,
      Target target,
      Map<TopicPartition, Long> end,
      long total,
      Thread worker,
      AtomicReference<Throwable> failed,
      LongSupplier recordsRead,
      Options options)
      throws InterruptedException {
    ProgressLine line =
        new ProgressLine(
            options.err(), options.progress(), options.progressInterval(), System::nanoTime);
    long deadline = System.nanoTime() + options.timeout().toNanos();
    long atStart = -1;
    while (true) {
      if (failed.get() != null || !worker.isAlive()) {
        throw new IllegalStateException(
            "the "
                + target.label()
                + " consumer of "
                + target.topic()
                + " stopped: "
                + failed.get(),
            failed.get());
      }
      Map<TopicPartition, OffsetAndMetadata> committed;
      try {
        committed =
            admin
                .listConsumerGroupOffsets(target.groupId())
                .partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        throw new IllegalStateException(
            "cannot read the offsets of group " + target.groupId() + ": " + e.getMessage(), e);
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
      long read = recordsRead.getAsLong();
      boolean stop = options.stopRequested().getAsBoolean();
      line.show(
          () -> {
            double rate = thisRun / line.elapsedSeconds(line.now());
            return String.format(
                Locale.ROOT,
                "%s: %,d of %,d offsets, %.1f %%, %,d records read, %,.0f offsets/s, ETA %s",
                target.label(),
                doneNow,
                total,
                total == 0 ? 100.0 : 100.0 * doneNow / total,
                read,
                rate,
                ProgressLine.eta(total - doneNow, rate));
          },
          caughtUp || stop);
      if (caughtUp) {
        return true;
      }
      if (stop) {
        return false;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the "
                + target.label()
                + " consumer did not catch up with "
                + target.topic()
                + " within "
                + options.timeout());
      }
      Thread.sleep(Math.min(500, Math.max(50, options.progressInterval().toMillis())));
    }
  }

  /**
   * Per partition, the offset after its last committed record before {@code end}: what the sink
   * commits once it has stored that record. The end itself may lie past transaction markers, which
   * no consumer commits as a record. Found by reading backwards from the end in growing windows.
   */
  private static Map<TopicPartition, Long> lastRecordEnds(
      Target target, Map<TopicPartition, Long> end) {
    Map<String, Object> probe =
        SinkClients.consumerConfig(target.kafka(), "unused", 0, 500, target.consumerOverrides());
    probe.remove(ConsumerConfig.GROUP_ID_CONFIG);
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

  /** The read_committed end of every partition. */
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
