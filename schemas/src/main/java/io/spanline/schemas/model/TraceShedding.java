package io.spanline.schemas.model;

/**
 * The overload-shedding rule every Spanline stage applies, so that they agree on every trace: the
 * gateway (under in-flight pressure) and the assembly stream (over its open-trace or byte bounds).
 *
 * <p>At level {@code n} (0 to {@value #MAX_LEVEL}) a trace is kept when the absolute value of its
 * trace ID's low 8 bytes, as a signed long, is below {@code Long.MAX_VALUE >> n}: OpenTelemetry's
 * {@code TraceIdRatioBased} rule at ratio 2<sup>-n</sup>, keeping 1/1, 1/2, 1/4, 1/8 or 1/16 of
 * traces. The kept sets are nested: a trace kept at a level is kept at every lower one, so stages
 * at different levels agree on every trace the higher level keeps, and a trace kept by two stages
 * at levels {@code a} and {@code b} was kept with probability 2<sup>-max(a, b)</sup>, not the
 * product.
 *
 * <p>A kept trace stands for {@link #adjustedCount(int)} traces; stages record it in the span
 * attribute {@value #ADJUSTED_COUNT_ATTRIBUTE} (an integer; the largest value on any span of the
 * trace applies) so rate, error and duration metrics computed downstream stay unbiased. Traces with
 * an error span or a debug mark are never shed: stages test that themselves and do not stamp them.
 * Pure and thread-safe.
 */
public final class TraceShedding {
  /** The span attribute holding the adjusted count of a trace kept while shedding. */
  public static final String ADJUSTED_COUNT_ATTRIBUTE = "spanline.shed.adjusted_count";

  /** The highest level: keeps 1/16 of traces. */
  public static final int MAX_LEVEL = 4;

  private TraceShedding() {}

  /**
   * The level at a pressure of {@code fill} (a share of the bound, e.g. 0.9 for 90 %) with shedding
   * from {@code fraction} of the bound: 0 below the fraction, then one more for each quarter of the
   * room left between the fraction and the bound that the fill takes (level 1 from the fraction, 2
   * from half the room, 3 from 3/4, {@value #MAX_LEVEL} from 7/8 on, also at and past the bound).
   *
   * @param fill pressure as a share of the bound; may exceed 1
   * @param fraction where shedding starts, in (0, 1]; 1 or more means never
   */
  public static int level(double fill, double fraction) {
    if (fraction >= 1 || !(fill >= fraction)) {
      return 0;
    }
    double into = (fill - fraction) / (1 - fraction); // 0 at the fraction, 1 at the bound
    int level = 1;
    double step = 0.5;
    double edge = step;
    while (level < MAX_LEVEL && into >= edge) {
      level++;
      step /= 2;
      edge += step;
    }
    return level;
  }

  /**
   * Whether a trace is kept at {@code level} (before the error and debug exceptions).
   *
   * @throws IllegalArgumentException if the level is not within 0..{@value #MAX_LEVEL}
   */
  public static boolean keeps(TraceId traceId, int level) {
    checkLevel(level);
    return level == 0 || Math.abs(traceId.low()) < (Long.MAX_VALUE >> level);
  }

  /** The share of traces kept at {@code level}: 2<sup>-level</sup>. */
  public static double keepRatio(int level) {
    checkLevel(level);
    return 1.0 / (1L << level);
  }

  /** The traces a trace kept at {@code level} stands for: 2<sup>level</sup>. */
  public static long adjustedCount(int level) {
    checkLevel(level);
    return 1L << level;
  }

  private static void checkLevel(int level) {
    if (level < 0 || level > MAX_LEVEL) {
      throw new IllegalArgumentException("shedding level " + level + " is outside 0.." + MAX_LEVEL);
    }
  }
}
