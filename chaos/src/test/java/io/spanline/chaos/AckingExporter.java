package io.spanline.chaos;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Passes spans to the real OTLP exporter and remembers those whose export the gateway acknowledged
 * (after the exporter's own retries), by trace ID: the spans the pipeline promised to keep.
 */
final class AckingExporter implements SpanExporter {
  private final SpanExporter delegate;
  private final Map<String, Set<String>> acknowledged = new ConcurrentHashMap<>();
  private final AtomicLong acknowledgedSpans = new AtomicLong();
  private final AtomicLong failedSpans = new AtomicLong();

  AckingExporter(SpanExporter delegate) {
    this.delegate = delegate;
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    CompletableResultCode result = delegate.export(spans);
    result.whenComplete(
        () -> {
          if (result.isSuccess()) {
            for (SpanData s : spans) {
              acknowledged
                  .computeIfAbsent(s.getTraceId(), t -> ConcurrentHashMap.newKeySet())
                  .add(s.getSpanId());
            }
            acknowledgedSpans.addAndGet(spans.size());
          } else {
            failedSpans.addAndGet(spans.size());
          }
        });
    return result;
  }

  /** Acknowledged span IDs by trace ID (hex). */
  Map<String, Set<String>> acknowledged() {
    return acknowledged;
  }

  long acknowledgedSpans() {
    return acknowledgedSpans.get();
  }

  long failedSpans() {
    return failedSpans.get();
  }

  @Override
  public CompletableResultCode flush() {
    return delegate.flush();
  }

  @Override
  public CompletableResultCode shutdown() {
    return delegate.shutdown();
  }
}
