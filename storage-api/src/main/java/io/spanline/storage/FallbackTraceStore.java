package io.spanline.storage;

import io.spanline.schemas.model.TraceId;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;

/**
 * Trace by ID from a hot store first and, when it holds none of the trace (past its retention, or
 * never indexed), from a cold store. The hot answer wins whole: spans of the trace that only the
 * cold store holds are not added to it.
 */
public final class FallbackTraceStore implements TraceStore {
  private final TraceStore hot;
  private final Optional<TraceStore> cold;

  /**
   * @param cold empty when there is no cold store
   */
  public FallbackTraceStore(TraceStore hot, Optional<TraceStore> cold) {
    this.hot = Objects.requireNonNull(hot, "hot");
    this.cold = Objects.requireNonNull(cold, "cold");
  }

  @Override
  public Optional<FoundTrace> trace(String tenant, TraceId traceId, TimeRange range)
      throws IOException {
    Optional<FoundTrace> found = hot.trace(tenant, traceId, range);
    if (found.isPresent() || cold.isEmpty()) {
      return found;
    }
    return cold.get().trace(tenant, traceId, range);
  }
}
