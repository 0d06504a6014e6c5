package io.spanline.storage;

/**
 * A closed range of span start times, epoch nanoseconds.
 *
 * @throws IllegalArgumentException if {@code from} is after {@code to}
 */
public record TimeRange(long fromEpochNanos, long toEpochNanos) {
  public TimeRange {
    if (fromEpochNanos > toEpochNanos) {
      throw new IllegalArgumentException("the start of the time range is after its end");
    }
  }
}
