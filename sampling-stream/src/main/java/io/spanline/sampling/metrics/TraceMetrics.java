package io.spanline.sampling.metrics;

import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.StatusCode;
import io.spanline.schemas.model.TraceShedding;
import io.spanline.schemas.model.TraceView;

/**
 * RED series and service-graph edges of one trace (or fragment): every span counts once in the
 * series of its service, name, kind and status, in the window of its start time; every span whose
 * parent is in the same trace and belongs to another service adds a call from the parent's service
 * (client) to the span's (server). Pure: it tells a {@link Sink} and keeps nothing.
 *
 * <p>A trace the gateway or the assembly kept while shedding load carries its adjusted count in the
 * span attribute {@value TraceShedding#ADJUSTED_COUNT_ATTRIBUTE} (2, 4, 8 or 16: the traces it
 * stands for; the shared rule of {@link TraceShedding}); its spans and edges then count that many
 * times, so rates, error counts and duration sums stay unbiased. The largest value on any span of
 * the trace applies to all of them; without one a trace counts once.
 */
final class TraceMetrics {
  /** The largest adjusted count accepted; larger values count as this. */
  static final long MAX_ADJUSTED_COUNT = 1 << 20;

  private TraceMetrics() {}

  /** The trace's adjusted count: its largest positive integer value of the attribute, else 1. */
  static long adjustedCount(TraceView trace) {
    long[] max = {1};
    trace.anyAttribute(
        TraceShedding.ADJUSTED_COUNT_ATTRIBUTE,
        v -> {
          if (v instanceof AnyValue.LongValue l && l.value() > max[0]) {
            max[0] = Math.min(MAX_ADJUSTED_COUNT, l.value());
          }
          return false; // look at every span's value
        });
    return max[0];
  }

  /** Told of each span's series and of each edge. */
  interface Sink {
    /**
     * @param key the series in its window; the same instance for consecutive spans of one series
     *     and window
     * @param weight how many spans this one stands for (the trace's adjusted count, at least 1)
     */
    void add(SeriesKey.Windowed key, long durationNanos, boolean error, long weight);
  }

  /**
   * @param windowNanos window length; windows are aligned to epoch multiples of it
   */
  static void forEach(TraceView trace, long windowNanos, Sink sink) {
    int n = trace.spanCount();
    SpanIndex byId = new SpanIndex(trace);
    String tenant = trace.tenant();
    SeriesKey.Windowed previous = null;
    long weight = adjustedCount(trace);
    for (int i = 0; i < n; i++) {
      long start = trace.startEpochNanos(i);
      long window = Math.floorDiv(start, windowNanos) * windowNanos;
      long duration = Math.max(0, trace.endEpochNanos(i) - start);
      StatusCode status = trace.statusCode(i);
      boolean error = status == StatusCode.ERROR;
      String service = trace.serviceName(i);
      SeriesKey key = SeriesKey.span(tenant, service, trace.name(i), trace.kind(i), status);
      SeriesKey.Windowed windowed =
          previous != null
                  && previous.windowStartEpochNanos() == window
                  && previous.series().equals(key)
              ? previous
              : new SeriesKey.Windowed(key, window);
      previous = windowed;
      sink.add(windowed, duration, error, weight);
      int parent = trace.hasParent(i) ? byId.find(trace.parentSpanId(i)) : -1;
      if (parent >= 0 && !trace.serviceName(parent).equals(service)) {
        SeriesKey edge = SeriesKey.edge(tenant, trace.serviceName(parent), service);
        sink.add(new SeriesKey.Windowed(edge, window), duration, error, weight);
      }
    }
  }

  /** Span index by span ID: open addressing over a power-of-two table, no boxing. */
  private static final class SpanIndex {
    private final long[] ids;
    private final int[] spans;

    SpanIndex(TraceView trace) {
      int size = Integer.highestOneBit(Math.max(2, trace.spanCount()) * 2) * 2;
      ids = new long[size];
      spans = new int[size];
      java.util.Arrays.fill(spans, -1);
      for (int i = 0; i < trace.spanCount(); i++) {
        long id = trace.spanId(i);
        int slot = slot(id);
        while (spans[slot] >= 0 && ids[slot] != id) {
          slot = (slot + 1) & (ids.length - 1);
        }
        if (spans[slot] < 0) {
          ids[slot] = id;
          spans[slot] = i;
        }
      }
    }

    int find(long id) {
      for (int slot = slot(id); spans[slot] >= 0; slot = (slot + 1) & (ids.length - 1)) {
        if (ids[slot] == id) {
          return spans[slot];
        }
      }
      return -1;
    }

    private int slot(long id) {
      long h = id * 0x9E3779B97F4A7C15L;
      return (int) (h >>> 40) & (ids.length - 1);
    }
  }
}
