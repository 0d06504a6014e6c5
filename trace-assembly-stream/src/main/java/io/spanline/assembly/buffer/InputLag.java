package io.spanline.assembly.buffer;

import org.apache.kafka.streams.processor.TaskId;

/**
 * Whether a task has input it has not processed yet. The trace buffer measures idleness by its
 * input while a task is behind, and by the wall clock only once it has caught up, so a stalled
 * thread (a rebalance, a long commit, a pause) does not close traces whose spans wait in the
 * backlog.
 */
@FunctionalInterface
public interface InputLag {
  /** Lag is never known: idle tasks go by the wall clock (topology driver tests). */
  InputLag UNKNOWN = task -> false;

  /** True when the task has, or may have, input records it has not processed yet. */
  boolean behind(TaskId task);
}
