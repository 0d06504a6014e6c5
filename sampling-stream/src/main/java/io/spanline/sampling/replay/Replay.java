package io.spanline.sampling.replay;

import io.spanline.sampling.SamplingTopology;
import io.spanline.sampling.config.SamplingConfig;
import io.spanline.sampling.metrics.SamplingMetrics;
import io.spanline.sampling.policy.SamplingPolicies;
import io.spanline.schemas.registry.SchemaRegistryClient;
import io.spanline.schemas.topic.SpanlineTopics;
import io.spanline.service.config.KafkaSettings;
import io.spanline.service.process.ProgressLine;
import io.spanline.service.streams.DeadLetteringHandler;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-samples a time range of {@code spanline.traces.assembled} with another policy file: runs the
 * sampling topology (replay options: kept traces only, no decisions, no metrics) under its own
 * {@code application.id}, starting each partition at the first record at or after {@code from} and
 * stopping once every partition has been read to the first record at or after {@code to}. Records
 * outside the range are skipped. Kept traces go to the output topic, created (with the input's
 * partition count) when missing.
 */
final class Replay {
  private static final Logger LOG = LoggerFactory.getLogger(Replay.class);

  /**
   * What a replay did.
   *
   * @param recordsInRange records between the range's start and end offsets
   * @param traces traces and late fragments decided by this run
   * @param kept of them, kept
   * @param complete whether the replay reached the end of the range (false: stopped, resumable)
   */
  public record Result(long recordsInRange, long traces, long kept, boolean complete) {}

  /**
   * How a replay runs.
   *
   * @param resume continue the consumer group of the application ID (from a checkpoint) instead of
   *     refusing a used one
   * @param maxRecords stop once this run has committed this many records (0: no limit)
   * @param rate the rate cap on the records read
   * @param progress how progress is shown
   * @param progressInterval how often it is refreshed and the offsets checked
   * @param err where progress goes
   * @param stopRequested true once the replay should stop (Ctrl-C)
   * @param committed told the committed next offsets per partition at each check
   */
  record Options(
      boolean resume,
      long maxRecords,
      RateCap rate,
      ProgressLine.Mode progress,
      Duration progressInterval,
      PrintStream err,
      BooleanSupplier stopRequested,
      Consumer<Map<Integer, Long>> committed) {}

  private Replay() {}

