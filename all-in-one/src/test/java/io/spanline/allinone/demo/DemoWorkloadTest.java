package io.spanline.allinone.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The demo's Kafka hop as the messaging conventions recommend, without Kafka or HTTP. */
class DemoWorkloadTest {
  private final InMemorySpanExporter exported = InMemorySpanExporter.create();
  private final SdkTracerProvider provider =
      SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exported)).build();
  private final Tracer tracer = provider.get("demo-test");

  @AfterEach
  void close() {
    provider.close();
  }

  @Test
  void processSpan_isTheProducersChild_andLinksToIt_withPartitionOffsetAndKey() {
    // Given a record whose headers carry the producer span's context, as publish() injects it
    Span producer =
        tracer.spanBuilder("demo.orders publish").setSpanKind(SpanKind.PRODUCER).startSpan();
    ConsumerRecord<String, String> record =
        new ConsumerRecord<>(DemoWorkload.ORDERS_TOPIC, 2, 41L, "order-7", "order-7");
    try (Scope ignored = producer.makeCurrent()) {
      ServiceTelemetry.PROPAGATOR.inject(
          Context.current(),
          record.headers(),
          (h, k, v) -> h.add(k, v.getBytes(StandardCharsets.UTF_8)));
    } finally {
      producer.end();
    }

    // When fulfillment processes it
    DemoWorkload.processSpan(tracer, record).end();

    // Then the CONSUMER span is the producer's child and links to the producer span
    SpanData process = spanNamed("demo.orders process");
    assertThat(process.getKind()).isEqualTo(SpanKind.CONSUMER);
    assertThat(process.getTraceId()).isEqualTo(producer.getSpanContext().getTraceId());
    assertThat(process.getParentSpanId()).isEqualTo(producer.getSpanContext().getSpanId());
    assertThat(process.getLinks()).hasSize(1);
    LinkData link = process.getLinks().get(0);
    assertThat(link.getSpanContext().getTraceId())
        .isEqualTo(producer.getSpanContext().getTraceId());
    assertThat(link.getSpanContext().getSpanId()).isEqualTo(producer.getSpanContext().getSpanId());
    assertThat(link.getAttributes().get(DemoWorkload.PARTITION_ID)).isEqualTo("2");
    assertThat(link.getAttributes().get(DemoWorkload.KAFKA_OFFSET)).isEqualTo(41L);
    assertThat(link.getAttributes().get(DemoWorkload.KAFKA_KEY)).isEqualTo("order-7");
  }

  @Test
  void processSpan_ofARecordWithoutContext_isARootWithoutLink() {
    ConsumerRecord<String, String> record =
        new ConsumerRecord<>(DemoWorkload.ORDERS_TOPIC, 0, 0L, null, "order-8");

    DemoWorkload.processSpan(tracer, record).end();

    SpanData process = spanNamed("demo.orders process");
    assertThat(process.getParentSpanContext().isValid()).isFalse();
    assertThat(process.getLinks()).isEmpty();
  }

  private SpanData spanNamed(String name) {
    List<SpanData> spans =
        exported.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).toList();
    assertThat(spans).hasSize(1);
    return spans.get(0);
  }
}
