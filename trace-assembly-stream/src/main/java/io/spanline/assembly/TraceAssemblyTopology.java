package io.spanline.assembly;

import io.spanline.assembly.buffer.InputLag;
import io.spanline.assembly.buffer.TraceBuffer;
import io.spanline.assembly.config.AssemblyConfig;
import io.spanline.assembly.metrics.AssemblyMetrics;
import io.spanline.assembly.route.RoutedPart;
import io.spanline.assembly.route.TraceRouter;
import io.spanline.schemas.codec.otlp.TracePart;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.serde.TracePartSerde;
import io.spanline.schemas.topic.SpanlineTopics;
import io.spanline.schemas.topic.TopicSpec;
import io.spanline.service.streams.StreamsApps;
import io.spanline.service.tenancy.TenantLimitsFile;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;

/**
 * The trace assembly topology:
 *
 * <pre>
 * otlp_spans (bytes) ─► route-by-trace-id ─┬─ keyed by its one trace ─────────────────┐
 *                                          └─ split / re-keyed ─► rekeyed-repartition ─┤
 *                                                                                      ▼
 *                                        trace-buffer (stores: TraceBufferStores) ─► spanline.traces.assembled
 * </pre>
 *
 * <p>The input is read as bytes and scanned, never decoded ({@link TraceRouter}); records that
 * cannot be parsed are dead-lettered by the processing exception handler. The repartition topic
 * ({@code <application.id>-rekeyed-repartition}) has as many partitions as the input and is keyed
 * the way the gateway keys {@code otlp_spans}, so a trace meets its other spans in the same task.
 * Output values are Avro {@code AssembledTrace} in the Confluent wire format, header {@code
 * spanline.tenant}.
 */
public final class TraceAssemblyTopology {
  private TraceAssemblyTopology() {}

  /** The topology with metrics recorded into a registry of their own and input lag unknown. */
  static Topology build(AssemblyConfig config, SpanlineTopics topics) {
    return build(config, topics, AssemblyMetrics.detached(), InputLag.UNKNOWN);
  }

  /**
   * The topology; pure: no clock, environment or I/O.
   *
   * @param metrics where the processors record
   * @param inputLag tells the trace buffer which tasks have unread input
   */
  public static Topology build(
      AssemblyConfig config, SpanlineTopics topics, AssemblyMetrics metrics, InputLag inputLag) {
    return build(config, topics, metrics, inputLag, () -> TenantLimitsFile.EMPTY);
  }

  /**
   * The topology; pure: no clock, environment or I/O.
   *
   * @param metrics where the processors record
   * @param inputLag tells the trace buffer which tasks have unread input
   * @param tenantLimits the tenant-limits file in force (read at each record: reloads take effect
   *     while the stream runs)
   */
  public static Topology build(
      AssemblyConfig config,
      SpanlineTopics topics,
      AssemblyMetrics metrics,
      InputLag inputLag,
      Supplier<TenantLimitsFile> tenantLimits) {
    TopicSpec<TraceId, byte[]> output = topics.assembledTracesEncoded();
    StreamsBuilder builder = new StreamsBuilder();
    KStream<byte[], byte[]> input =
        builder.stream(
            topics.otlpSpans().name(),
            Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("otlp-spans-source"));
    Map<String, KStream<TraceId, RoutedPart>> routes =
        input
            .process(new TraceRouter(metrics), Named.as("route-by-trace-id"))
            .split(Named.as("route-"))
            .branch((traceId, routed) -> routed.repartition(), Branched.as("rekeyed"))
            .defaultBranch(Branched.as("direct"));
    KStream<TraceId, TracePart> direct =
        routes.get("route-direct").mapValues(RoutedPart::part, Named.as("direct-part"));
    KStream<TraceId, TracePart> rekeyed =
        routes
            .get("route-rekeyed")
            .map((traceId, routed) -> KeyValue.pair(traceId, routed.part()), Named.as("rekey-part"))
            .repartition(
                Repartitioned.<TraceId, TracePart>as("rekeyed")
                    .withKeySerde(output.keySerde())
                    .withValueSerde(new TracePartSerde()));
    direct
        .merge(rekeyed, Named.as("all-parts"))
        .process(
            new TraceBuffer(config, metrics, inputLag, tenantLimits),
            Named.as("trace-buffer-processor"))
        .to(
            output.name(),
            Produced.with(output.keySerde(), output.valueSerde())
                .withName("assembled-traces-sink"));
    return builder.build();
  }

  /**
   * The Kafka Streams properties: exactly_once_v2, tuned producer, dead-letter topic and handlers,
   * bounded RocksDB memory, then {@code streams.*} overrides.
   */
  public static Properties streamsConfig(AssemblyConfig config) {
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
