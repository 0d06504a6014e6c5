package io.spanline.allinone.demo;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One demo service's OpenTelemetry SDK: its resource ({@code service.name} and friends), a tracer,
 * and a batch span processor exporting OTLP/HTTP protobuf to the gateway, as an instrumented
 * service in production would have; optionally a second exporter that sees the same spans.
 */
final class ServiceTelemetry implements AutoCloseable {
  /** W3C Trace Context: what the demo services propagate between each other. */
  static final TextMapPropagator PROPAGATOR = W3CTraceContextPropagator.getInstance();

  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

  private final SdkTracerProvider provider;
  private final Tracer tracer;

  ServiceTelemetry(String serviceName, URI otlpTracesEndpoint, String tenant, SpanExporter copy) {
    Resource resource =
        Resource.getDefault()
            .merge(
                Resource.create(
                    Attributes.builder()
                        .put(SERVICE_NAME, serviceName)
                        .put("service.version", "1.0.0")
                        .put("service.namespace", "spanline-demo")
                        .put("deployment.environment.name", "demo")
                        .build()));
    OtlpHttpSpanExporter otlp =
        OtlpHttpSpanExporter.builder()
            .setEndpoint(otlpTracesEndpoint.toString())
            .addHeader("X-Scope-OrgID", tenant)
            .setTimeout(Duration.ofSeconds(10))
            .build();
    SdkTracerProviderBuilder builder =
        SdkTracerProvider.builder()
            .setResource(resource)
            .addSpanProcessor(
                BatchSpanProcessor.builder(otlp).setScheduleDelay(Duration.ofMillis(500)).build());
    if (copy != null) {
      builder.addSpanProcessor(SimpleSpanProcessor.create(copy));
    }
    this.provider = builder.build();
    this.tracer = provider.get("io.spanline.demo", "1.0.0");
  }

  Tracer tracer() {
    return tracer;
  }

  /** Exports every ended span now; true when it finished within the timeout. */
  boolean flush(Duration timeout) {
    CompletableResultCode result = provider.forceFlush();
    return result.join(timeout.toMillis(), TimeUnit.MILLISECONDS).isSuccess();
  }

  @Override
  public void close() {
    provider.shutdown().join(10, TimeUnit.SECONDS);
  }
}
