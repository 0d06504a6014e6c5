package io.spanline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.gateway.testing.GatewayFixture;
import io.spanline.gateway.testing.OtlpHttp;
import io.spanline.gateway.testing.TestRequests;
import io.spanline.localinfra.Probe;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.junit.UniqueNames;
import io.spanline.localinfra.kafka.LocalKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tenant-limits file at the gateway, against a real Kafka broker: a tenant's global ingest rate
 * is divided among the live gateways, counted through a consumer group; the file is reloaded while
 * the gateways run, and a bad file is refused and counted, the last good limits staying.
 */
@ExtendWith(LocalInfraExtension.class)
class TenantLimitsFileIT {
  private static final String PROTOBUF = "application/x-protobuf";
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Duration EVERY = Duration.ofMillis(100);

  private static final String LIMITS =
      """
      defaults:
        ingest-spans-per-second: 400
      overrides:
        acme:
          ingest-spans-per-second: 200
      """;

  @Test
  void twoGateways_shareATenantsGlobalRate_andFollowTheReloadedFile(
      LocalKafka kafka, @TempDir Path dir) throws Exception {
    // Given a tenant-limits file giving acme 200 spans/s and every other tenant 400, in all
    Path file = dir.resolve("tenant-limits.yaml");
    Files.writeString(file, LIMITS);
    Map<String, String> settings =
        Map.of(
            "tenant-limits.file",
            file.toString(),
            "tenant-limits.reload.interval.ms",
            "100",
            "tenant-limits.members.group",
            UniqueNames.unique("gateway-members"),
            "tenant-limits.members.refresh.ms",
            "100");
    try (GatewayFixture a = GatewayFixture.start(kafka, 2, settings, Map.of())) {
      // When one gateway runs alone, it allows acme the whole 200 spans/s
      Probe.until("gateway A counting itself", WAIT, EVERY, () -> a.gateway.liveGateways() == 1);
      assertThat(post(a, "acme", 100)).isEqualTo(200);
      assertThat(post(a, "acme", 100)).isEqualTo(200);

      // When a second gateway joins
      try (Gateway b = Gateway.start(GatewayFixture.config(kafka, a.topic, settings, Map.of()))) {
        Probe.until(
            "both gateways counting two",
            WAIT,
            EVERY,
            () -> a.gateway.liveGateways() == 2 && b.liveGateways() == 2);
        String bEndpoint = "http://127.0.0.1:" + b.httpPort() + "/v1/traces";

        // Then each allows acme half: 100 spans in a second pass, the next 100 are refused
        Probe.until("acme's bucket at A refilled", WAIT, EVERY, () -> post(a, "acme", 100) == 200);
        // (the refill probe's own refusals are counted too: compare the counter around one refusal)
        double refusedBefore = refusedSpans(a, "acme");
        assertThat(post(a, "acme", 100)).isEqualTo(429);
        assertThat(post(bEndpoint, "acme", 100)).isEqualTo(200);
        assertThat(post(bEndpoint, "acme", 100)).isEqualTo(429);
        // and another tenant gets half of the defaults' 400 on each
        assertThat(post(a, "globex", 200)).isEqualTo(200);
        assertThat(post(bEndpoint, "globex", 200)).isEqualTo(200);

        String metrics = OtlpHttp.get(a.adminUri() + "/metrics").body();
        assertThat(metrics).contains("spanline_gateway_instances 2.0");
        assertThat(refusedSpans(a, "acme")).isEqualTo(refusedBefore + 100);

        // When the file raises acme to 2000 spans/s, the gateways take it without a restart
        Files.writeString(file, LIMITS.replace("200", "2000"));
        Probe.until("acme's new limit at A", WAIT, EVERY, () -> post(a, "acme", 900) == 200);
        Probe.until(
            "acme's new limit at B", WAIT, EVERY, () -> post(bEndpoint, "acme", 900) == 200);

        // When the file turns invalid, it is refused and counted; the last good limits stay
        Files.writeString(file, LIMITS.replace("200", "-5"));
        Probe.until(
            "the bad file refused",
            WAIT,
            EVERY,
            () ->
                OtlpHttp.get(a.adminUri() + "/metrics")
                    .body()
                    .contains("spanline_tenant_limits_reloads_total{result=\"failure\"} 1.0"));
        Probe.until("acme's bucket refilled", WAIT, EVERY, () -> post(a, "acme", 900) == 200);
      }

      // When the second gateway stops, the first one allows the whole rate again
      Probe.until("gateway A counting one", WAIT, EVERY, () -> a.gateway.liveGateways() == 1);
    }
  }

  /** The spans refused for {@code tenant} by its rate, as gateway's /metrics says (0 if none). */
  private static double refusedSpans(GatewayFixture gateway, String tenant) throws Exception {
    String series =
        "spanline_gateway_spans_refused_total{reason=\"rate_limited\",tenant=\"" + tenant + "\"} ";
    return OtlpHttp.get(gateway.adminUri() + "/metrics")
        .body()
        .lines()
        .filter(l -> l.startsWith(series))
        .mapToDouble(l -> Double.parseDouble(l.substring(series.length())))
        .findFirst()
        .orElse(0);
  }

  private static int post(GatewayFixture gateway, String tenant, int spans) throws Exception {
    return post(gateway.httpEndpoint(), tenant, spans);
  }

  private static int post(String endpoint, String tenant, int spans) throws Exception {
    byte[] body = TestRequests.protobuf(TestRequests.spans(1, spans));
    return OtlpHttp.post(endpoint, PROTOBUF, body, "X-Scope-OrgID", tenant).statusCode();
  }
}
