package io.spanline.sampling.metrics;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Counts of one RED series or edge: requests, errors, duration sum (nanoseconds) and a duration
 * histogram over {@link #BOUNDS_NANOS}. Mutable; stored as big-endian longs.
 */
final class SeriesCounts {
  /** Inclusive upper bounds of the duration buckets, in nanoseconds (1 ms … 60 s). */
  static final List<Long> BOUNDS_NANOS =
      List.of(
          1_000_000L,
          2_500_000L,
          5_000_000L,
          10_000_000L,
          25_000_000L,
          50_000_000L,
          100_000_000L,
          250_000_000L,
          500_000_000L,
          1_000_000_000L,
          2_500_000_000L,
          5_000_000_000L,
          10_000_000_000L,
          30_000_000_000L,
          60_000_000_000L);

  private static final long[] BOUNDS = BOUNDS_NANOS.stream().mapToLong(Long::longValue).toArray();

  private static final int FIXED = 3;
  private final long[] v;

  /**
   * Changed since it was last saved to the store (see {@link
   * MetricsStore#persist(SamplingMetrics)}).
   */
  boolean dirty;

  /** Requests and errors already added to the Micrometer counters (edges). */
  long reportedRequests;

  long reportedErrors;

  SeriesCounts() {
    this.v = new long[FIXED + BOUNDS_NANOS.size() + 1];
  }

  private SeriesCounts(long[] v) {
    this.v = v;
  }

  /** Adds {@code weight} spans (or calls) of this duration (nanoseconds) and error state. */
  void add(long durationNanos, boolean error, long weight) {
    v[0] += weight;
    if (error) {
      v[1] += weight;
    }
    v[2] += durationNanos * weight;
    v[FIXED + bucket(durationNanos)] += weight;
  }

  long requests() {
    return v[0];
  }

  long errors() {
    return v[1];
  }

  long durationSumNanos() {
    return v[2];
  }

  List<Long> bucketCounts() {
    List<Long> out = new ArrayList<>(v.length - FIXED);
    for (int i = FIXED; i < v.length; i++) {
      out.add(v[i]);
    }
    return out;
  }

  /** Index of the first bound at or above the duration; the bound count when above them all. */
  static int bucket(long durationNanos) {
    int i = java.util.Arrays.binarySearch(BOUNDS, durationNanos);
    return i >= 0 ? i : -i - 1;
  }

  byte[] toBytes() {
    ByteBuffer b = ByteBuffer.allocate(v.length * Long.BYTES);
    for (long x : v) {
      b.putLong(x);
    }
    return b.array();
  }

  static SeriesCounts fromBytes(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    long[] v = new long[FIXED + BOUNDS_NANOS.size() + 1];
    for (int i = 0; i < v.length && b.remaining() >= Long.BYTES; i++) {
      v[i] = b.getLong();
    }
    return new SeriesCounts(v);
  }
}
