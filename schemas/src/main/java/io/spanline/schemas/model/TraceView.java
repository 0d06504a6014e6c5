package io.spanline.schemas.model;

import java.util.function.Predicate;

/**
 * Read-only access to an assembled trace (or late fragment) span by span, for code that inspects
 * traces without needing the whole model: tail-sampling policies and RED metrics. Implemented over
 * the model ({@link #of(AssembledTrace)}) and straight over Avro binary ({@code AvroTraceView}),
 * which reads only what is asked. Spans are indexed {@code 0 .. spanCount() - 1}. Timestamps are
 * epoch nanoseconds.
 */
public interface TraceView {
  String tenant();

  TraceId traceId();

  /** 0 for the trace as first closed; 1, 2, … for late fragments. */
  int fragment();

  /** {@code service.name} of the root span's resource; "" when unknown. */
  String rootServiceName();

  /** Earliest span start, epoch nanoseconds. */
  long startEpochNanos();

  /** Latest span end, epoch nanoseconds. */
  long endEpochNanos();

  int spanCount();

  /** The span's ID as a big-endian 64-bit value. */
  long spanId(int span);

  boolean hasParent(int span);

  /** The parent span ID as a big-endian 64-bit value; meaningful when {@link #hasParent}. */
  long parentSpanId(int span);

  String name(int span);

  SpanKind kind(int span);

  long startEpochNanos(int span);

  long endEpochNanos(int span);

  StatusCode statusCode(int span);

  /** W3C trace flags (OTLP {@code Span.flags}). */
  int flags(int span);

  /** The W3C {@code tracestate} header value; "" when none. */
  String traceState(int span);

  /** {@code service.name} of the span's resource; "" when absent. */
  String serviceName(int span);

  /**
   * True when, on any span, a resource attribute or a span attribute named {@code key} satisfies
   * {@code test}. Resource attributes of a span are checked before its own.
   */
  boolean anyAttribute(String key, Predicate<AnyValue> test);

  /** A view over the model. */
  static TraceView of(AssembledTrace trace) {
    return new ModelTraceView(trace);
  }
}
