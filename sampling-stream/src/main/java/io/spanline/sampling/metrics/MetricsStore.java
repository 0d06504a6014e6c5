package io.spanline.sampling.metrics;

import io.spanline.schemas.model.ServiceMetrics;
import io.spanline.schemas.model.TraceView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Accumulates RED series and service-graph edges of one stream task in memory, saves what changed
 * to the changelogged store {@value #NAME} on {@link #persist(SamplingMetrics)} (every second, and
 * when the task closes), and drains everything into {@link ServiceMetrics} values for the metrics
 * topic. A task that starts again (restart, rebalance) picks up what the store holds, so metrics
 * survive a clean shutdown whole; after a crash, the counts of at most one persist interval are
 * missing. Traces are never affected: this trades exactly-once metrics for a store write per series
 * per second instead of per trace.
 */
public final class MetricsStore {
  /** Store name: encoded {@link SeriesKey} → encoded {@link SeriesCounts}. */
  public static final String NAME = "red-metrics";

  private final KeyValueStore<String, byte[]> store;
  private final long windowNanos;
  private final Map<SeriesKey.Windowed, SeriesCounts> totals = new HashMap<>();
  private final List<SeriesKey.Windowed> dirty = new ArrayList<>();
  private final Set<SeriesKey.Windowed> stored = new HashSet<>();

  /** Loads what the store holds (from before a restart or rebalance). */
  public MetricsStore(KeyValueStore<String, byte[]> store, long windowNanos) {
    this.store = store;
    this.windowNanos = windowNanos;
    try (KeyValueIterator<String, byte[]> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> kv = it.next();
        SeriesKey.Windowed k = SeriesKey.Windowed.decode(kv.key);
        totals.put(k, SeriesCounts.fromBytes(kv.value));
        stored.add(k);
      }
    }
  }

  /** Adds one trace's (or fragment's) spans here and to the Micrometer meters. */
  public void add(TraceView trace, SamplingMetrics meters) {
    SeriesCounts[] last = new SeriesCounts[1];
    SeriesKey.Windowed[] lastKey = new SeriesKey.Windowed[1];
    TraceMetrics.forEach(
        trace,
        windowNanos,
        (key, duration, error, weight) -> {
          SeriesCounts c = key == lastKey[0] ? last[0] : totals.get(key);
          if (c == null) {
            c = new SeriesCounts();
            totals.put(key, c);
          }
          if (!c.dirty) {
            c.dirty = true;
            dirty.add(key);
          }
          c.add(duration, error, weight);
          last[0] = c;
          lastKey[0] = key;
          for (long w = 0; w < weight; w++) {
            if (key.series().edge()) {
              meters.recordEdgeDuration(key.series(), duration);
            } else {
              meters.record(key.series(), duration);
            }
          }
        });
  }

  /**
   * Writes the series changed since the last call to the store, and adds the new calls of changed
   * edges to their Micrometer counters (so those counters trail by at most a persist interval).
   */
  public void persist(SamplingMetrics meters) {
    for (SeriesKey.Windowed k : dirty) {
      SeriesCounts c = totals.get(k);
      if (c != null) {
        store.put(k.encode(), c.toBytes());
        c.dirty = false;
        stored.add(k);
        if (k.series().edge()) {
          meters.recordEdge(
              k.series(), c.requests() - c.reportedRequests, c.errors() - c.reportedErrors);
          c.reportedRequests = c.requests();
          c.reportedErrors = c.errors();
        }
      }
    }
    dirty.clear();
  }

  /**
   * Saves what changed ({@link #persist}), then removes everything accumulated and returns it as
   * one value per tenant and window.
   */
  public List<ServiceMetrics> drain(SamplingMetrics meters) {
    persist(meters);
    record Window(String tenant, long start) {}
    Map<Window, List<ServiceMetrics.SpanMetric>> spans = new LinkedHashMap<>();
    Map<Window, List<ServiceMetrics.ServiceGraphEdge>> edges = new LinkedHashMap<>();
    for (Map.Entry<SeriesKey.Windowed, SeriesCounts> e : totals.entrySet()) {
      SeriesKey k = e.getKey().series();
      SeriesCounts c = e.getValue();
      Window w = new Window(k.tenant(), e.getKey().windowStartEpochNanos());
      spans.computeIfAbsent(w, x -> new ArrayList<>());
      edges.computeIfAbsent(w, x -> new ArrayList<>());
      if (k.edge()) {
        edges
            .get(w)
            .add(
                new ServiceMetrics.ServiceGraphEdge(
                    k.service(), k.server(), c.requests(), c.errors(), c.durationSumNanos()));
      } else {
        spans
            .get(w)
            .add(
                new ServiceMetrics.SpanMetric(
                    k.service(),
                    k.operation(),
                    k.kind(),
                    k.status(),
                    c.requests(),
                    c.errors(),
                    c.durationSumNanos(),
                    c.bucketCounts()));
      }
    }
    for (SeriesKey.Windowed k : stored) {
      store.delete(k.encode());
    }
    stored.clear();
    totals.clear();
    dirty.clear();
    List<ServiceMetrics> out = new ArrayList<>();
    for (Window w : spans.keySet()) {
      out.add(
          new ServiceMetrics(
              w.tenant(),
              w.start(),
              w.start() + windowNanos,
              SeriesCounts.BOUNDS_NANOS,
              spans.get(w),
              edges.get(w)));
    }
    return out;
  }
}
