package io.spanline.service.internal.consumer;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;

/**
 * Consumer lag in seconds, per partition a consumer (or Streams app) of this process reads: gauge
 * {@value #METRIC} (Prometheus {@code spanline_consumer_lag_seconds}) with tags {@code group} (the
 * consumer group, a Streams app's {@code application.id}), {@code topic} and {@code partition}.
 *
 * <p>How it is measured: {@link LagInterceptor}, a consumer interceptor, notes the timestamp of the
 * last record each poll returned per partition. The gauge is 0 while the consumer's own {@code
 * records-lag} metric for the partition (records between its fetch position and the partition's
 * end, at its last fetch) is 0 — caught up — and otherwise now minus that timestamp: how long ago
 * the record it is working on was written, which keeps growing while the consumer is stuck or
 * paused. NaN when this process does not read the partition (any more). Records carry the timestamp
 * their producer gave them: the gateway's write time on {@code otlp_spans}, the time the assembly
 * closed a trace on the assembled topic, and so on.
 */
public final class ConsumerLag implements AutoCloseable {
  /** The gauge's name. */
  public static final String METRIC = "spanline.consumer.lag.seconds";

  /** Consumer config key naming the {@link ConsumerLag} an interceptor reports to. */
  public static final String TRACKER_CONFIG = "spanline.lag.tracker";

  private static final Map<String, ConsumerLag> TRACKERS = new ConcurrentHashMap<>();

  private final String token;
  private final String group;
  private final MeterRegistry registry;
  private final Clock clock;
  private final Map<TopicPartition, Long> lastTimestamps = new ConcurrentHashMap<>();
  private final Set<Meter.Id> gauges = ConcurrentHashMap.newKeySet();
  private final List<Supplier<Map<MetricName, ? extends Metric>>> sources =
      new CopyOnWriteArrayList<>();

  private ConsumerLag(String token, String group, MeterRegistry registry, Clock clock) {
    this.token = token;
    this.group = group;
    this.registry = registry;
    this.clock = clock;
  }

  /**
   * Registers a tracker the interceptors of consumers configured with {@code token} ({@link
   * #configure(Map)}) report to, until {@link #close()}.
   */
  public static ConsumerLag start(String token, String group, MeterRegistry registry, Clock clock) {
    ConsumerLag lag = new ConsumerLag(token, group, registry, clock);
    TRACKERS.put(token, lag);
    return lag;
  }

  static ConsumerLag forToken(Object token) {
    return token == null ? null : TRACKERS.get(token.toString());
  }

  /** Adds the interceptor and this tracker's token to a consumer's config. */
  public void configure(Map<String, Object> consumerConfig) {
    Object existing = consumerConfig.get(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG);
    consumerConfig.put(
        ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG,
        existing == null || existing.toString().isBlank()
            ? LagInterceptor.class.getName()
            : existing + "," + LagInterceptor.class.getName());
    consumerConfig.put(TRACKER_CONFIG, token);
  }

  /**
   * Where the consumers' {@code records-lag} metrics are read (a consumer's or Streams' metrics).
   */
  public void addSource(Supplier<Map<MetricName, ? extends Metric>> metrics) {
    sources.add(metrics);
  }

  public void removeSource(Supplier<Map<MetricName, ? extends Metric>> metrics) {
    sources.remove(metrics);
  }

  /** The timestamp (epoch ms) of the last record fetched from {@code tp}. */
  void fetched(TopicPartition tp, long timestampMs) {
    if (lastTimestamps.put(tp, timestampMs) == null && gauges.size() < 10_000) {
      Gauge g =
          Gauge.builder(METRIC, this, x -> x.seconds(tp))
              .description(
                  "Age of the last record fetched from a partition while records wait there; 0"
                      + " when caught up")
              .tags(
                  "group", group, "topic", tp.topic(), "partition", String.valueOf(tp.partition()))
              .register(registry);
      gauges.add(g.getId());
    }
  }

  /** The gauge's value for {@code tp}. */
  double seconds(TopicPartition tp) {
    Long last = lastTimestamps.get(tp);
    double recordsLag = recordsLag(tp);
    if (last == null || Double.isNaN(recordsLag)) {
      return Double.NaN;
    }
    if (recordsLag <= 0) {
      return 0;
    }
    return Math.max(0, clock.millis() - last) / 1000.0;
  }

  /** The largest {@code records-lag} any source reports for {@code tp}; NaN when none does. */
  private double recordsLag(TopicPartition tp) {
    String topic = tp.topic().replace('.', '_');
    String partition = String.valueOf(tp.partition());
    double max = Double.NaN;
    for (Supplier<Map<MetricName, ? extends Metric>> source : new ArrayList<>(sources)) {
      for (Map.Entry<MetricName, ? extends Metric> e : source.get().entrySet()) {
        MetricName n = e.getKey();
        if (n.name().equals("records-lag")
            && n.group().equals("consumer-fetch-manager-metrics")
            && partition.equals(n.tags().get("partition"))
            && n.tags().get("topic") != null
            && n.tags().get("topic").replace('.', '_').equals(topic)
            && e.getValue().metricValue() instanceof Number v
            && !Double.isNaN(v.doubleValue())) {
          max = Double.isNaN(max) ? v.doubleValue() : Math.max(max, v.doubleValue());
        }
      }
    }
    return max;
  }

  @Override
  public void close() {
    TRACKERS.remove(token, this);
    gauges.forEach(registry::remove);
    gauges.clear();
  }
}
