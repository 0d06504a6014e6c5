package io.spanline.schemas.testing;

import io.spanline.schemas.model.AssembledTrace;
import java.time.Duration;

/**
 * Traces whose spans claim start times far from now, as a Collector writing straight to Kafka may
 * send them (past the gateway's check): what the sinks' start-time windows must leave out.
 */
public final class FarStartTraces {
  private static final long DAY_MS = 86_400_000L;

  private FarStartTraces() {}

  /** {@link TraceBuilder#START} moved to now. */
  public static Duration toNow() {
    return Duration.ofNanos(System.currentTimeMillis() * 1_000_000L - TraceBuilder.START);
  }

  /**
   * One trace whose root span {@code GET /now} starts now, and whose four other spans claim 500 and
   * 200 days ago, 10 days and 2 hours ahead.
   */
  public static AssembledTrace spread(String tenant) {
    return TraceBuilder.trace()
        .tenant(tenant)
        .shiftedBy(toNow())
        .root("frontend", "GET /now", 5)
        .orphan("batch", "old", -500 * DAY_MS, 5)
        .orphan("batch", "older", -200 * DAY_MS, 5)
        .orphan("batch", "ahead", 10 * DAY_MS, 5)
        .orphan("batch", "soon", 2 * 3_600_000L, 5)
        .build();
  }

  /** A trace entirely 300 days ago. */
  public static AssembledTrace ancient(String tenant) {
    return TraceBuilder.trace()
        .tenant(tenant)
        .shiftedBy(toNow().minus(Duration.ofDays(300)))
        .root("frontend", "GET /ancient", 5)
        .build();
  }
}
