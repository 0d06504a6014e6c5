package io.spanline.service.consumer;

import java.time.Duration;
import java.util.Collection;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.utils.ExponentialBackoff;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a sink's consumer waits while its store (OpenSearch, S3) fails: every assigned partition is
 * paused, and the consumer keeps polling — which returns nothing, keeps it in the group and runs
 * rebalances — for a wait that doubles per attempt from the initial to the maximum backoff (20 %
 * jitter, Kafka's {@link ExponentialBackoff}). Partitions assigned while paused are paused too.
 * {@link #resumeIfPaused()} resumes them once the store took the batch. Not thread-safe: use it on
 * the consumer's thread.
 */
public final class PausingBackoff {
  private static final Logger LOG = LoggerFactory.getLogger(PausingBackoff.class);

  private final org.apache.kafka.clients.consumer.Consumer<?, ?> consumer;
  private final ExponentialBackoff backoff;
  private final Consumer<Boolean> pausedChanged;
  private boolean paused;

  /**
   * @param pausedChanged told {@code true} when this consumer pauses and {@code false} when it
   *     resumes (e.g. to move a gauge)
   */
  public PausingBackoff(
      org.apache.kafka.clients.consumer.Consumer<?, ?> consumer,
      Duration initial,
      Duration max,
      Consumer<Boolean> pausedChanged) {
    this.consumer = consumer;
    this.backoff = new ExponentialBackoff(initial.toMillis(), 2, max.toMillis(), 0.2);
    this.pausedChanged = pausedChanged;
  }

  /**
   * Pauses every assigned partition (first time) and polls for this attempt's backoff.
   *
   * @param attempt 0 for the first retry
   * @param running whether the sink still runs; a wakeup while it does not ends the wait
   * @return {@code running} after the wait
   */
  public boolean waitBeforeRetry(int attempt, BooleanSupplier running) {
    if (!paused) {
      consumer.pause(consumer.assignment());
      paused = true;
      pausedChanged.accept(true);
    }
    long waitMs = backoff.backoff(attempt);
    LOG.info("Partitions paused; retrying in {} ms (attempt {})", waitMs, attempt + 1);
    try {
      ConsumerRecords<?, ?> unexpected = consumer.poll(Duration.ofMillis(waitMs));
      // Paused partitions return nothing; anything else is read again after the batch.
      for (TopicPartition tp : unexpected.partitions()) {
        consumer.seek(tp, unexpected.records(tp).get(0).offset());
      }
    } catch (WakeupException e) {
      if (running.getAsBoolean()) {
        throw e;
      }
    }
    return running.getAsBoolean();
  }

  /** For the rebalance listener: partitions assigned while paused stay paused. */
  public void onAssigned(Collection<TopicPartition> partitions) {
    if (paused) {
      consumer.pause(partitions);
    }
  }

  /** Resumes every paused partition, if this paused them. */
  public void resumeIfPaused() {
    if (paused) {
      consumer.resume(consumer.paused());
      paused = false;
      pausedChanged.accept(false);
      LOG.info("Store accepted the batch; partitions resumed");
    }
  }

  /** For a closing consumer: reports the pause as ended without touching the consumer. */
  public void forget() {
    if (paused) {
      paused = false;
      pausedChanged.accept(false);
    }
  }
}
