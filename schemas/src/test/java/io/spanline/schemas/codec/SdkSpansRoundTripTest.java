package io.spanline.schemas.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.KeyValue;
import io.opentelemetry.api.common.Value;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.spanline.schemas.codec.avro.AvroRecordCodec;
import io.spanline.schemas.codec.otlp.OtlpJsonCodec;
import io.spanline.schemas.codec.otlp.OtlpProtoCodec;
import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.testing.OtlpOracle;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Spans made by the real OpenTelemetry Java SDK, encoded by its own OTLP marshaler, survive
 * Spanline's codecs with nothing lost: events, links, array and nested (kvlist, bytes) attributes.
 */
class SdkSpansRoundTripTest {
  private static List<SpanData> sdkSpans;
  private static byte[] sdkProtobuf;
  private static byte[] sdkJson;

  @BeforeAll
  static void recordSpansWithTheSdk() throws IOException {
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    try (SdkTracerProvider provider =
        SdkTracerProvider.builder()
            .setResource(
                Resource.getDefault().toBuilder()
                    .put("service.name", "checkout")
                    .put("deployment.environment.name", "test")
                    .build())
            .addSpanProcessor(SimpleSpanProcessor.create(exporter))
            .build()) {
      Tracer tracer = provider.get("io.spanline.test", "1.2.3");
      SpanContext remote =
          SpanContext.createFromRemoteParent(
              "0af7651916cd43dd8448eb211c80319c",
              "b7ad6b7169203331",
              TraceFlags.getSampled(),
              TraceState.builder().put("vendor", "value").build());

      io.opentelemetry.api.trace.Span root =
          tracer
              .spanBuilder("POST /checkout")
              .setSpanKind(SpanKind.SERVER)
              .setAttribute("http.request.method", "POST")
              .setAttribute("http.response.status_code", 500L)
              .setAttribute(AttributeKey.stringArrayKey("tags"), List.of("a", "b", ""))
              .setAttribute(AttributeKey.longArrayKey("sizes"), List.of(1L, -2L, Long.MAX_VALUE))
              .setAttribute(AttributeKey.doubleArrayKey("ratios"), List.of(0.5, -1e300))
              .setAttribute(AttributeKey.booleanArrayKey("flags"), List.of(true, false))
              .setAttribute(
                  AttributeKey.valueKey("nested"),
                  Value.of(
                      KeyValue.of("user", Value.of("alice")),
                      KeyValue.of("roles", Value.of(Value.of("admin"), Value.of(7L))),
                      KeyValue.of(
                          "inner",
                          Value.of(
                              KeyValue.of("bytes", Value.of(new byte[] {0, 1, (byte) 0xff}))))))
              .addLink(remote, Attributes.of(AttributeKey.stringKey("link.kind"), "follows"))
              .startSpan();
      try (Scope ignored = root.makeCurrent()) {
        io.opentelemetry.api.trace.Span child =
            tracer
                .spanBuilder("SELECT orders")
                .setSpanKind(SpanKind.CLIENT)
                .setParent(Context.current())
                .setAttribute("db.system.name", "postgresql")
                .startSpan();
        child.addEvent(
            "retry",
            Attributes.of(AttributeKey.longKey("attempt"), 2L),
            1_700_000_000L,
            TimeUnit.SECONDS);
        child.recordException(new IllegalStateException("connection reset"));
        child.setStatus(StatusCode.ERROR, "connection reset");
        child.end();
      }
      root.setStatus(StatusCode.OK);
      root.end();
      // SimpleSpanProcessor exported both on end(); shutting the provider down clears the exporter.
      sdkSpans = exporter.getFinishedSpanItems();
    }
    ByteArrayOutputStream proto = new ByteArrayOutputStream();
    TraceRequestMarshaler.create(sdkSpans).writeBinaryTo(proto);
    sdkProtobuf = proto.toByteArray();
    ByteArrayOutputStream json = new ByteArrayOutputStream();
    TraceRequestMarshaler.create(sdkSpans).writeJsonTo(json);
    sdkJson = json.toByteArray();
  }

