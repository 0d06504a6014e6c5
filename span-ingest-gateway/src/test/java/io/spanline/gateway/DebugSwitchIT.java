package io.spanline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.List;
import java.util.Map;
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

  private static int post(GatewayFixture fixture, String tenant, byte[] body, String... headers)
      throws Exception {
    String[] all = new String[headers.length + 2];
    all[0] = "X-Scope-OrgID";
    all[1] = tenant;
    System.arraycopy(headers, 0, all, 2, headers.length);
    return OtlpHttp.post(fixture.httpEndpoint(), PROTOBUF, body, all).statusCode();
  }
}
