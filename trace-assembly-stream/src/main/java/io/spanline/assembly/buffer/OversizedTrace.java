package io.spanline.assembly.buffer;

import io.spanline.schemas.codec.avro.AvroRecordCodec;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.Span;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits an assembled trace whose Avro binary is larger than one Kafka record may be into
 * consecutive fragments that each fit. A trace within {@code trace.max.bytes} of OTLP can be larger
 * than the producer's {@code max.request.size} or the topic's {@code max.message.bytes} when those
 * are set lower than {@code trace.max.bytes} (Avro stores each resource once per trace but a scope
 * per span, and its strings uncompressed); the producer would refuse it, and under exactly-once the
 * refusal aborts the transaction, so the same trace would fail again at every retry.
 *
 * <p>The spans keep their start-time order: part {@code i} holds earlier spans than part {@code
 * i+1}, each part is summarised on its own spans and numbered {@code fragment + i}, as late
 * fragments are, so downstream the later parts follow the decision made on the first. This path
 * runs only for oversized traces: it decodes the trace once and encodes each candidate part.
 */
final class OversizedTrace {
  private OversizedTrace() {}

  /**
   * @param avroBinary an {@code AssembledTrace}, Avro binary without framing
   * @param maxBytes the largest Avro binary a part may have
   * @return the parts in order, each at most {@code maxBytes} unless it holds a single span that
   *     alone is larger (the caller's producer refuses it and its exception handler dead-letters
   *     it)
   */
  static List<byte[]> split(byte[] avroBinary, long maxBytes) {
    AssembledTrace trace = AvroRecordCodec.ASSEMBLED_TRACE.decode(avroBinary);
    List<List<Span>> groups = new ArrayList<>();
    group(trace, trace.spans(), maxBytes, groups);
    List<byte[]> parts = new ArrayList<>(groups.size());
    for (int i = 0; i < groups.size(); i++) {
      parts.add(encode(trace, trace.fragment() + i, groups.get(i)));
    }
    return parts;
  }

  /** Halves {@code spans} until each half fits, appending the groups in order. */
  private static void group(
      AssembledTrace trace, List<Span> spans, long maxBytes, List<List<Span>> out) {
    if (spans.size() == 1 || encode(trace, trace.fragment(), spans).length <= maxBytes) {
      out.add(spans);
      return;
    }
    int half = spans.size() / 2;
    group(trace, spans.subList(0, half), maxBytes, out);
    group(trace, spans.subList(half, spans.size()), maxBytes, out);
  }

  private static byte[] encode(AssembledTrace trace, int fragment, List<Span> spans) {
    return AvroRecordCodec.ASSEMBLED_TRACE.encode(
        AssembledTrace.of(trace.tenant(), trace.traceId(), fragment, List.copyOf(spans)));
  }
}
