package io.spanline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.spanline.gateway.testing.GatewayFixture;
import io.spanline.gateway.testing.OtlpHttp;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.schemas.codec.otlp.OtlpProtoCodec;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The real OpenTelemetry Java SDK exports multi-service traces over OTLP/gRPC, OTLP/HTTP protobuf
 * and OTLP/HTTP JSON; every span lands in {@code otlp_spans} exactly once, one trace per record,
 * keyed by its trace ID, with its resource and scope.
 */
@ExtendWith(LocalInfraExtension.class)
class SdkExportIT {
  private static GatewayFixture fixture;

  @BeforeAll
  static void start(LocalKafka kafka) throws Exception {
    fixture = GatewayFixture.start(kafka, 3, Map.of(), Map.of());
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  /**
   * Spans of {@code traces} traces across three services, recorded by three SDK tracer providers.
   */
  private static List<SpanData> multiServiceTraces(int traces) {
    InMemorySpanExporter recorded = InMemorySpanExporter.create();
    List<SdkTracerProvider> providers = new ArrayList<>();
    for (String service : List.of("frontend", "checkout", "payment")) {
      providers.add(
          SdkTracerProvider.builder()
              .setResource(Resource.getDefault().toBuilder().put("service.name", service).build())
              .addSpanProcessor(SimpleSpanProcessor.create(recorded))
              .build());
    }
    for (int t = 0; t < traces; t++) {
      Span root =
          providers
              .get(0)
              .get("http-server", "1.0")
              .spanBuilder("GET /cart")
              .setSpanKind(SpanKind.SERVER)
              .setAttribute("http.request.method", "GET")
              .startSpan();
      Span checkout =
          providers
              .get(1)
              .get("rpc", "2.0")
              .spanBuilder("Checkout")
              .setParent(Context.root().with(root))
              .setSpanKind(SpanKind.SERVER)
              .startSpan();
      for (int i = 0; i < 3; i++) {
        Span pay =
            providers
                .get(2)
                .get("db", "3.0")
                .spanBuilder("charge")
                .setParent(Context.root().with(checkout))
                .setAttribute(AttributeKey.longKey("attempt"), (long) i)
                .startSpan();
        pay.addEvent("retry");
        if (i == 2) {
          pay.setStatus(StatusCode.ERROR, "declined");
        }
        pay.end();
      }
      checkout.end();
      root.end();
    }
    List<SpanData> spans = recorded.getFinishedSpanItems();
    providers.forEach(SdkTracerProvider::close);
    return spans;
  }

  @Test
  void everySpanLandsOnceInARecordOfItsTrace() throws Exception {
    // Given 30 traces of 5 spans from three services, sent by three kinds of client
    List<SpanData> spans = multiServiceTraces(30);
    int third = spans.size() / 3;
    List<SpanData> viaGrpc = spans.subList(0, third);
    List<SpanData> viaHttp = spans.subList(third, 2 * third);
    List<SpanData> viaJson = spans.subList(2 * third, spans.size());

    try (SpanExporter grpc =
            OtlpGrpcSpanExporter.builder()
                .setEndpoint(fixture.grpcEndpoint())
                .addHeader("X-Scope-OrgID", "grpc-tenant")
                .setCompression("gzip")
                .build();
        SpanExporter http =
            OtlpHttpSpanExporter.builder()
                .setEndpoint(fixture.httpEndpoint())
                .addHeader("X-Scope-OrgID", "http-tenant")
                .build()) {
      CompletableResultCode sentGrpc = grpc.export(viaGrpc).join(30, TimeUnit.SECONDS);
      CompletableResultCode sentHttp = http.export(viaHttp).join(30, TimeUnit.SECONDS);
      assertThat(sentGrpc.isSuccess()).as("gRPC export acknowledged").isTrue();
      assertThat(sentHttp.isSuccess()).as("HTTP protobuf export acknowledged").isTrue();
    }
    ByteArrayOutputStream json = new ByteArrayOutputStream();
    TraceRequestMarshaler.create(viaJson).writeJsonTo(json);
    var jsonResponse =
        OtlpHttp.post(
            fixture.httpEndpoint(),
            "application/json",
            json.toByteArray(),
            "X-Scope-OrgID",
            "json-tenant");
    assertThat(jsonResponse.statusCode()).isEqualTo(200);
    assertThat(new String(jsonResponse.body())).isEqualTo("{}");

    // When the topic is read back
    List<GatewayFixture.Written> records = fixture.readAll();

    // Then each record holds spans of exactly the trace its key names,
    Map<String, String> tenantBySpan = new HashMap<>();
    Map<String, io.spanline.schemas.model.Span> written = new HashMap<>();
    for (GatewayFixture.Written r : records) {
      List<io.spanline.schemas.model.Span> inRecord = OtlpProtoCodec.decode(r.value());
      assertThat(inRecord).isNotEmpty().allMatch(s -> s.traceId().toHex().equals(r.key()));
      for (io.spanline.schemas.model.Span s : inRecord) {
        assertThat(written.put(s.spanId().toHex(), s))
            .as("span %s written twice", s.spanId())
            .isNull();
        tenantBySpan.put(s.spanId().toHex(), r.tenant());
      }
    }
    // every span arrived exactly once, with its resource, scope and tenant
    assertThat(written).hasSize(spans.size());
    for (SpanData sent : spans) {
      io.spanline.schemas.model.Span got = written.get(sent.getSpanId());
      assertThat(got).as("span %s", sent.getSpanId()).isNotNull();
      assertThat(got.traceId().toHex()).isEqualTo(sent.getTraceId());
      assertThat(got.name()).isEqualTo(sent.getName());
      assertThat(got.serviceName())
          .isEqualTo(sent.getResource().getAttribute(AttributeKey.stringKey("service.name")));
      assertThat(got.resource().attributes()).hasSize(sent.getResource().getAttributes().size());
      assertThat(got.scope().name()).isEqualTo(sent.getInstrumentationScopeInfo().getName());
      assertThat(got.scope().version()).isEqualTo(sent.getInstrumentationScopeInfo().getVersion());
      assertThat(got.events()).hasSize(sent.getEvents().size());
    }
    assertThat(viaGrpc).allMatch(s -> tenantBySpan.get(s.getSpanId()).equals("grpc-tenant"));
    assertThat(viaHttp).allMatch(s -> tenantBySpan.get(s.getSpanId()).equals("http-tenant"));
    assertThat(viaJson).allMatch(s -> tenantBySpan.get(s.getSpanId()).equals("json-tenant"));
    // and the 30 traces spread over the three partitions by key
    assertThat(records.stream().map(GatewayFixture.Written::partition).distinct().count())
        .isGreaterThan(1);
  }
}
