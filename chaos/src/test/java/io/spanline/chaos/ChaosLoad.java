package io.spanline.chaos;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Steady OTLP/HTTP load from the OpenTelemetry Java SDK (batch span processor, OTLP exporter with
 * its default retries): traces of a root and three children, one in ten failed and one in twenty
 * slow. In a failed trace every span has status ERROR and in a slow one every span lasts 1.2 s, so
 * the trace is kept whichever of its spans a fragment holds.
 */
final class ChaosLoad implements AutoCloseable {
  /** What the policies must do with a trace. */
  enum Kind {
    ERROR,
    SLOW,
    NORMAL
  }

  private final AckingExporter exporter;
  private final SdkTracerProvider provider;
  private final Tracer tracer;
  private final Map<String, Kind> kinds = new ConcurrentHashMap<>();
  private final Thread thread;
  private final Random random;
  private final int tracesPerSecond;
  private volatile boolean running = true;

  ChaosLoad(String otlpHttpEndpoint, String tenant, int tracesPerSecond, long seed) {
    this.exporter =
        new AckingExporter(
            OtlpHttpSpanExporter.builder()
                .setEndpoint(otlpHttpEndpoint)
                .addHeader("X-Scope-OrgID", tenant)
                .setTimeout(Duration.ofSeconds(10))
                .build());
    this.provider =
        SdkTracerProvider.builder()
            .setResource(
                Resource.create(
                    Attributes.of(AttributeKey.stringKey("service.name"), "chaos-shop")))
            .addSpanProcessor(
                BatchSpanProcessor.builder(exporter)
                    .setScheduleDelay(Duration.ofMillis(200))
                    .setMaxQueueSize(100_000)
                    .build())
            .build();
    this.tracer = provider.get("io.spanline.chaos");
    this.random = new Random(seed);
    this.tracesPerSecond = tracesPerSecond;
    this.thread = new Thread(this::run, "chaos-load");
    thread.start();
  }

  private void run() {
    long start = System.nanoTime();
    long n = 0;
    while (running) {
      long due = start + n * 1_000_000_000L / tracesPerSecond;
      long ahead = due - System.nanoTime();
      if (ahead > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(ahead); // pacing the load, not waiting for a condition
        } catch (InterruptedException e) {
          return;
        }
      }
      int dice = random.nextInt(20);
      trace(dice < 2 ? Kind.ERROR : dice == 2 ? Kind.SLOW : Kind.NORMAL);
      n++;
    }
  }

  private void trace(Kind kind) {
    Instant t0 = Instant.now();
    long spanMillis = kind == Kind.SLOW ? 1_200 : 5;
    Span root =
        tracer
            .spanBuilder("GET /checkout")
            .setSpanKind(SpanKind.SERVER)
            .setStartTimestamp(t0)
            .startSpan();
    kinds.put(root.getSpanContext().getTraceId(), kind);
    Context parent = Context.root().with(root);
    for (int i = 0; i < 3; i++) {
      Span child =
          tracer
              .spanBuilder("step-" + i)
              .setParent(parent)
              .setSpanKind(SpanKind.INTERNAL)
              .setStartTimestamp(t0.plusMillis(i))
              .startSpan();
      if (kind == Kind.ERROR) {
        child.setStatus(StatusCode.ERROR, "chaos");
      }
      child.end(t0.plusMillis(i + spanMillis));
    }
    if (kind == Kind.ERROR) {
      root.setStatus(StatusCode.ERROR, "chaos");
    }
    root.end(t0.plusMillis(spanMillis + 5));
  }

  /** Stops making traces and exports what is left, waiting up to {@code timeout}. */
  void stop(Duration timeout) throws InterruptedException {
    running = false;
    thread.join();
    provider.forceFlush().join(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  AckingExporter exporter() {
    return exporter;
  }

  Kind kind(String traceId) {
    return kinds.getOrDefault(traceId, Kind.NORMAL);
  }

  @Override
  public void close() {
    running = false;
    provider.shutdown().join(30, TimeUnit.SECONDS);
  }
}
