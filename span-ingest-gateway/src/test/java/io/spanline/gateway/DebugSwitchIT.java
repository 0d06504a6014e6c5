package io.spanline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.spanline.gateway.testing.GatewayFixture;
import io.spanline.gateway.testing.OtlpHttp;
import io.spanline.gateway.testing.TestRequests;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.schemas.codec.otlp.OtlpProtoCodec;
import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.TraceId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The debug switch over real Kafka: a gateway whose head sampling keeps nothing still writes the
 * traces its header or the span attribute {@code spanline.debug} marks, for a tenant allowed the
 * switch; a refused tenant's marks have no effect.
 */
@ExtendWith(LocalInfraExtension.class)
class DebugSwitchIT {
  private static final String PROTOBUF = "application/x-protobuf";

  private static List<Span> written(GatewayFixture fixture) {
    List<Span> out = new ArrayList<>();
    fixture.readAll().forEach(w -> out.addAll(OtlpProtoCodec.decode(w.value())));
    return out;
  }

  private static byte[] withBaggageCopy(TraceId trace) {
    Span marked = TestRequests.span(trace, 2, 5);
    List<Attribute> attributes = new ArrayList<>(marked.attributes());
    attributes.add(Attribute.of("spanline.debug", "1"));
    return TestRequests.protobuf(
        List.of(marked.toBuilder().attributes(attributes).build(), TestRequests.span(trace, 2, 5)));
  }

  @Test
  void markedTracesSurviveHeadSamplingAtZero_forAllowedTenantsOnly(LocalKafka kafka)
      throws Exception {
    // Given a gateway keeping no trace by head sampling, the switch allowed to acme only
    try (GatewayFixture fixture =
        GatewayFixture.start(
            kafka, 1, Map.of("head-sampling.percentage", "0", "debug.tenants", "acme"), Map.of())) {
      // When acme sends an unmarked request, a request with the header, and a trace whose span
      // carries spanline.debug=1 (what an SDK's baggage span processor copies from baggage)
      List<Span> unmarked = TestRequests.spans(2, 2);
      List<Span> byHeader = TestRequests.spans(2, 3);
      TraceId byAttribute = TestRequests.newTraceId();
      assertThat(post(fixture, "acme", TestRequests.protobuf(unmarked))).isEqualTo(200);
      assertThat(post(fixture, "acme", TestRequests.protobuf(byHeader), "spanline-debug", "1"))
          .isEqualTo(200);
      assertThat(post(fixture, "acme", withBaggageCopy(byAttribute))).isEqualTo(200);
      // and globex, refused the switch, sends the same marks
      assertThat(
              post(
                  fixture,
                  "globex",
                  TestRequests.protobuf(TestRequests.spans(2, 3)),
                  "spanline-debug",
                  "1"))
          .isEqualTo(200);
      assertThat(post(fixture, "globex", withBaggageCopy(TestRequests.newTraceId())))
          .isEqualTo(200);
      // and a header that is neither on nor off is refused
      assertThat(
              post(
                  fixture,
                  "acme",
                  TestRequests.protobuf(TestRequests.spans(1, 1)),
                  "spanline-debug",
                  "please"))
          .isEqualTo(400);

      // Then Kafka holds acme's marked traces only: every span of the header's request, marked,
      // and both spans of the attribute-marked trace
      List<Span> written = written(fixture);
      List<TraceId> expected = new ArrayList<>();
      byHeader.forEach(s -> expected.add(s.traceId()));
      expected.add(byAttribute);
      expected.add(byAttribute);
      assertThat(written).extracting(Span::traceId).containsExactlyInAnyOrderElementsOf(expected);
      assertThat(written)
          .filteredOn(s -> !s.traceId().equals(byAttribute))
          .allSatisfy(
              s ->
                  assertThat(Attribute.find(s.attributes(), "spanline.debug"))
                      .contains(new AnyValue.BoolValue(true)));
      assertThat(fixture.readAll()).allSatisfy(w -> assertThat(w.tenant()).isEqualTo("acme"));

      // and the metrics count kept and refused marks
      String metrics = OtlpHttp.get(fixture.adminUri() + "/metrics").body();
      assertThat(metrics)
          .contains(
              "spanline_gateway_debug_traces_total{result=\"kept\",source=\"header\",tenant=\"acme\"}"
                  + " 2.0")
          .contains(
              "spanline_gateway_debug_traces_total{result=\"kept\",source=\"attribute\",tenant=\"acme\"}"
                  + " 1.0")
          .contains(
              "spanline_gateway_debug_traces_total{result=\"refused\",source=\"header\",tenant=\"globex\"}")
          .contains(
              "spanline_gateway_debug_traces_total{result=\"refused\",source=\"attribute\",tenant=\"globex\"}"
                  + " 1.0");
    }
  }

