package io.spanline.gateway.ingest;

import io.spanline.gateway.kafka.InFlightBudget;
import io.spanline.schemas.model.TraceShedding;

/**
 * Overload shedding by whole traces, consistent by trace ID. While the request bytes waiting for
 * Kafka ({@link InFlightBudget}) fill more than {@code shed.inflight-fraction} of {@code
 * inflight.max-bytes}, the gateway sheds traces by the shared rule of {@link TraceShedding}
 * (OpenTelemetry's {@code TraceIdRatioBased} rule on the trace ID at ratio 2<sup>-n</sup>, nested
 * levels 1-4 keeping 1/2 to 1/16 of traces), which the assembly stream applies too, so every
 * gateway, whatever its level, and the assembly agree on each trace; a trace is shed whole, never
 * in fragments. The level rises by one for every quarter of the remaining room the in-flight bytes
 * take ({@link TraceShedding#level(double, double)}).
 *
 * <p>Traces with an error span and traces marked for debugging are never shed; a kept trace that
 * was subject to shedding carries its adjusted count ({@code 2^n}, the traces it stands for) in the
 * span attribute {@value TraceShedding#ADJUSTED_COUNT_ATTRIBUTE}, so rate, error and duration
 * metrics computed downstream can weigh it. Thread-safe.
 */
public final class LoadShedder {
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

  /** The shedding level now: 0 (keep all) to {@value TraceShedding#MAX_LEVEL}. */
  public int level() {
    return level(budget.inFlightBytes(), maxBytes, fraction);
  }

  /** The level at {@code inFlight} of {@code max} bytes with shedding from {@code fraction}. */
  static int level(long inFlight, long max, double fraction) {
    return TraceShedding.level((double) inFlight / max, fraction);
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
