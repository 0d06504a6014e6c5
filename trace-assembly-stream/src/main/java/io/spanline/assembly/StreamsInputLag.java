package io.spanline.assembly;

import io.spanline.assembly.buffer.InputLag;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.processor.TaskId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link InputLag} of a running {@link KafkaStreams}, asked of the broker every {@code interval}: a
 * task is behind when, on any of its input partitions, the application's committed offset is below
 * the partition's end (its last stable offset, what a read_committed consumer can reach).
 *
 * <p>Both figures come from the broker ({@link Admin#listOffsets} and {@link
 * Admin#listConsumerGroupOffsets}), not from the stream's own task metadata: the highest offset a
 * task has <em>fetched</em> says nothing of records its thread has not fetched yet (a thread
 * starved of CPU, or fetching other partitions first), and taking "fetched everything" for "caught
 * up" let the wall clock close traces whose spans were still waiting on the broker. A task never
 * measured yet, or whose last measurement failed, counts as behind: the trace buffer then keeps the
 * clock of its input, which only delays closing by as long as the broker cannot be asked.
 */
final class StreamsInputLag implements InputLag, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StreamsInputLag.class);

  private final Map<TaskId, Boolean> behind = new ConcurrentHashMap<>();
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "assembly-input-lag");
            t.setDaemon(true);
            return t;
          });
  private final Admin admin;
  private final String groupId;
  private final Duration timeout;
  private volatile KafkaStreams streams;
  private volatile boolean warned;

  /**
   * @param admin asks the broker; closed with this
   * @param groupId the application ID, whose committed offsets are compared
   * @param interval how often the lag is asked for
   */
  StreamsInputLag(Admin admin, String groupId, Duration interval) {
    this.admin = admin;
    this.groupId = groupId;
    this.timeout = interval.multipliedBy(4).plusSeconds(1);
    scheduler.scheduleWithFixedDelay(
        this::refresh, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  void watch(KafkaStreams streams) {
    this.streams = streams;
  }

  private void refresh() {
    KafkaStreams s = streams;
    if (s == null) {
      return;
    }
    Map<TaskId, Set<TopicPartition>> tasks = new HashMap<>();
    try {
      for (ThreadMetadata thread : s.metadataForLocalThreads()) {
        for (TaskMetadata task : thread.activeTasks()) {
          tasks.put(task.taskId(), task.topicPartitions());
        }
      }
    } catch (RuntimeException e) {
      return; // not running (yet or any more): keep the last answers
    }
    behind.keySet().retainAll(tasks.keySet());
    if (tasks.isEmpty()) {
      return;
    }
    Set<TopicPartition> partitions = new HashSet<>();
    tasks.values().forEach(partitions::addAll);
    try {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
          admin
              .listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
              .all()
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin
              .listConsumerGroupOffsets(groupId)
              .partitionsToOffsetAndMetadata()
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      for (Map.Entry<TaskId, Set<TopicPartition>> task : tasks.entrySet()) {
        behind.put(task.getKey(), isBehind(task.getValue(), ends, committed));
      }
      warned = false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      tasks.keySet().forEach(t -> behind.put(t, true));
      if (!warned) {
        warned = true;
        LOG.warn(
            "Cannot ask the broker how far the input is read ({}): idle traces close by the"
                + " input's clock until it answers",
            e.toString());
      }
    }
  }

  static boolean isBehind(
      Set<TopicPartition> partitions,
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends,
      Map<TopicPartition, OffsetAndMetadata> committed) {
    for (TopicPartition tp : partitions) {
      ListOffsetsResult.ListOffsetsResultInfo end = ends.get(tp);
      if (end == null) {
        return true;
      }
      OffsetAndMetadata done = committed.get(tp);
      long position = done == null ? 0 : done.offset();
      if (position < end.offset()) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean behind(TaskId task) {
    return behind.getOrDefault(task, true);
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    admin.close(Duration.ofSeconds(5));
  }
}
