package io.spanline.schemas.topic;

import io.spanline.schemas.codec.avro.AvroRecordCodec;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.registry.SchemaRegistryClient;
import io.spanline.schemas.serde.ConfluentAvroSerde;
import io.spanline.schemas.serde.OtlpSpansSerde;
import io.spanline.schemas.serde.TraceIdSerde;
import java.util.List;
import java.util.Objects;

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
  private final TopicSpec<TraceId, SampledTrace> sampledTraces;
  private final TopicSpec<TraceId, SamplingDecision> decisions;

  public SpanlineTopics(TopicNames names, SchemaRegistryClient registry) {
    Objects.requireNonNull(names, "names");
    Objects.requireNonNull(registry, "registry");
    TraceIdSerde keys = new TraceIdSerde();
    this.otlpSpans = new TopicSpec<>(names.otlpSpans(), keys, new OtlpSpansSerde());
    this.assembledTraces =
        new TopicSpec<>(
            names.assembledTraces(),
            keys,
            new ConfluentAvroSerde<>(AvroRecordCodec.ASSEMBLED_TRACE, registry));
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
  }

  public TopicSpec<TraceId, List<Span>> otlpSpans() {
    return otlpSpans;
  }

  public TopicSpec<TraceId, AssembledTrace> assembledTraces() {
    return assembledTraces;
  }

  public TopicSpec<TraceId, SampledTrace> sampledTraces() {
    return sampledTraces;
  }

  public TopicSpec<TraceId, SamplingDecision> decisions() {
    return decisions;
  }
}
