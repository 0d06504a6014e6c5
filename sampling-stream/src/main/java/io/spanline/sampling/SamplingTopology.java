package io.spanline.sampling;

import io.spanline.sampling.config.SamplingConfig;
import io.spanline.sampling.decision.DecisionStore;
import io.spanline.sampling.metrics.MetricsStore;
import io.spanline.sampling.metrics.SamplingMetrics;
import io.spanline.sampling.policy.SamplingPolicies;
import io.spanline.schemas.topic.SpanlineTopics;
import io.spanline.service.streams.StreamsApps;
import java.time.Duration;
import java.util.Properties;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The sampling stream: {@code spanline.traces.assembled} → {@link SamplingProcessor} (stores
 * {@value DecisionStore#NAME} and {@value MetricsStore#NAME}) → {@code spanline.traces.sampled}
 * (kept traces as Avro {@code SampledTrace}), {@code spanline.decisions} (every decision) and
 * {@code spanline.metrics} (RED metrics and service-graph edges of all traces). Pure: no clock,
 * environment or I/O; the policies come from a supplier so the app can swap them on reload.
 */
public final class SamplingTopology {
  static final String SOURCE = "assembled-traces";
  static final String PROCESSOR = "sample";
  static final String SAMPLED_SINK = "sampled-traces";
  static final String DECISIONS_SINK = "decisions";
  static final String METRICS_SINK = "metrics";

  private SamplingTopology() {}

  /**
   * What a topology does besides sampling.
   *
   * @param emitDecisions write every decision to the decisions topic
   * @param emitMetrics compute RED metrics and edges and write them to the metrics topic
   * @param fromMs only records with a timestamp at or after this (epoch milliseconds) are decided
   * @param toMs only records with a timestamp before this (epoch milliseconds) are decided
   */
  public record Options(
      boolean emitDecisions,
      boolean emitMetrics,
      long fromMs,
      long toMs,
      Duration decisionTtl,
      Duration metricsWindow,
      Duration metricsFlushInterval) {

    /** The live app: decisions and metrics, every record. */
    public static Options live(SamplingConfig c) {
      return new Options(
          true,
          true,
          Long.MIN_VALUE,
          Long.MAX_VALUE,
          c.decisionTtl(),
          c.metricsWindow(),
          c.metricsFlushInterval());
    }

    /**
     * A replay over {@code [fromMs, toMs)}: kept traces only — no decisions (the live ones stay
     * authoritative) and no metrics (the live run counted those traces already).
     */
    public static Options replay(SamplingConfig c, long fromMs, long toMs) {
      return new Options(
          false, false, fromMs, toMs, c.decisionTtl(), c.metricsWindow(), c.metricsFlushInterval());
    }
  }

  /** The live sampling topology. */
  static Topology build(
      SamplingConfig config,
      SpanlineTopics topics,
      Supplier<SamplingPolicies> policies,
      SamplingMetrics metrics) {
    return build(Options.live(config), topics, policies, metrics);
  }

  /** A sampling topology with the given options (live or replay). */
  public static Topology build(
      Options options,
      SpanlineTopics topics,
      Supplier<SamplingPolicies> policies,
      SamplingMetrics metrics) {
    Topology t = new Topology();
    t.addSource(
        SOURCE,
        topics.assembledTraces().keySerde().deserializer(),
        new ByteArrayDeserializer(),
        topics.assembledTraces().name());
    t.addProcessor(
        PROCESSOR, () -> new SamplingProcessor(options, topics, policies, metrics), SOURCE);
    Duration ttl = options.decisionTtl();
    t.addStateStore(
        Stores.windowStoreBuilder(
            Stores.persistentWindowStore(DecisionStore.NAME, ttl, Duration.ofMillis(1), false),
            Serdes.Bytes(),
            Serdes.ByteArray()),
        PROCESSOR);
    t.addSink(
        SAMPLED_SINK,
        topics.sampledTracesEncoded().name(),
        topics.sampledTracesEncoded().keySerde().serializer(),
        topics.sampledTracesEncoded().valueSerde().serializer(),
        PROCESSOR);
    if (options.emitDecisions()) {
      t.addSink(
          DECISIONS_SINK,
          topics.decisionsEncoded().name(),
          topics.decisionsEncoded().keySerde().serializer(),
          topics.decisionsEncoded().valueSerde().serializer(),
          PROCESSOR);
    }
    if (options.emitMetrics()) {
      t.addStateStore(
          Stores.keyValueStoreBuilder(
                  Stores.inMemoryKeyValueStore(MetricsStore.NAME),
                  Serdes.String(),
                  Serdes.ByteArray())
              .withCachingDisabled(),
          PROCESSOR);
      t.addSink(
          METRICS_SINK,
          topics.metrics().name(),
          topics.metrics().keySerde().serializer(),
          topics.metrics().valueSerde().serializer(),
          PROCESSOR);
    }
    return t;
  }

  /** Kafka Streams settings: exactly_once_v2, dead-letter topic, producer and RocksDB tuning. */
  public static Properties streamsConfig(SamplingConfig config) {
    Properties p =
        StreamsApps.baseConfig(
            config.applicationId(),
            config.kafka(),
            config.streamThreads(),
            config.stateDir(),
            config.deadLetterTopic(),
            config.tuning());
    p.putAll(config.streamsOverrides());
    return p;
  }
}
