package io.spanline.schemas.testing;

import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.InstrumentationScope;
import io.spanline.schemas.model.Resource;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanEvent;
import io.spanline.schemas.model.SpanId;
import io.spanline.schemas.model.SpanKind;
import io.spanline.schemas.model.SpanLink;
import io.spanline.schemas.model.Status;
import io.spanline.schemas.model.StatusCode;
import io.spanline.schemas.model.TraceId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Spans for tests: a fixed random seed makes every generated set reproducible. */
public final class TestSpans {
  private final Random random;

  public TestSpans(long seed) {
    this.random = new Random(seed);
  }

  /** One attribute of every {@code AnyValue} kind, nested arrays and key-value lists included. */
  public static List<Attribute> everyValueKind() {
    return List.of(
        new Attribute("empty", AnyValue.EMPTY),
        Attribute.of("s", "ünïcode"),
        Attribute.of("b", true),
        Attribute.of("l", -42L),
        Attribute.of("d", 1.5e-300),
        new Attribute("bytes", AnyValue.ofBytes(new byte[] {0, -1, 7})),
        new Attribute(
            "array", AnyValue.ofArray(List.of(AnyValue.of("x"), AnyValue.ofArray(List.of())))),
        new Attribute("kv", AnyValue.ofKeyValues(List.of(Attribute.of("inner", 3L)))));
  }

  public static Resource resource(String serviceName) {
    return new Resource(
        List.of(Attribute.of(Resource.SERVICE_NAME, serviceName), Attribute.of("host.name", "h1")),
        0,
        "https://opentelemetry.io/schemas/1.26.0");
  }

  public static InstrumentationScope scope(String name) {
    return new InstrumentationScope(name, "1.0.0", List.of(Attribute.of("lib", name)), 0, "");
  }

  public TraceId traceId() {
    return new TraceId(random.nextLong() | 1, random.nextLong());
  }

  public SpanId spanId() {
    return new SpanId(random.nextLong() | 1);
  }

  /**
   * A span of the given trace, with attributes, an event and a link, and an attribute value of
   * roughly {@code payloadBytes} bytes.
   */
  public Span span(
      TraceId traceId,
      SpanId parent,
      Resource resource,
      InstrumentationScope scope,
      int payloadBytes) {
    long start = 1_700_000_000_000_000_000L + random.nextInt(1_000_000) * 1000L;
    return Span.builder(traceId, spanId())
        .parentSpanId(parent)
        .name("op-" + random.nextInt(20))
        .kind(SpanKind.values()[random.nextInt(SpanKind.values().length)])
        .time(start, start + random.nextInt(5_000_000))
        .addAttribute(Attribute.of("payload", "x".repeat(payloadBytes)))
        .addAttribute(new Attribute("n", AnyValue.of(random.nextLong())))
        .addEvent(new SpanEvent(start + 10, "event", List.of(Attribute.of("k", true)), 0))
        .addLink(new SpanLink(traceId(), spanId(), "", List.of(), 0, 1))
        .status(new Status(random.nextInt(10) == 0 ? StatusCode.ERROR : StatusCode.UNSET, ""))
        .resource(resource)
        .scope(scope)
        .build();
  }

  /**
   * {@code traceCount} traces of {@code spansPerTrace} spans, interleaved span by span, reported by
   * three services with two scopes each.
   */
  public List<Span> interleavedTraces(int traceCount, int spansPerTrace, int payloadBytes) {
    List<Resource> resources = List.of(resource("frontend"), resource("checkout"), resource("db"));
    List<InstrumentationScope> scopes = List.of(scope("http"), scope("jdbc"));
    List<TraceId> traces = new ArrayList<>();
    for (int t = 0; t < traceCount; t++) {
      traces.add(traceId());
    }
    List<Span> out = new ArrayList<>();
    for (int i = 0; i < spansPerTrace; i++) {
      for (TraceId trace : traces) {
        out.add(
            span(
                trace,
                i == 0 ? null : spanId(),
                resources.get(random.nextInt(resources.size())),
                scopes.get(random.nextInt(scopes.size())),
                payloadBytes));
      }
    }
    return out;
  }
}
