package io.spanline.sampling;

import io.spanline.sampling.decision.DecisionStore;
import io.spanline.sampling.metrics.MetricsStore;
import io.spanline.sampling.metrics.SamplingMetrics;
import io.spanline.sampling.policy.SamplingPolicies;
import io.spanline.sampling.policy.Verdict;
import io.spanline.schemas.codec.avro.AvroRecordCodec;
import io.spanline.schemas.codec.avro.AvroTraceView;
import io.spanline.schemas.codec.avro.ConfluentAvroCodec;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.schemas.model.ServiceMetrics;
import io.spanline.schemas.model.SpanId;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.model.TraceView;
import io.spanline.schemas.topic.SpanlineTopics;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Decides on each assembled trace or late fragment: RED metrics and service-graph edges first (on
 * every trace), then the stored decision for a late fragment or the policies' verdict, then the
 * kept trace to the sampled topic as Avro {@code SampledTrace} built from the input's Avro bytes
 * followed by the decision's (Avro writes a record as its fields in order, so the trace is not
 * re-encoded). A record that cannot be read throws, and Kafka Streams dead-letters it.
 */
final class SamplingProcessor implements Processor<TraceId, byte[], Object, Object> {
  /** How often changed RED series are saved to their store (see {@link MetricsStore}). */
  static final java.time.Duration METRICS_PERSIST_INTERVAL = java.time.Duration.ofSeconds(1);

  private final SamplingTopology.Options options;
  private final SpanlineTopics topics;
  private final Supplier<SamplingPolicies> policies;
  private final SamplingMetrics meters;
  private final Deserializer<AssembledTrace> reader;
  private ProcessorContext<Object, Object> context;
  private DecisionStore decisions;
  private MetricsStore metrics;

  SamplingProcessor(
      SamplingTopology.Options options,
      SpanlineTopics topics,
      Supplier<SamplingPolicies> policies,
      SamplingMetrics meters) {
    this.options = options;
    this.topics = topics;
    this.policies = policies;
    this.meters = meters;
    this.reader = topics.assembledTraces().valueSerde().deserializer();
  }

  @Override
  public void init(ProcessorContext<Object, Object> context) {
    this.context = context;
    this.decisions =
        new DecisionStore(
            context.getStateStore(DecisionStore.NAME), options.decisionTtl().toMillis());
    if (options.emitMetrics()) {
      this.metrics =
          new MetricsStore(
              context.getStateStore(MetricsStore.NAME), options.metricsWindow().toNanos());
      context.schedule(
          options.metricsFlushInterval(),
          PunctuationType.WALL_CLOCK_TIME,
          now -> flushMetrics(now));
    }
  }

  @Override
  public void process(Record<TraceId, byte[]> record) {
    long ts = record.timestamp();
    if (ts < options.fromMs() || ts >= options.toMs()) {
      meters.skippedOutsideRange();
      return;
    }
    byte[] value = record.value();
    boolean current = topics.assembledWithCurrentSchema(value);
    AssembledTrace model =
        current ? null : reader.deserialize(topics.assembledTraces().name(), value);
    TraceView trace =
        current
            ? AvroTraceView.of(
                value,
                ConfluentAvroCodec.HEADER_BYTES,
                value.length - ConfluentAvroCodec.HEADER_BYTES)
            : TraceView.of(model);
    boolean late = trace.fragment() > 0;
    Optional<byte[]> stored =
        late ? decisions.find(trace.tenant(), trace.traceId(), ts) : Optional.empty();
    byte[] decisionAvro;
    boolean kept;
    if (stored.isPresent()) {
      decisionAvro = stored.get();
      kept = AvroRecordCodec.SAMPLING_DECISION.decode(decisionAvro).kept();
      meters.followedStoredDecision(trace.tenant(), kept, trace.spanCount());
    } else {
      Verdict verdict = policies.get().decide(trace, ts * 1_000_000L);
      kept = verdict.kept();
      decisionAvro =
          AvroRecordCodec.SAMPLING_DECISION.encode(
              new SamplingDecision(
                  trace.tenant(),
                  trace.traceId(),
                  verdict.outcome(),
                  verdict.policies(),
                  verdict.probability(),
                  context.currentSystemTimeMs() * 1_000_000L));
      decisions.put(trace.tenant(), trace.traceId(), decisionAvro, ts);
      if (options.emitDecisions()) {
        context.forward(record.withValue((Object) decisionAvro), SamplingTopology.DECISIONS_SINK);
      }
      meters.decided(trace.tenant(), verdict, trace.spanCount(), late);
    }
    if (metrics != null) {
      // after the decision: a kept trace becomes the exemplar of the buckets its spans fall in
      if (kept) {
        meters.recordKept(
            trace.traceId().toHex(), exemplarSpan(trace), () -> metrics.add(trace, meters));
      } else {
        metrics.add(trace, meters);
      }
    }
    if (kept) {
      context.forward(
          record.withValue((Object) sampledTrace(value, model, decisionAvro)),
          SamplingTopology.SAMPLED_SINK);
    }
  }

  /** The trace's first root span (else its first span), as 16 hex digits. */
  private static String exemplarSpan(TraceView trace) {
    int chosen = 0;
    for (int i = 0; i < trace.spanCount(); i++) {
      if (!trace.hasParent(i)) {
        chosen = i;
        break;
      }
    }
    return new SpanId(trace.spanCount() == 0 ? 0 : trace.spanId(chosen)).toHex();
  }

  /**
   * Avro {@code SampledTrace} binary: the trace's Avro binary, then the decision's.
   *
   * @param model the decoded trace when the input was written with an older schema, else null
   */
  private static byte[] sampledTrace(byte[] framed, AssembledTrace model, byte[] decisionAvro) {
    byte[] traceAvro;
    int offset;
    int length;
    if (model == null) {
      traceAvro = framed;
      offset = ConfluentAvroCodec.HEADER_BYTES;
      length = framed.length - offset;
    } else {
      traceAvro = AvroRecordCodec.ASSEMBLED_TRACE.encode(model);
      offset = 0;
      length = traceAvro.length;
    }
    byte[] out = new byte[length + decisionAvro.length];
    System.arraycopy(traceAvro, offset, out, 0, length);
    System.arraycopy(decisionAvro, 0, out, length, decisionAvro.length);
    return out;
  }

  @Override
  public void close() {
    if (metrics != null) {
      metrics.persist(meters);
    }
  }

  private void flushMetrics(long now) {
    for (ServiceMetrics m : metrics.drain(meters)) {
      context.forward(
          new Record<>((Object) m.tenant(), (Object) m, now), SamplingTopology.METRICS_SINK);
    }
  }
}
