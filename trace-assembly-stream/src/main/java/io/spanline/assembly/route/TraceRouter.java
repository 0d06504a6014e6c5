package io.spanline.assembly.route;

import io.spanline.assembly.metrics.AssemblyMetrics;
import io.spanline.schemas.codec.MalformedOtlpException;
import io.spanline.schemas.codec.otlp.OtlpTraceSplitter;
import io.spanline.schemas.codec.otlp.SpanRejection;
import io.spanline.schemas.codec.otlp.TracePart;
import io.spanline.schemas.codec.otlp.WireSplit;
import io.spanline.schemas.model.TraceId;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Reads {@code otlp_spans} records as bytes and routes their spans by trace ID, scanning the OTLP
 * wire format without decoding it. A record keyed by its one trace's ID (what the gateway and a
 * Collector with {@code partition_traces_by_id} write) goes on as it is; any other record — several
 * traces, no key, a key that is not its trace's ID — is split into one part per trace, each marked
 * for the repartition topic.
 *
 * <p>Errors: a value that is not OTLP protobuf throws {@link MalformedOtlpException}; spans with
 * invalid IDs are left out and, after the valid spans went on, {@link InvalidSpansException} is
 * thrown. Either way the processing exception handler dead-letters the input record. A null value
 * (tombstone) or a record without spans is skipped.
 */
public final class TraceRouter implements ProcessorSupplier<byte[], byte[], TraceId, RoutedPart> {
  private final AssemblyMetrics metrics;

  public TraceRouter(AssemblyMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public Processor<byte[], byte[], TraceId, RoutedPart> get() {
    return new Processor<>() {
      private ProcessorContext<TraceId, RoutedPart> context;

      @Override
      public void init(ProcessorContext<TraceId, RoutedPart> context) {
        this.context = context;
      }

      @Override
      public void process(Record<byte[], byte[]> record) {
        route(record, context);
      }
    };
  }

  private void route(Record<byte[], byte[]> record, ProcessorContext<TraceId, RoutedPart> context) {
    byte[] value = record.value();
    if (value == null) {
      return;
    }
    WireSplit split = OtlpTraceSplitter.splitByTraceLenient(value);
    boolean direct =
        split.parts().size() == 1
            && split.rejections().isEmpty()
            && isKeyOf(record.key(), split.parts().get(0).traceId());
    if (!direct && !split.parts().isEmpty()) {
      metrics.repartitioned();
    }
    for (TracePart part : split.parts()) {
      context.forward(record.withKey(part.traceId()).withValue(new RoutedPart(part, !direct)));
    }
    if (!split.rejections().isEmpty()) {
      Map<String, Integer> reasons = new TreeMap<>();
      for (SpanRejection r : split.rejections()) {
        reasons.merge(r.reason(), 1, Integer::sum);
      }
      reasons.forEach(metrics::rejected);
      throw new InvalidSpansException(
          split.rejections().size()
              + " span(s) with invalid IDs left out "
              + reasons
              + ", the other "
              + split.keptSpans()
              + " assembled; first: "
              + split.rejections().get(0).detail());
    }
  }

  /**
   * Whether the key is exactly the trace ID's 32 lowercase hex chars: only then did the producer's
   * partitioner place the record where the repartition topic would place the trace.
   */
  private static boolean isKeyOf(byte[] key, TraceId traceId) {
    return key != null
        && key.length == 32
        && new String(key, StandardCharsets.US_ASCII).equals(traceId.toHex());
  }
}