  @Test
  void sdkSpansCarryEverythingTheTestIsAbout() {
    List<Span> spans = OtlpProtoCodec.decode(sdkProtobuf);
    assertThat(spans).hasSize(2);
    Span root = spans.stream().filter(Span::isRoot).findFirst().orElseThrow();
    Span child = spans.stream().filter(s -> !s.isRoot()).findFirst().orElseThrow();

    assertThat(root.links()).hasSize(1);
    assertThat(root.links().get(0).traceState()).isEqualTo("vendor=value");
    assertThat(root.links().get(0).attributes())
        .containsExactly(Attribute.of("link.kind", "follows"));
    assertThat(Attribute.find(root.attributes(), "sizes"))
        .contains(
            AnyValue.ofArray(
                List.of(AnyValue.of(1L), AnyValue.of(-2L), AnyValue.of(Long.MAX_VALUE))));
    AnyValue nested = Attribute.find(root.attributes(), "nested").orElseThrow();
    assertThat(nested).isInstanceOf(AnyValue.KeyValueList.class);
    assertThat(nested.asText()).contains("user=alice").contains("bytes=AAH/");
    assertThat(child.parentSpanId()).isEqualTo(root.spanId());
    assertThat(child.events()).extracting(e -> e.name()).containsExactly("retry", "exception");
    assertThat(child.events().get(0).epochNanos()).isEqualTo(1_700_000_000_000_000_000L);
    assertThat(child.status().isError()).isTrue();
    assertThat(child.serviceName()).isEqualTo("checkout");
    assertThat(child.scope().name()).isEqualTo("io.spanline.test");
    assertThat(child.scope().version()).isEqualTo("1.2.3");
  }

  @Test
  void protobufThroughModelAndAvroAndBackIsLossless() {
    // Given the SDK's own protobuf encoding
    TracesData expected = parse(sdkProtobuf);

    // When it goes protobuf -> model -> Avro -> model -> protobuf
    List<Span> spans = OtlpProtoCodec.decode(sdkProtobuf);
    AssembledTrace trace = AssembledTrace.of("tenant-a", spans.get(0).traceId(), 0, spans);
    AssembledTrace decoded =
        AvroRecordCodec.ASSEMBLED_TRACE.decode(AvroRecordCodec.ASSEMBLED_TRACE.encode(trace));
    byte[] again = OtlpProtoCodec.encode(decoded.spans());

    // Then nothing was lost
    assertThat(decoded).isEqualTo(trace);
    assertThat(OtlpOracle.flatten(parse(again)))
        .containsExactlyInAnyOrderElementsOf(OtlpOracle.flatten(expected));
  }

  @Test
  void readsTheSdkOwnOtlpJsonAsItsProtobuf() {
    assertThat(OtlpJsonCodec.decode(sdkJson))
        .containsExactlyInAnyOrderElementsOf(OtlpProtoCodec.decode(sdkProtobuf));
  }

  @Test
  void writesOtlpJsonThatAnIndependentParserReadsAsTheSdkProtobuf() {
    byte[] ourJson = OtlpJsonCodec.encode(OtlpProtoCodec.decode(sdkProtobuf));

    assertThat(OtlpOracle.flatten(OtlpOracle.parseJson(ourJson)))
        .containsExactlyInAnyOrderElementsOf(OtlpOracle.flatten(parse(sdkProtobuf)));
    String text = new String(ourJson, StandardCharsets.UTF_8);
    // OTLP/JSON specifics: hex IDs, int64 as strings, enums as integers
    assertThat(text).contains("\"traceId\":\"" + sdkSpans.get(0).getTraceId() + "\"");
    assertThat(text).contains("\"intValue\":\"500\"");
    assertThat(text).contains("\"kind\":2");
  }

  private static TracesData parse(byte[] protobuf) {
    try {
      return TracesData.parseFrom(protobuf);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
