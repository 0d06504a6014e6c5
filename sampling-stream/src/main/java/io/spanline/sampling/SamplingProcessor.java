package io.spanline.sampling;

import io.spanline.sampling.decision.DecisionStore;
import io.spanline.sampling.metrics.MetricsStore;
import io.spanline.sampling.metrics.SamplingMetrics;
import io.spanline.sampling.policy.SamplingPolicies;
import io.spanline.sampling.policy.Verdict;
import io.spanline.schemas.codec.avro.AvroRecordCodec;
import io.spanline.schemas.codec.avro.ConfluentAvroCodec;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.schemas.model.ServiceMetrics;
import io.spanline.schemas.model.TraceId;
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
    AssembledTrace trace = reader.deserialize(topics.assembledTraces().name(), record.value());
    if (metrics != null) {
      metrics.add(trace, meters);
    }
    boolean late = trace.fragment() > 0;
    Optional<SamplingDecision> stored =
        late ? decisions.find(trace.tenant(), trace.traceId(), ts) : Optional.empty();
    SamplingDecision decision;
    Verdict verdict;
    if (stored.isPresent()) {
      decision = stored.get();
      verdict =
          new Verdict(
              decision.outcome(),
              decision.kept() ? Verdict.Rule.KEPT_BY_POLICY : Verdict.Rule.NOT_SAMPLED,
              decision.policies(),
              decision.kept() ? Math.max(Double.MIN_VALUE, decision.samplingProbability()) : 1,
              0);
    } else {
      verdict = policies.get().decide(trace, ts * 1_000_000L);
      decision =
          new SamplingDecision(
              trace.tenant(),
              trace.traceId(),
              verdict.outcome(),
              verdict.policies(),
              verdict.probability(),
              context.currentSystemTimeMs() * 1_000_000L);
      decisions.put(decision, ts);
      if (options.emitDecisions()) {
        context.forward(record.withValue((Object) decision), SamplingTopology.DECISIONS_SINK);
      }
    }
    meters.decided(trace.tenant(), verdict, trace.spans().size(), late, stored.isPresent());
    if (decision.kept()) {
      context.forward(
          record.withValue((Object) sampledTrace(record.value(), trace, decision)),
          SamplingTopology.SAMPLED_SINK);
    }
  }

  /** Avro {@code SampledTrace} binary: the trace's Avro binary, then the decision's. */
  private byte[] sampledTrace(byte[] framed, AssembledTrace trace, SamplingDecision decision) {
    byte[] decisionAvro = AvroRecordCodec.SAMPLING_DECISION.encode(decision);
    byte[] out;
    if (topics.assembledWithCurrentSchema(framed)) {
      int traceBytes = framed.length - ConfluentAvroCodec.HEADER_BYTES;
      out = new byte[traceBytes + decisionAvro.length];
      System.arraycopy(framed, ConfluentAvroCodec.HEADER_BYTES, out, 0, traceBytes);
      System.arraycopy(decisionAvro, 0, out, traceBytes, decisionAvro.length);
    } else {
      byte[] traceAvro = AvroRecordCodec.ASSEMBLED_TRACE.encode(trace);
      out = new byte[traceAvro.length + decisionAvro.length];
      System.arraycopy(traceAvro, 0, out, 0, traceAvro.length);
      System.arraycopy(decisionAvro, 0, out, traceAvro.length, decisionAvro.length);
    }
    return out;
  }

  private void flushMetrics(long now) {
    for (ServiceMetrics m : metrics.drain()) {
      context.forward(
          new Record<>((Object) m.tenant(), (Object) m, now), SamplingTopology.METRICS_SINK);
    }
  }
}
