package io.spanline.assembly.testing;

import io.spanline.schemas.codec.otlp.OtlpProtoCodec;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.InstrumentationScope;
import io.spanline.schemas.model.Resource;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanId;
import io.spanline.schemas.model.SpanKind;
import io.spanline.schemas.model.Status;
import io.spanline.schemas.model.StatusCode;
import io.spanline.schemas.model.TraceId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Traces for tests: trees of spans over a few services, reproducible from a seed. Span i of a trace
 * starts i microseconds after the trace's start, so start order is generation order.
 */
public final class TestTraces {
  private static final List<String> SERVICES = List.of("frontend", "checkout", "payment", "db");
  private static final long BASE = 1_700_000_000_000_000_000L;

  private final Random random;

  public TestTraces(long seed) {
    this.random = new Random(seed);
  }

  public TraceId traceId() {
    return new TraceId(random.nextLong() | 1, random.nextLong());
  }

  /**
   * A trace of {@code spanCount} spans: span 0 is the root, every other span's parent precedes it.
   */
  public List<Span> trace(int spanCount) {
    return trace(traceId(), spanCount);
  }

  public List<Span> trace(TraceId traceId, int spanCount) {
    List<Span> spans = new ArrayList<>(spanCount);
    long start = BASE + (random.nextInt(1_000_000) * 1_000_000L);
    for (int i = 0; i < spanCount; i++) {
      SpanId parent = i == 0 ? null : spans.get(random.nextInt(i)).spanId();
      spans.add(span(traceId, parent, start + i * 1_000L, SERVICES.get(i % SERVICES.size())));
    }
    return spans;
  }

  public Span span(TraceId traceId, SpanId parent, long startEpochNanos, String service) {
    return Span.builder(traceId, new SpanId(random.nextLong() | 1))
        .parentSpanId(parent)
        .name(service + "-op-" + random.nextInt(5))
        .kind(parent == null ? SpanKind.SERVER : SpanKind.INTERNAL)
        .time(startEpochNanos, startEpochNanos + 500_000L + random.nextInt(1_000_000))
        .addAttribute(Attribute.of("http.route", "/r/" + random.nextInt(100)))
        .status(Status.UNSET)
        .resource(resource(service))
        .scope(new InstrumentationScope("io.spanline.test", "1.0", List.of(), 0, ""))
        .build();
  }

  /** The same span with status ERROR. */
  public static Span failed(Span span) {
    return span.toBuilder().status(new Status(StatusCode.ERROR, "boom")).build();
  }

  public static Resource resource(String service) {
    return new Resource(List.of(Attribute.of(Resource.SERVICE_NAME, service)), 0, "");
  }

  /** OTLP {@code TracesData} protobuf of the spans. */
  public static byte[] otlp(List<Span> spans) {
    return OtlpProtoCodec.encode(spans);
  }
}
