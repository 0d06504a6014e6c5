package io.spanline.gateway.ingest;

import io.spanline.gateway.kafka.InFlightBudget;
import io.spanline.schemas.model.TraceId;

/**
 * Overload shedding by whole traces, consistent by trace ID. While the request bytes waiting for
 * Kafka ({@link InFlightBudget}) fill more than {@code shed.inflight-fraction} of {@code
 * inflight.max-bytes}, the gateway sheds traces by level: at level {@code n} (1-4) it keeps a trace
 * when the absolute value of its trace ID's low 8 bytes, as a signed long, is below {@code
 * Long.MAX_VALUE >> n} (OpenTelemetry's {@code TraceIdRatioBased} rule at ratio 2<sup>-n</sup>), so
 * it keeps 1/2, 1/4, 1/8 or 1/16 of traces. The kept sets are nested: a trace kept at a higher
 * level is kept at every lower one, so every gateway, whatever its level, and any other stage using
 * the same rule, agree on it; a trace is shed whole, never in fragments. The level rises by one for
 * every quarter of the remaining room the in-flight bytes take: level 1 from the fraction, level 4
 * from 15/16 of it on.
 *
 * <p>Traces with an error span and traces marked for debugging are never shed; a kept trace that
 * was subject to shedding carries its adjusted count ({@code 2^n}, the spans it stands for) in the
 * span attribute {@value #ADJUSTED_COUNT_ATTRIBUTE}, so rate, error and duration metrics computed
 * downstream can weigh it. Thread-safe.
 */
public final class LoadShedder {
  /** The span attribute holding the adjusted count of a trace kept while shedding. */
  public static final String ADJUSTED_COUNT_ATTRIBUTE = "spanline.shed.adjusted_count";

  /** The highest level: keeps 1/16 of traces. */
  static final int MAX_LEVEL = 4;

  private final InFlightBudget budget;
  private final long maxBytes;
  private final double fraction;

  /**
   * @param fraction the share of {@code maxBytes} in flight from which shedding starts, in (0, 1];
   *     1 or more disables shedding
   */
  public LoadShedder(InFlightBudget budget, long maxBytes, double fraction) {
    this.budget = budget;
    this.maxBytes = maxBytes;
    this.fraction = fraction;
  }

  /** No shedding. */
  static LoadShedder off(InFlightBudget budget) {
    return new LoadShedder(budget, 1, 1);
  }

  /** The shedding level now: 0 (keep all) to {@value #MAX_LEVEL}. */
  public int level() {
    return level(budget.inFlightBytes(), maxBytes, fraction);
  }

  /** The level at {@code inFlight} of {@code max} bytes with shedding from {@code fraction}. */
  static int level(long inFlight, long max, double fraction) {
    if (fraction >= 1) {
      return 0;
    }
    double fill = (double) inFlight / max;
    if (fill < fraction) {
      return 0;
    }
    double room = 1 - fraction;
    double into = (fill - fraction) / room; // 0 at the fraction, 1 at the bound
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

  /** The share of traces kept at {@code level}: 2<sup>-level</sup>. */
  public static double keepRatio(int level) {
    return 1.0 / (1L << level);
  }

  /** Whether a trace is kept at {@code level} (before the error and debug exceptions). */
  public static boolean keeps(TraceId traceId, int level) {
    return level == 0 || Math.abs(traceId.low()) < (Long.MAX_VALUE >> level);
  }

  /** A one-line description of the shedding now, "" when none: the {@code /readyz} detail. */
  public String describe() {
    int level = level();
    if (level == 0) {
      return "";
    }
    return "shedding: keeping 1/"
        + (1L << level)
        + " of traces (and every trace with an error span or a debug mark); "
        + budget.inFlightBytes()
        + " of "
        + maxBytes
        + " in-flight bytes used";
  }
}
