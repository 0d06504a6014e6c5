package io.spanline.schemas.topic;

import io.spanline.schemas.codec.avro.AvroRecordCodec;
import io.spanline.schemas.internal.serde.OtlpSpansSerde;
import io.spanline.schemas.internal.serde.TraceIdSerde;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.schemas.model.ServiceMetrics;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.registry.SchemaRegistryClient;
import io.spanline.schemas.serde.ConfluentAvroSerde;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The topic specs of the pipeline, each keyed by trace ID (32 lowercase hex chars):
 *
 * <ul>
 *   <li>{@link #otlpSpans()} — OTLP {@code TracesData} protobuf, spans of one trace per record;
 *   <li>{@link #assembledTraces()} — Avro {@code AssembledTrace}, Confluent wire format;
 *   <li>{@link #sampledTraces()} — Avro {@code SampledTrace}, Confluent wire format;
 *   <li>{@link #decisions()} — Avro {@code SamplingDecision}, Confluent wire format, compacted.
 * </ul>
 */
public final class SpanlineTopics {
  private final TopicSpec<TraceId, List<Span>> otlpSpans;
  private final TopicSpec<TraceId, AssembledTrace> assembledTraces;
  private final TopicSpec<TraceId, byte[]> assembledTracesEncoded;
  private final TopicSpec<TraceId, SampledTrace> sampledTraces;
  private final TopicSpec<TraceId, SamplingDecision> decisions;
  private final TopicSpec<TraceId, byte[]> sampledTracesEncoded;
  private final TopicSpec<TraceId, byte[]> decisionsEncoded;
  private final TopicSpec<String, ServiceMetrics> metrics;
  private final ConfluentAvroSerde<AssembledTrace> assembledSerde;

  public SpanlineTopics(TopicNames names, SchemaRegistryClient registry) {
    Objects.requireNonNull(names, "names");
    Objects.requireNonNull(registry, "registry");
    TraceIdSerde keys = new TraceIdSerde();
    this.otlpSpans = new TopicSpec<>(names.otlpSpans(), keys, new OtlpSpansSerde());
    ConfluentAvroSerde<AssembledTrace> assembled =
        new ConfluentAvroSerde<>(AvroRecordCodec.ASSEMBLED_TRACE, registry);
    this.assembledTraces = new TopicSpec<>(names.assembledTraces(), keys, assembled);
    this.assembledTracesEncoded =
        new TopicSpec<>(
            names.assembledTraces(),
            keys,
            Serdes.serdeFrom(assembled.encodedSerializer(), new ByteArrayDeserializer()));
    this.sampledTraces =
        new TopicSpec<>(
            names.sampledTraces(),
            keys,
            new ConfluentAvroSerde<>(AvroRecordCodec.SAMPLED_TRACE, registry));
    this.decisions =
        new TopicSpec<>(
            names.decisions(),
            keys,
            new ConfluentAvroSerde<>(AvroRecordCodec.SAMPLING_DECISION, registry));
    this.sampledTracesEncoded =
        new TopicSpec<>(
            names.sampledTraces(),
            keys,
            Serdes.serdeFrom(
                new ConfluentAvroSerde<>(AvroRecordCodec.SAMPLED_TRACE, registry)
                    .encodedSerializer(),
                new ByteArrayDeserializer()));
    this.decisionsEncoded =
        new TopicSpec<>(
            names.decisions(),
            keys,
            Serdes.serdeFrom(
                new ConfluentAvroSerde<>(AvroRecordCodec.SAMPLING_DECISION, registry)
                    .encodedSerializer(),
                new ByteArrayDeserializer()));
    this.metrics =
        new TopicSpec<>(
            names.metrics(),
            Serdes.String(),
            new ConfluentAvroSerde<>(AvroRecordCodec.SERVICE_METRICS, registry));
    this.assembledSerde = assembled;
  }

  public TopicSpec<TraceId, List<Span>> otlpSpans() {
    return otlpSpans;
  }

  public TopicSpec<TraceId, AssembledTrace> assembledTraces() {
    return assembledTraces;
  }

  /**
   * The assembled-traces topic for a writer that encodes Avro {@code AssembledTrace} itself: the
   * serializer adds only the Confluent framing; the deserializer returns the framed bytes.
   */
  public TopicSpec<TraceId, byte[]> assembledTracesEncoded() {
    return assembledTracesEncoded;
  }

  public TopicSpec<TraceId, SampledTrace> sampledTraces() {
    return sampledTraces;
  }

  public TopicSpec<TraceId, SamplingDecision> decisions() {
    return decisions;
  }

  /**
   * The sampled-traces topic for a writer that encodes Avro {@code SampledTrace} itself (for
   * example the Avro binary of the {@code AssembledTrace} it read followed by that of the {@code
   * SamplingDecision}: Avro writes a record as its fields in order): the serializer adds only the
   * Confluent framing.
   */
  public TopicSpec<TraceId, byte[]> sampledTracesEncoded() {
    return sampledTracesEncoded;
  }

  /**
   * The decisions topic for a writer that encodes Avro {@code SamplingDecision} itself: the
   * serializer adds only the Confluent framing.
   */
  public TopicSpec<TraceId, byte[]> decisionsEncoded() {
    return decisionsEncoded;
  }

  /** The metrics topic: RED metrics and service-graph edges, keyed by tenant. */
  public TopicSpec<String, ServiceMetrics> metrics() {
    return metrics;
  }

  /**
   * Whether a framed {@code spanline.traces.assembled} value was written with the current {@code
   * AssembledTrace} schema, so its Avro binary (after the 5-byte header) can be reused as is.
   *
   * @throws io.spanline.schemas.registry.SchemaRegistryException if the schema cannot be registered
   */
  public boolean assembledWithCurrentSchema(byte[] framed) {
    return assembledSerde.isCurrentSchema(assembledTraces.name(), framed);
  }
}
