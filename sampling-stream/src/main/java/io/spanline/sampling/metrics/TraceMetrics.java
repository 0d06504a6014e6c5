package io.spanline.sampling.metrics;

import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanId;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * RED series and service-graph edges of one trace (or fragment): every span counts once in the
 * series of its service, name, kind and status, in the window of its start time; every span whose
 * parent is in the same trace and belongs to another service adds a call from the parent's service
 * (client) to the span's (server). Pure.
 */
public final class TraceMetrics {
  private TraceMetrics() {}

  /**
   * @param windowNanos window length; windows are aligned to epoch multiples of it
   * @return counts by series, in first-seen order
   */
  static Map<SeriesKey, SeriesCounts> of(AssembledTrace trace, long windowNanos) {
    Map<SeriesKey, SeriesCounts> out = new LinkedHashMap<>();
    Map<SpanId, Span> byId = new HashMap<>(trace.spans().size() * 2);
    for (Span s : trace.spans()) {
      byId.put(s.spanId(), s);
    }
    String tenant = trace.tenant();
    for (Span s : trace.spans()) {
      long window = Math.floorDiv(s.startEpochNanos(), windowNanos) * windowNanos;
      long duration = Math.max(0, s.durationNanos());
      boolean error = s.status().isError();
      out.computeIfAbsent(
              SeriesKey.span(
                  tenant, window, s.serviceName(), s.name(), s.kind(), s.status().code()),
              k -> new SeriesCounts())
          .add(duration, error);
      Span parent = s.parentSpanId() == null ? null : byId.get(s.parentSpanId());
      if (parent != null && !parent.serviceName().equals(s.serviceName())) {
        out.computeIfAbsent(
                SeriesKey.edge(tenant, window, parent.serviceName(), s.serviceName()),
                k -> new SeriesCounts())
            .add(duration, error);
      }
    }
    return out;
  }
}