  /**
   * Runs the replay to its end, or until it is asked to stop.
   *
   * @param config sampling settings with the replay's application ID and output topic as its
   *     sampled-traces topic (see {@link SamplingConfig#forReplay})
   * @throws IllegalStateException if the application ID has been used before and this is not a
   *     resumed run (its consumer group has offsets: pick a new one, so no state of an earlier run
   *     leaks in), or Kafka fails
   * @throws IllegalArgumentException if the input topic does not exist or the range is empty
   */
  public static Result run(
      SamplingConfig config,
      SchemaRegistryClient registry,
      SamplingPolicies policies,
      Instant from,
      Instant to,
      Duration timeout,
      Options options)
      throws InterruptedException {
    String input = config.topics().assembledTraces();
    String output = config.topics().sampledTraces();
    TimeRangeOffsets range = TimeRangeOffsets.of(config.kafka(), input, from, to);
    try (Admin admin = Admin.create(config.kafka().clientConfig())) {
      prepare(
          admin,
          config.applicationId(),
          input,
          output,
          config.deadLetterTopic(),
          range,
          options.resume());
    }
    SamplingMetrics metrics = SamplingMetrics.detached();
    SpanlineTopics topics = new SpanlineTopics(config.topics(), registry);
    Properties props = SamplingTopology.streamsConfig(config);
    props.put(DeadLetteringHandler.COUNTER_CONFIG, (Consumer<Exception>) metrics::deadLettered);
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    if (options.rate().perSecond() > 0) {
      props.put(
          StreamsConfig.mainConsumerPrefix(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG),
          RateCapInterceptor.class.getName());
      props.put(RateCapInterceptor.RATE_CAP_CONFIG, options.rate());
      props.put(
          StreamsConfig.mainConsumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG),
          (int) Math.max(1, Math.min(500, options.rate().perSecond())));
    }
    SamplingTopology.Options topologyOptions =
        SamplingTopology.Options.replay(config, from.toEpochMilli(), to.toEpochMilli());
    LOG.info(
        "Replaying {} records of {} in [{}, {}) to {} (application.id {})",
        range.records(),
        input,
        from,
        to,
        output,
        config.applicationId());
    boolean complete;
    try (KafkaStreams streams =
        new KafkaStreams(
            SamplingTopology.build(topologyOptions, topics, () -> policies, metrics), props)) {
      streams.start();
      complete = awaitEnd(config, range, streams, timeout, options, metrics);
      // leaving the group lets a continued run take the partitions at once, not after the session
      // timeout (measured: 43 s to continue without it, 45 s being the default session timeout)
      streams.close(
          CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
              .withTimeout(Duration.ofSeconds(60)));
    }
    double traces = sum(metrics, "spanline.sampling.traces", null);
    double kept = sum(metrics, "spanline.sampling.traces", "keep");
    return new Result(range.records(), (long) traces, (long) kept, complete);
  }

  private static double sum(SamplingMetrics metrics, String name, String decision) {
    var search = metrics.registry().find(name);
    if (decision != null) {
      search = search.tag("decision", decision);
    }
    return search.counters().stream().mapToDouble(c -> c.count()).sum();
  }

  /** Refuses a used application ID, creates the output topic, sets the start offsets. */
  private static void prepare(
      Admin admin,
      String applicationId,
      String input,
      String output,
      String deadLetterTopic,
      TimeRangeOffsets range,
      boolean resume) {
    try {
      Map<TopicPartition, OffsetAndMetadata> existing =
          admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata().get();
      boolean used = existing != null && !existing.isEmpty();
      if (used && !resume) {
        throw new IllegalStateException(
            "application.id "
                + applicationId
                + " has been used before (its consumer group has committed offsets); choose a new"
                + " --application-id for this replay");
      }
      Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      TopicDescription in = admin.describeTopics(List.of(input)).allTopicNames().get().get(input);
      for (String t : List.of(output, deadLetterTopic)) {
        if (!topics.contains(t)) {
          int partitions = t.equals(output) ? in.partitions().size() : 1;
          admin
              .createTopics(
                  List.of(
                      new NewTopic(
                          t, java.util.Optional.of(partitions), java.util.Optional.empty())))
              .all()
              .get();
          LOG.info("Created topic {} with {} partitions", t, partitions);
        }
      }
      if (used) {
        LOG.info(
            "Continuing the replay of application.id {} from its committed offsets", applicationId);
        return;
      }
      Map<TopicPartition, OffsetAndMetadata> start = new java.util.HashMap<>();
      range.start().forEach((p, o) -> start.put(p, new OffsetAndMetadata(o)));
      admin.alterConsumerGroupOffsets(applicationId, start).all().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while preparing the replay", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "Kafka failed while preparing the replay: " + e.getMessage(), e);
    }
  }

  /**
   * Waits until the group's committed offsets reach the range's end in every partition (true), or
   * the run is asked to stop (false), showing progress: records by committed offsets, traces by the
   * stream's counters, the share of the range by offsets.
   */
  private static boolean awaitEnd(
      SamplingConfig config,
      TimeRangeOffsets range,
      KafkaStreams streams,
      Duration timeout,
      Options options,
      SamplingMetrics metrics)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long total = range.records();
    ReplayProgress progress =
        new ReplayProgress(
            options.err(),
            options.progress(),
            options.progressInterval(),
            System::nanoTime,
            Instant.EPOCH,
            Instant.EPOCH.plusMillis(1),
            0,
            0,
            total,
            List.of(),
            0);
    long doneAtStart = -1;
    try (Admin admin = Admin.create(config.kafka().clientConfig())) {
      while (true) {
        if (streams.state() == KafkaStreams.State.ERROR
            || streams.state() == KafkaStreams.State.NOT_RUNNING) {
          throw new IllegalStateException("the replay stream stopped: " + streams.state());
        }
        Map<TopicPartition, OffsetAndMetadata> committed;
        try {
          committed =
              admin
                  .listConsumerGroupOffsets(config.applicationId())
                  .partitionsToOffsetAndMetadata()
                  .get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
          throw new IllegalStateException("cannot read the replay's offsets: " + e.getMessage(), e);
        }
        boolean done = true;
        long doneRecords = 0;
        Map<Integer, Long> next = new java.util.TreeMap<>();
        for (Map.Entry<TopicPartition, Long> e : range.end().entrySet()) {
          OffsetAndMetadata c = committed.get(e.getKey());
          long start = range.start().get(e.getKey());
          long at = c == null ? start : c.offset();
          next.put(e.getKey().partition(), at);
          doneRecords += Math.max(0, Math.min(at, e.getValue()) - start);
          if (at < e.getValue()) {
            done = false;
          }
        }
        if (doneAtStart < 0) {
          doneAtStart = doneRecords;
        }
        options.committed().accept(next);
        progress.update(
            doneRecords,
            (long) sum(metrics, "spanline.sampling.traces", null),
            doneRecords - doneAtStart,
            total == 0 ? 1 : (double) doneRecords / total,
            total - doneRecords);
        if (done) {
          progress.finish();
          return true;
        }
        if (options.stopRequested().getAsBoolean()
            || (options.maxRecords() > 0 && doneRecords - doneAtStart >= options.maxRecords())) {
          progress.finish();
          return false;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the replay did not finish within " + timeout);
        }
        Thread.sleep(Math.min(500, Math.max(50, options.progressInterval().toMillis())));
      }
    }
  }

  /** A read_committed byte consumer without a group, returning up to {@code maxPollRecords}. */
  static KafkaConsumer<byte[], byte[]> consumer(KafkaSettings kafka, int maxPollRecords) {
    return new KafkaConsumer<>(
        kafka.clientConfig(
            Map.of(
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                maxPollRecords)),
        new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
  }
}
