package io.spanline.query.api;

import static io.spanline.query.api.Params.nanos;

import io.spanline.query.api.Responses.BadParameter;
import io.spanline.schemas.model.TraceId;
import io.spanline.storage.FoundTrace;
import io.spanline.storage.TimeRange;
import io.spanline.storage.TraceStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Trace by ID as every API answers it (native {@code /v1/traces/{id}}, Jaeger {@code
 * /api/v3/traces/{trace_id}}, Tempo {@code /api/traces/{id}} and {@code /api/v2/traces/{id}}): the
 * range the archive is searched in ends at the request's end time or now, and starts at its start
 * time or {@code archive.lookback} before that end; a trace no store holds is a {@link
 * TraceNotFound}, answered 404.
 */
public final class TraceLookup {
  private final TraceStore store;
  private final Duration lookback;
  private final Clock clock;

  /**
   * @param lookback how far before the range's end the archive is searched when the request names
   *     no start
   */
  public TraceLookup(TraceStore store, Duration lookback, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.lookback = Objects.requireNonNull(lookback, "lookback");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** No store holds the trace for the tenant; answered 404 by {@link Responses#answer}. */
  public static final class TraceNotFound extends RuntimeException {
    public TraceNotFound(TraceId traceId) {
      super("trace " + traceId.toHex() + " not found");
    }
  }

  /**
   * @param from the request's start time, if it named one
   * @param to the request's end time, if it named one
   * @param fromName how the API names its start parameter, for the error message
   * @param toName how it names its end parameter
   * @throws BadParameter if the start is after the end
   * @throws TraceNotFound if no store holds the trace
   * @throws IOException if a store cannot be read
   */
  public FoundTrace find(
      String tenant,
      TraceId traceId,
      Optional<Instant> from,
      Optional<Instant> to,
      String fromName,
      String toName)
      throws IOException {
    Instant end = to.orElse(clock.instant());
    Instant start = from.orElse(end.minus(lookback));
    if (start.isAfter(end)) {
      throw new BadParameter(fromName + " must not be after " + toName);
    }
    return store
        .trace(tenant, traceId, new TimeRange(nanos(start), nanos(end)))
        .orElseThrow(() -> new TraceNotFound(traceId));
  }
}
