package io.spanline.schemas.model;

import java.util.List;
import java.util.function.Predicate;

/** {@link TraceView} over an {@link AssembledTrace}. */
final class ModelTraceView implements TraceView {
  private final AssembledTrace trace;
  private final List<Span> spans;

  ModelTraceView(AssembledTrace trace) {
    this.trace = trace;
    this.spans = trace.spans();
  }

  @Override
  public String tenant() {
    return trace.tenant();
  }

  @Override
  public TraceId traceId() {
    return trace.traceId();
  }

  @Override
  public int fragment() {
    return trace.fragment();
  }

  @Override
  public String rootServiceName() {
    return trace.summary().rootServiceName();
  }

  @Override
  public long startEpochNanos() {
    return trace.summary().startEpochNanos();
  }

  @Override
  public long endEpochNanos() {
    return trace.summary().endEpochNanos();
  }

  @Override
  public int spanCount() {
    return spans.size();
  }

  @Override
  public long spanId(int span) {
    return spans.get(span).spanId().value();
  }

  @Override
  public boolean hasParent(int span) {
    return spans.get(span).parentSpanId() != null;
  }

  @Override
  public long parentSpanId(int span) {
    SpanId p = spans.get(span).parentSpanId();
    return p == null ? 0 : p.value();
  }

  @Override
  public String name(int span) {
    return spans.get(span).name();
  }

  @Override
  public SpanKind kind(int span) {
    return spans.get(span).kind();
  }

  @Override
  public long startEpochNanos(int span) {
    return spans.get(span).startEpochNanos();
  }

  @Override
  public long endEpochNanos(int span) {
    return spans.get(span).endEpochNanos();
  }

  @Override
  public StatusCode statusCode(int span) {
    return spans.get(span).status().code();
  }

  @Override
  public int flags(int span) {
    return spans.get(span).flags();
  }

  @Override
  public String traceState(int span) {
    return spans.get(span).traceState();
  }

  @Override
  public String serviceName(int span) {
    return spans.get(span).serviceName();
  }

  @Override
  public boolean anyAttribute(String key, Predicate<AnyValue> test) {
    Resource last = null;
    for (Span s : spans) {
      if (s.resource() != last) {
        last = s.resource();
        if (matches(last.attributes(), key, test)) {
          return true;
        }
      }
      if (matches(s.attributes(), key, test)) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(List<Attribute> attributes, String key, Predicate<AnyValue> test) {
    for (Attribute a : attributes) {
      if (a.key().equals(key) && test.test(a.value())) {
        return true;
      }
    }
    return false;
  }
}
