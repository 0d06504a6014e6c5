package io.spanline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.gateway.testing.GatewayFixture;
import io.spanline.gateway.testing.OtlpHttp;
import io.spanline.gateway.testing.TestRequests;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.kafka.LocalKafka;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LocalInfraExtension.class)
class TenancyAndAdminIT {
  private static final String PROTOBUF = "application/x-protobuf";

  @Test
  void tenantOverItsRateLimitGets429_whileAnotherTenantIsServed(LocalKafka kafka) throws Exception {
    Path config = Files.createTempFile("gateway", ".yaml");
    Files.writeString(config, "tenants:\n  tenant-a:\n    spans-per-second: 20\n");
    try (GatewayFixture fixture =
        GatewayFixture.start(
            kafka, 1, Map.of(), Map.of("SPANLINE_GATEWAY_CONFIG_FILE", config.toString()))) {
      List<Integer> a = new ArrayList<>();
      List<Integer> b = new ArrayList<>();
      HttpResponse<byte[]> refused = null;
      for (int i = 0; i < 10; i++) {
        byte[] body = TestRequests.protobuf(TestRequests.spans(1, 10));
        HttpResponse<byte[]> forA =
            OtlpHttp.post(fixture.httpEndpoint(), PROTOBUF, body, "X-Scope-OrgID", "tenant-a");
        a.add(forA.statusCode());
        if (forA.statusCode() == 429) {
          refused = forA;
        }
        b.add(
            OtlpHttp.post(fixture.httpEndpoint(), PROTOBUF, body, "X-Scope-OrgID", "tenant-b")
                .statusCode());
      }

      assertThat(a).contains(200, 429);
      assertThat(b).containsOnly(200);
      assertThat(refused.headers().firstValue("Retry-After")).isPresent();
      assertThat(OtlpHttp.get(fixture.adminUri() + "/metrics").body())
          .contains(
              "spanline_gateway_requests_refused_total{reason=\"rate_limited\",tenant=\"tenant-a\"}");
    }
  }

  @Test
  void withAuthOnTheApiKeyNamesTheTenant(LocalKafka kafka) throws Exception {
    try (GatewayFixture fixture =
        GatewayFixture.start(
            kafka,
            1,
            Map.of("auth.enabled", "true"),
            Map.of("SPANLINE_GATEWAY_API_KEYS", "secret-1=acme,secret-2=globex"))) {
      byte[] body = TestRequests.protobuf(TestRequests.spans(1, 1));

      HttpResponse<byte[]> noKey = OtlpHttp.post(fixture.httpEndpoint(), PROTOBUF, body);
      HttpResponse<byte[]> badKey =
          OtlpHttp.post(fixture.httpEndpoint(), PROTOBUF, body, "x-api-key", "nope");
      HttpResponse<byte[]> bearer =
          OtlpHttp.post(fixture.httpEndpoint(), PROTOBUF, body, "Authorization", "Bearer secret-2");

      assertThat(noKey.statusCode()).isEqualTo(401);
      assertThat(badKey.statusCode()).isEqualTo(401);
      assertThat(bearer.statusCode()).isEqualTo(200);
      assertThat(fixture.readAll())
          .singleElement()
          .satisfies(r -> assertThat(r.tenant()).isEqualTo("globex"));
    }
  }

  @Test
  void adminPortServesHealthReadinessAndMetrics(LocalKafka kafka) throws Exception {
    try (GatewayFixture fixture = GatewayFixture.start(kafka, 1, Map.of(), Map.of())) {
      OtlpHttp.post(
          fixture.httpEndpoint(), PROTOBUF, TestRequests.protobuf(TestRequests.spans(1, 4)));

      assertThat(OtlpHttp.get(fixture.adminUri() + "/healthz").statusCode()).isEqualTo(200);
      long deadline = System.nanoTime() + 15_000_000_000L;
      int ready;
      do {
        ready = OtlpHttp.get(fixture.adminUri() + "/readyz").statusCode();
      } while (ready != 200 && System.nanoTime() < deadline);
      assertThat(ready).isEqualTo(200);
      String metrics = OtlpHttp.get(fixture.adminUri() + "/metrics").body();
      assertThat(metrics)
          .contains("spanline_gateway_spans_received_total{tenant=\"default\"} 4.0")
          .contains("spanline_gateway_spans_accepted_total{tenant=\"default\"} 4.0")
          .contains("spanline_gateway_inflight_bytes")
          .contains("spanline_gateway_kafka_produce_duration_seconds");
    }
  }

  @Test
  void notReadyWhileItsTopicIsMissing(LocalKafka kafka) throws Exception {
    String topic = io.spanline.localinfra.junit.UniqueNames.unique("not-yet");
    try (Gateway gateway = Gateway.start(GatewayFixture.config(kafka, topic, Map.of(), Map.of()))) {
      String readyz = "http://127.0.0.1:" + gateway.adminPort() + "/readyz";
      long deadline = System.nanoTime() + 15_000_000_000L;
      HttpResponse<String> answer;
      do {
        answer = OtlpHttp.get(readyz);
      } while (!answer.body().contains("does not exist") && System.nanoTime() < deadline);
      assertThat(answer.statusCode()).isEqualTo(503);
      assertThat(answer.body()).contains("topic " + topic + " does not exist");

      kafka.createTopics(1, List.of(topic));
      do {
        answer = OtlpHttp.get(readyz);
      } while (answer.statusCode() != 200 && System.nanoTime() < deadline + 15_000_000_000L);
      assertThat(answer.statusCode()).isEqualTo(200);
    }
  }
}
