package io.spanline.bench;

import io.spanline.schemas.codec.otlp.OtlpProtoCodec;
import io.spanline.schemas.codec.otlp.OtlpTraceSplitter;
import io.spanline.schemas.codec.otlp.TracePart;
import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.InstrumentationScope;
import io.spanline.schemas.model.Resource;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanEvent;
import io.spanline.schemas.model.SpanId;
import io.spanline.schemas.model.SpanKind;
import io.spanline.schemas.model.Status;
import io.spanline.schemas.model.StatusCode;
import io.spanline.schemas.model.TraceId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The benchmark's data, shaped like PERFORMANCE.md's SDK workload: 5 services, traces of 5-50
 * spans, ~10 attributes and ~0.13 events per span, batched 512 spans per export request as the
 * SDK's BatchSpanProcessor does. Generated from a seed, so every process builds the same requests.
 */
final class Workload {
  static final int SPANS_PER_REQUEST = 512;

  /** Receives the workload's traces one by one, numbered from 0. */
  interface TraceConsumer {
    void accept(long index, TraceId traceId, List<Span> spans) throws Exception;
  }

  /**
   * The spans of the workload's requests regrouped per trace, as the assembly stream closes them,
   * until at least {@code targetSpans} spans were handed out.
   *
   * @return {traces, spans}
   */
  static long[] traces(long targetSpans, TraceConsumer consumer) throws Exception {
    long traces = 0;
    long spans = 0;
    for (long seed = 1; spans < targetSpans; seed++) {
      for (Request request : requests(20, seed)) {
        for (TracePart part : request.records()) {
          List<Span> traceSpans = OtlpProtoCodec.decode(part.tracesData());
          consumer.accept(traces, part.traceId(), traceSpans);
          traces++;
          spans += traceSpans.size();
        }
      }
    }
    return new long[] {traces, spans};
  }

  /** One export request: its TracesData body and the Kafka records the gateway makes of it. */
  record Request(byte[] body, List<TracePart> records, int spans) {}

  private Workload() {}

  /** Where the workload's traces start by default (November 2025), epoch nanoseconds. */
  static final long DEFAULT_BASE_EPOCH_NANOS = 1_763_000_000_000_000_000L;

  static List<Request> requests(int count, long seed) {
    return requests(count, seed, DEFAULT_BASE_EPOCH_NANOS);
  }

  /**
   * The requests of {@code seed}, their traces starting within the second after {@code
   * baseEpochNanos} (a benchmark through the gateway needs recent spans: it refuses start times
   * older than its {@code span.start.max-age.ms}).
   */
  static List<Request> requests(int count, long seed, long baseEpochNanos) {
    Random random = new Random(seed);
    List<Resource> services = new ArrayList<>();
    for (String name : List.of("frontend", "checkout", "payment", "inventory", "shipping")) {
      services.add(
          new Resource(
              List.of(
                  Attribute.of("service.name", name),
                  Attribute.of("service.version", "1.4.2"),
                  Attribute.of("telemetry.sdk.language", "java"),
                  Attribute.of("telemetry.sdk.name", "opentelemetry"),
                  Attribute.of("telemetry.sdk.version", "1.67.0"),
                  Attribute.of("host.name", "host-" + name)),
              0,
              "https://opentelemetry.io/schemas/1.26.0"));
    }
    InstrumentationScope scope =
        new InstrumentationScope("io.opentelemetry.armeria-1.3", "2.10.0-alpha", List.of(), 0, "");
    List<Request> out = new ArrayList<>();
    for (int r = 0; r < count; r++) {
      List<Span> spans = new ArrayList<>(SPANS_PER_REQUEST);
      while (spans.size() < SPANS_PER_REQUEST) {
        TraceId trace = new TraceId(random.nextLong() | 1, random.nextLong());
        int size = Math.min(5 + random.nextInt(46), SPANS_PER_REQUEST - spans.size());
        long start = baseEpochNanos + random.nextInt(1_000_000_000);
        SpanId parent = null;
        for (int i = 0; i < size; i++) {
          SpanId id = new SpanId(random.nextLong() | 1);
          long begin = start + i * 1_000_000L;
          Span.Builder b =
              Span.builder(trace, id)
                  .parentSpanId(parent)
                  .flags(1)
                  .name(i == 0 ? "GET /api/cart" : "SELECT shop.orders")
                  .kind(i == 0 ? SpanKind.SERVER : SpanKind.CLIENT)
                  .time(begin, begin + 200_000 + random.nextInt(5_000_000))
                  .resource(services.get(random.nextInt(services.size())))
                  .scope(scope)
                  .addAttribute(Attribute.of("http.request.method", "GET"))
                  .addAttribute(Attribute.of("url.path", "/api/cart/" + random.nextInt(10_000)))
                  .addAttribute(Attribute.of("http.response.status_code", 200L))
                  .addAttribute(Attribute.of("server.address", "checkout.shop.svc.cluster.local"))
                  .addAttribute(Attribute.of("server.port", 8080L))
                  .addAttribute(Attribute.of("network.protocol.version", "1.1"))
                  .addAttribute(Attribute.of("db.system.name", "postgresql"))
                  .addAttribute(
                      Attribute.of("db.query.text", "SELECT * FROM orders WHERE user_id = ?"))
                  .addAttribute(
                      Attribute.of(
                          "thread.name", "armeria-common-worker-epoll-3-" + random.nextInt(8)))
                  .addAttribute(
                      Attribute.of("user_agent.original", "Mozilla/5.0 (X11; Linux x86_64)"))
                  .addAttribute(
                      new Attribute("thread.id", AnyValue.of((long) random.nextInt(200))));
          if (random.nextInt(100) < 13) {
            b.addEvent(
                new SpanEvent(
                    begin + 100,
                    "exception",
                    List.of(Attribute.of("exception.type", "java.io.IOException")),
                    0));
            b.status(new Status(StatusCode.ERROR, "connection reset"));
          }
          spans.add(b.build());
          parent = id;
        }
      }
      byte[] body = OtlpProtoCodec.encode(spans);
      out.add(new Request(body, OtlpTraceSplitter.split(body, 1_000_000 - 1024), spans.size()));
    }
    return out;
  }
}
