package io.spanline.sampling.replay;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BlockingBucket;
import io.github.bucket4j.Bucket;
import java.time.Duration;

/**
 * The {@code --rate} cap of a replay: at most {@code perSecond} records (or spans) a second, a
 * Bucket4j token bucket refilled greedily and starting empty, so {@code n} units take at least
 * {@code n / perSecond} seconds. Blocks the reading thread.
 */
final class RateCap {
  /** What {@code --rate} counts. */
  enum Unit {
    RECORDS,
    SPANS
  }

  /** No cap. */
  static final RateCap NONE = new RateCap(null, Unit.RECORDS, 0);

  private final BlockingBucket bucket;
  private final Unit unit;
  private final long capacity;

  private RateCap(BlockingBucket bucket, Unit unit, long capacity) {
    this.bucket = bucket;
    this.unit = unit;
    this.capacity = capacity;
  }

  /**
   * @throws IllegalArgumentException if {@code perSecond} is not positive
   */
  static RateCap of(long perSecond, Unit unit) {
    if (perSecond <= 0) {
      throw new IllegalArgumentException("--rate must be positive, not " + perSecond);
    }
    Bucket bucket =
        Bucket.builder()
            .addLimit(
                Bandwidth.builder()
                    .capacity(perSecond)
                    .refillGreedy(perSecond, Duration.ofSeconds(1))
                    .initialTokens(0)
                    .build())
            .build();
    return new RateCap(bucket.asBlocking(), unit, perSecond);
  }

  /** Units per second, or 0 without a cap. */
  long perSecond() {
    return capacity;
  }

  Unit unit() {
    return unit;
  }

  /** Waits until one record of {@code spans} spans may be read. */
  void acquire(long spans) throws InterruptedException {
    if (bucket == null) {
      return;
    }
    take(unit == Unit.RECORDS ? 1 : Math.max(1, spans));
  }

  /** Waits for {@code n} units, whatever they count. */
  void take(long n) throws InterruptedException {
    if (bucket == null) {
      return;
    }
    while (n > 0) {
      long take = Math.min(n, capacity);
      bucket.consume(take);
      n -= take;
    }
  }
}
