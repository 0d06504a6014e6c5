package io.spanline.sampling.metrics;

import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.ServiceMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Accumulates RED series and service-graph edges in the changelogged store {@value #NAME} (so an
 * instance that fails between flushes loses nothing and counts nothing twice under exactly-once),
 * and drains them into {@link ServiceMetrics} values for the metrics topic.
 */
public final class MetricsStore {
  /** Store name: encoded {@link SeriesKey} → encoded {@link SeriesCounts}. */
  public static final String NAME = "red-metrics";

  private final KeyValueStore<String, byte[]> store;
  private final long windowNanos;

  public MetricsStore(KeyValueStore<String, byte[]> store, long windowNanos) {
    this.store = store;
    this.windowNanos = windowNanos;
  }

  /** Adds one trace's (or fragment's) spans here and to the Micrometer meters. */
  public void add(AssembledTrace trace, SamplingMetrics meters) {
    Map<SeriesKey, SeriesCounts> series = TraceMetrics.of(trace, windowNanos);
    for (Map.Entry<SeriesKey, SeriesCounts> e : series.entrySet()) {
      String key = e.getKey().encode();
      byte[] old = store.get(key);
      SeriesCounts sum = old == null ? new SeriesCounts() : SeriesCounts.fromBytes(old);
      sum.addAll(e.getValue());
      store.put(key, sum.toBytes());
    }
    meters.record(trace, series);
  }

  /** Removes everything accumulated and returns it as one value per tenant and window. */
  public List<ServiceMetrics> drain() {
    record Window(String tenant, long start) {}
    Map<Window, List<ServiceMetrics.SpanMetric>> spans = new LinkedHashMap<>();
    Map<Window, List<ServiceMetrics.ServiceGraphEdge>> edges = new LinkedHashMap<>();
    List<String> keys = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> kv = it.next();
        keys.add(kv.key);
        SeriesKey k = SeriesKey.decode(kv.key);
        SeriesCounts c = SeriesCounts.fromBytes(kv.value);
        Window w = new Window(k.tenant(), k.windowStartEpochNanos());
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
    }
    for (String k : keys) {
      store.delete(k);
    }
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
