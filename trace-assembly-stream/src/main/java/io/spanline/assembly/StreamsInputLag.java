package io.spanline.assembly;

import io.spanline.assembly.buffer.InputLag;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.processor.TaskId;

/**
 * {@link InputLag} of a running {@link KafkaStreams}, read from its task metadata every {@code
 * interval}: a task is behind when, on any of its input partitions, the highest offset seen exceeds
 * the committed offset.
 */
final class StreamsInputLag implements InputLag, AutoCloseable {
  private final Map<TaskId, Boolean> behind = new ConcurrentHashMap<>();
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "assembly-input-lag");
            t.setDaemon(true);
            return t;
          });
  private volatile KafkaStreams streams;

  StreamsInputLag(Duration interval) {
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
    try {
      Map<TaskId, Boolean> now = new ConcurrentHashMap<>();
      for (ThreadMetadata thread : s.metadataForLocalThreads()) {
        for (TaskMetadata task : thread.activeTasks()) {
          now.put(task.taskId(), hasLag(task));
        }
      }
      behind.keySet().retainAll(now.keySet());
      behind.putAll(now);
    } catch (RuntimeException e) {
      // Not running (yet or any more): keep the last answers.
    }
  }

  private static boolean hasLag(TaskMetadata task) {
    for (TopicPartition tp : task.topicPartitions()) {
      Long end = task.endOffsets().get(tp);
      Long committed = task.committedOffsets().get(tp);
      if (end != null && end >= 0 && (committed == null || committed < end)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean behind(TaskId task) {
    return behind.getOrDefault(task, false);
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
