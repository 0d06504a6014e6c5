package io.spanline.schemas.testing;

import io.spanline.schemas.codec.avro.AvroRecordCodec;
import io.spanline.schemas.codec.avro.AvroTraceView;
import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.InstrumentationScope;
import io.spanline.schemas.model.Resource;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanId;
import io.spanline.schemas.model.SpanKind;
import io.spanline.schemas.model.SpanLink;
import io.spanline.schemas.model.Status;
import io.spanline.schemas.model.StatusCode;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.model.TraceView;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Assembled traces for tests, span by span: {@code TraceBuilder.trace().root("frontend", "GET /",
 * 120).child("db", "SELECT", 30).error().build()}. Times are in milliseconds from {@link #START}; a
 * child starts 1 ms after its parent. Setters after a span apply to that span.
 */
public final class TraceBuilder {
  /** Start of every trace's root span, epoch nanoseconds. */
  public static final long START = 1_763_800_000_000_000_000L;

  private static final AtomicLong IDS = new AtomicLong(1);
  private static final Random TRACE_IDS = new Random(20261122);

  private String tenant = "default";
  private TraceId traceId = randomTraceId();
  private int fragment;
  private long shiftNanos;
  private final List<Span.Builder> spans = new ArrayList<>();
  private final List<List<Attribute>> resourceAttributes = new ArrayList<>();
  private final List<String> services = new ArrayList<>();

  private TraceBuilder() {}

  /** A random trace ID (from a fixed seed), as SDKs make them. */
  public static synchronized TraceId randomTraceId() {
    return new TraceId(TRACE_IDS.nextLong() | 1, TRACE_IDS.nextLong());
  }

  public static TraceBuilder trace() {
    return new TraceBuilder();
  }

  public TraceBuilder tenant(String tenant) {
    this.tenant = tenant;
    return this;
  }

  public TraceBuilder traceId(TraceId traceId) {
    this.traceId = traceId;
    return this;
  }

  public TraceBuilder fragment(int fragment) {
    this.fragment = fragment;
    return this;
  }

  /** Moves every span of the trace by {@code shift} (e.g. to another day) when built. */
  public TraceBuilder shiftedBy(java.time.Duration shift) {
    this.shiftNanos = shift.toNanos();
    return this;
  }

  /** A root span starting at {@link #START}. */
  public TraceBuilder root(String service, String name, long durationMs) {
    return span(service, name, null, 0, durationMs, SpanKind.SERVER);
  }

  /** A child of the previous span, starting 1 ms after it. */
  public TraceBuilder child(String service, String name, long durationMs) {
    Span.Builder parent = spans.get(spans.size() - 1);
    Span p = parent.build();
    long offsetMs = (p.startEpochNanos() - START) / 1_000_000 + 1;
    return span(service, name, p.spanId(), offsetMs, durationMs, SpanKind.CLIENT);
  }

  /** A span whose parent is not in the trace (as in a late fragment). */
  public TraceBuilder orphan(String service, String name, long offsetMs, long durationMs) {
    return span(service, name, new SpanId(0x0ddL), offsetMs, durationMs, SpanKind.INTERNAL);
  }

  private TraceBuilder span(
      String service, String name, SpanId parent, long offsetMs, long durationMs, SpanKind kind) {
    long start = START + offsetMs * 1_000_000;
    spans.add(
        Span.builder(traceId, new SpanId(IDS.getAndIncrement()))
            .parentSpanId(parent)
            .name(name)
            .kind(kind)
            .time(start, start + durationMs * 1_000_000));
    services.add(service);
    resourceAttributes.add(new ArrayList<>());
    return this;
  }

  private Span.Builder last() {
    return spans.get(spans.size() - 1);
  }

  public TraceBuilder error() {
    last().status(new Status(StatusCode.ERROR, "failed"));
    return this;
  }

  public TraceBuilder ok() {
    last().status(new Status(StatusCode.OK, ""));
    return this;
  }

  public TraceBuilder attr(String key, String value) {
    last().addAttribute(Attribute.of(key, value));
    return this;
  }

  public TraceBuilder attr(String key, long value) {
    last().addAttribute(Attribute.of(key, value));
    return this;
  }

  public TraceBuilder attr(String key, double value) {
    last().addAttribute(Attribute.of(key, value));
    return this;
  }

  public TraceBuilder attr(String key, boolean value) {
    last().addAttribute(Attribute.of(key, value));
    return this;
  }

  /** A link from the last span to {@code spanId} of {@code traceId}, with these attributes. */
  public TraceBuilder link(TraceId traceId, SpanId spanId, Attribute... attributes) {
    last().addLink(new SpanLink(traceId, spanId, "", List.of(attributes), 0, 0));
    return this;
  }

  public TraceBuilder resourceAttr(String key, String value) {
    resourceAttributes.get(resourceAttributes.size() - 1).add(Attribute.of(key, value));
    return this;
  }

  public TraceBuilder traceState(String traceState) {
    last().traceState(traceState);
    return this;
  }

  public TraceBuilder flags(int flags) {
    last().flags(flags);
    return this;
  }

  /** {@code n} more children of the root, 1 ms each. */
  public TraceBuilder children(int n, String service) {
    Span root = spans.get(0).build();
    for (int i = 0; i < n; i++) {
      spans.add(
          Span.builder(traceId, new SpanId(IDS.getAndIncrement()))
              .parentSpanId(root.spanId())
              .name("op-" + i)
              .kind(SpanKind.INTERNAL)
              .time(root.startEpochNanos(), root.startEpochNanos() + 1_000_000));
      services.add(service);
      resourceAttributes.add(new ArrayList<>());
    }
    return this;
  }

  /** The Avro view the sampling stream reads: the trace encoded as Avro, read back by a view. */
  public static TraceView avroView(AssembledTrace trace) {
    byte[] avro = AvroRecordCodec.ASSEMBLED_TRACE.encode(trace);
    return AvroTraceView.of(avro, 0, avro.length);
  }

  public AssembledTrace build() {
    List<Span> out = new ArrayList<>();
    for (int i = 0; i < spans.size(); i++) {
      List<Attribute> resource = new ArrayList<>();
      resource.add(new Attribute(Resource.SERVICE_NAME, new AnyValue.StringValue(services.get(i))));
      resource.addAll(resourceAttributes.get(i));
      Span.Builder span = spans.get(i);
      Span built =
          span.resource(new Resource(resource, 0, ""))
              .scope(new InstrumentationScope("io.spanline.test", "1.0", List.of(), 0, ""))
              .build();
      if (shiftNanos != 0) {
        long start = built.startEpochNanos();
        long end = built.endEpochNanos();
        built = span.time(start + shiftNanos, end + shiftNanos).build();
        span.time(start, end); // a later build() shifts from the original times again
      }
      out.add(built);
    }
    return AssembledTrace.of(tenant, traceId, fragment, out);
  }
}
