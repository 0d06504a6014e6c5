package io.spanline.gateway.testing;

import io.spanline.schemas.codec.otlp.OtlpProtoCodec;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.InstrumentationScope;
import io.spanline.schemas.model.Resource;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanId;
import io.spanline.schemas.model.TraceId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** OTLP request bodies for tests, with IDs unique within the JVM. */
public final class TestRequests {
  /** When this class loaded, epoch nanoseconds: inside the gateway's window of start times. */
  private static final long NOW_NANOS = System.currentTimeMillis() * 1_000_000L;

  private static final AtomicLong NEXT = new AtomicLong(System.nanoTime());
  private static final Resource RESOURCE =
      new Resource(List.of(Attribute.of("service.name", "test-service")), 0, "");
  private static final InstrumentationScope SCOPE =
      new InstrumentationScope("test", "1.0", List.of(), 0, "");

  private TestRequests() {}

  public static TraceId newTraceId() {
    long n = NEXT.incrementAndGet();
    return new TraceId(n * 0x9E3779B97F4A7C15L | 1, n);
  }

  public static SpanId newSpanId() {
    return new SpanId(NEXT.incrementAndGet() * 0x9E3779B97F4A7C15L | 1);
  }

  /** A span with {@code attributes} attributes whose values are {@code valueBytes} long. */
  public static Span span(TraceId trace, int attributes, int valueBytes) {
    Span.Builder b =
        Span.builder(trace, newSpanId())
            .name("op")
            .time(NOW_NANOS, NOW_NANOS + 500_000_000L)
            .resource(RESOURCE)
            .scope(SCOPE);
    String value = "v".repeat(valueBytes);
    for (int i = 0; i < attributes; i++) {
      b.addAttribute(Attribute.of("key." + i, value));
    }
    return b.build();
  }

  /** {@code traces} traces of {@code spansPerTrace} small spans, as TracesData protobuf. */
  public static List<Span> spans(int traces, int spansPerTrace) {
    List<Span> out = new ArrayList<>();
    for (int t = 0; t < traces; t++) {
      TraceId trace = newTraceId();
      for (int s = 0; s < spansPerTrace; s++) {
        out.add(span(trace, 3, 10));
      }
    }
    return out;
  }

  public static byte[] protobuf(List<Span> spans) {
    return OtlpProtoCodec.encode(spans);
  }
}