  @Test
  void baggagePropagatedAcrossServicesMarksTheirSpans_andTheHeaderWorksAsGrpcMetadata(
      LocalKafka kafka) throws Exception {
    // Given a gateway keeping no trace by head sampling, every tenant allowed the switch
    try (GatewayFixture fixture =
        GatewayFixture.start(kafka, 1, Map.of("head-sampling.percentage", "0"), Map.of())) {
      // and two services instrumented with the OpenTelemetry SDK, each with a span processor
      // copying the baggage entry spanline.debug into span attributes
      InMemorySpanExporter recorded = InMemorySpanExporter.create();
      SdkTracerProvider frontend = provider("frontend", recorded);
      SdkTracerProvider checkout = provider("checkout", recorded);
      TextMapPropagator w3c =
          TextMapPropagator.composite(
              W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance());

      // When a request carries the baggage entry spanline.debug=1 from frontend to checkout
      // over W3C headers (traceparent, baggage)
      Context withBaggage =
          Baggage.builder().put("spanline.debug", "1").build().storeInContext(Context.root());
      io.opentelemetry.api.trace.Span root =
          frontend.get("test").spanBuilder("GET /cart").setParent(withBaggage).startSpan();
      Map<String, String> headers = new HashMap<>();
      w3c.inject(root.storeInContext(withBaggage), headers, Map::put);
      Context received = w3c.extract(Context.root(), headers, MapGetter.INSTANCE);
      checkout.get("test").spanBuilder("Checkout").setParent(received).startSpan().end();
      root.end();
      // and another trace without baggage, sent once with the header and once without
      io.opentelemetry.api.trace.Span viaHeader =
          frontend.get("test").spanBuilder("GET /help").setParent(Context.root()).startSpan();
      viaHeader.end();
      io.opentelemetry.api.trace.Span plain =
          frontend.get("test").spanBuilder("GET /").setParent(Context.root()).startSpan();
      plain.end();
      List<SpanData> spans = recorded.getFinishedSpanItems();
      frontend.close();
      checkout.close();
      String debugTrace = root.getSpanContext().getTraceId();
      List<SpanData> baggageSpans =
          spans.stream().filter(d -> d.getTraceId().equals(debugTrace)).toList();
      assertThat(baggageSpans).hasSize(2);
      try (SpanExporter grpc =
              OtlpGrpcSpanExporter.builder().setEndpoint(fixture.grpcEndpoint()).build();
          SpanExporter grpcWithHeader =
              OtlpGrpcSpanExporter.builder()
                  .setEndpoint(fixture.grpcEndpoint())
                  .addHeader("spanline-debug", "1")
                  .build()) {
        List<SpanData> unmarked =
            spans.stream().filter(d -> !d.getTraceId().equals(debugTrace)).toList();
        SpanData helpSpan =
            unmarked.stream().filter(d -> d.getName().equals("GET /help")).findFirst().get();
        assertThat(grpc.export(baggageSpans).join(30, TimeUnit.SECONDS).isSuccess()).isTrue();
        assertThat(
                grpc.export(
                        unmarked.stream().filter(d -> !d.getName().equals("GET /help")).toList())
                    .join(30, TimeUnit.SECONDS)
                    .isSuccess())
            .isTrue();
        assertThat(grpcWithHeader.export(List.of(helpSpan)).join(30, TimeUnit.SECONDS).isSuccess())
            .isTrue();
      }

      // Then Kafka holds both services' spans of the baggage trace, marked "1", and the header's
      // span, marked true; not the plain one
      List<Span> written = written(fixture);
      assertThat(written)
          .extracting(w -> w.traceId().toHex())
          .containsExactlyInAnyOrder(
              debugTrace, debugTrace, viaHeader.getSpanContext().getTraceId());
      assertThat(written)
          .filteredOn(w -> w.traceId().toHex().equals(debugTrace))
          .allSatisfy(
              w ->
                  assertThat(Attribute.find(w.attributes(), "spanline.debug"))
                      .contains(new AnyValue.StringValue("1")));
      assertThat(written)
          .filteredOn(w -> !w.traceId().toHex().equals(debugTrace))
          .allSatisfy(
              w ->
                  assertThat(Attribute.find(w.attributes(), "spanline.debug"))
                      .contains(new AnyValue.BoolValue(true)));
    }
  }

  /** An SDK tracer provider for {@code service} with the baggage copy before the exporter. */
  private static SdkTracerProvider provider(String service, InMemorySpanExporter exporter) {
    return SdkTracerProvider.builder()
        .setResource(
            io.opentelemetry.sdk.resources.Resource.getDefault().toBuilder()
                .put("service.name", service)
                .build())
        .addSpanProcessor(new DebugBaggageCopy())
        .addSpanProcessor(SimpleSpanProcessor.create(exporter))
        .build();
  }

  /**
   * What an SDK's baggage span processor does for the key {@code spanline.debug} (the OpenTelemetry
   * Java contrib {@code BaggageSpanProcessor} with a key filter): copies the entry of the parent
   * context's baggage into the new span's attributes.
   */
  private static final class DebugBaggageCopy implements SpanProcessor {
    @Override
    public void onStart(Context parent, ReadWriteSpan span) {
      String value = Baggage.fromContext(parent).getEntryValue("spanline.debug");
      if (value != null) {
        span.setAttribute("spanline.debug", value);
      }
    }

    @Override
    public boolean isStartRequired() {
      return true;
    }

    @Override
    public void onEnd(ReadableSpan span) {}

    @Override
    public boolean isEndRequired() {
      return false;
    }
  }

  private enum MapGetter implements TextMapGetter<Map<String, String>> {
    INSTANCE;

    @Override
    public Iterable<String> keys(Map<String, String> carrier) {
      return carrier.keySet();
    }

    @Override
    public String get(Map<String, String> carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  }

  private static int post(GatewayFixture fixture, String tenant, byte[] body, String... headers)
      throws Exception {
    String[] all = new String[headers.length + 2];
    all[0] = "X-Scope-OrgID";
    all[1] = tenant;
    System.arraycopy(headers, 0, all, 2, headers.length);
    return OtlpHttp.post(fixture.httpEndpoint(), PROTOBUF, body, all).statusCode();
  }
}
