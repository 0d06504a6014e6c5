package io.spanline.query;

import static io.spanline.query.testing.QueryFixture.badRequest;
import static io.spanline.query.testing.QueryFixture.getAs;
import static io.spanline.query.testing.QueryFixture.ok;
import static io.spanline.query.testing.QueryFixture.with;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.spanline.localinfra.Probe;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.opensearch.LocalOpenSearch;
import io.spanline.query.testing.QueryFixture;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.testing.TraceBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code /v1/insights/compare} over what the real index sink wrote: the demo shop's checkouts, a
 * few slow because of one payment provider ({@code payment.provider=slowpay}, as the all-in-one's
 * demo does it) among ordinary providers; the comparison of slow against normal checkouts ranks
 * that value first, per tenant; failed checkouts against the rest; bad input.
 */
@ExtendWith(LocalInfraExtension.class)
class InsightsIT {
  private static final String[] ORDINARY = {"demo-card", "demo-wallet", "demo-bank"};

  /** A demo checkout {@code second}s after the builder's start, as the demo shop's spans go. */
  private static AssembledTrace checkout(
      String tenant, int second, long paymentMs, String provider, boolean failed) {
    TraceBuilder b =
        TraceBuilder.trace()
            .tenant(tenant)
            .shiftedBy(Duration.ofSeconds(second))
            .root("frontend", "GET /shop", paymentMs + 40)
            .attr("http.route", "/shop")
            .resourceAttr("host.name", "frontend-1")
            .child("checkout", "POST /orders", paymentMs + 20)
            .attr("http.route", "/orders")
            .attr("order.id", "order-" + tenant + "-" + second)
            .child("payment", "POST /charge", paymentMs)
            .attr("http.route", "/charge")
            .attr("payment.provider", provider)
            .attr("order.id", "order-" + tenant + "-" + second)
            .resourceAttr("host.name", "payment-" + (second % 2));
    if (failed) {
      b.error().attr("error.type", "card_declined");
    }
    return b.build();
  }

  @Test
  void slowCheckoutsAgainstNormalOnes_rankTheSlowProviderFirst_perTenant(LocalOpenSearch node)
      throws Exception {
    // Given 12 normal checkouts over ordinary providers, two of them declined, and 4 slow ones,
    // all through the slow provider; and another tenant whose slow checkouts use another one
    List<AssembledTrace> traces = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      traces.add(checkout("acme", i, 60 + i, ORDINARY[i % 3], i == 3 || i == 7));
    }
    for (int i = 12; i < 16; i++) {
      traces.add(checkout("acme", i, 2_000 + i, "slowpay", false));
    }
    for (int i = 0; i < 6; i++) {
      traces.add(checkout("globex", i, i < 3 ? 2_500 : 50, i < 3 ? "otherpay" : "slowpay", false));
    }
    String prefix = QueryFixture.index(node, traces);

    try (QueryServiceApp app = QueryFixture.start(node, prefix)) {
      Map<String, String> window = new LinkedHashMap<>();
      window.put(
          "from", Instant.ofEpochSecond(TraceBuilder.START / 1_000_000_000L - 60).toString());
      window.put("to", Instant.ofEpochSecond(TraceBuilder.START / 1_000_000_000L + 60).toString());
      window.put("service", "checkout");
      Probe.until(
          "summaries searchable",
          Duration.ofSeconds(30),
          Duration.ofMillis(200),
          () ->
              ok(getAs(app, "acme", "/v1/traces/search", with(window, "limit", "100")))
                      .get("traces")
                      .size()
                  == 16);

      // When slow checkouts (over a second) are compared with the others
      JsonNode slow = compare(app, "acme", with(window, "select.minDurationMs", "1000"));

      // Then the slow provider comes first: in every slow trace, in no other
      assertThat(slow.at("/selection/traces").asLong()).isEqualTo(4);
      assertThat(slow.at("/baseline/traces").asLong()).isEqualTo(12);
      JsonNode first = slow.get("differences").get(0);
      assertThat(first.get("key").asText()).isEqualTo("payment.provider");
      assertThat(first.get("value").asText()).isEqualTo("slowpay");
      assertThat(first.get("selectionTraces").asLong()).isEqualTo(4);
      assertThat(first.get("baselineTraces").asLong()).isZero();
      assertThat(first.get("selectionShare").asDouble()).isEqualTo(1.0);
      assertThat(first.get("score").asDouble()).isEqualTo(1.0);
      // values both sides share are not differences, identifiers of one trace are left out
      assertThat(values(slow))
          .doesNotContain("http.route=/charge", "service.name=payment", "order.id=order-acme-12")
          .allMatch(v -> !v.startsWith("order.id="));
      // every score above 0, best first
      List<Double> scores = new ArrayList<>();
      slow.get("differences").forEach(d -> scores.add(d.get("score").asDouble()));
      assertThat(scores).allMatch(s -> s > 0).isSortedAccordingTo((a, b) -> Double.compare(b, a));

      // and a duration range below selects the normal ones: the slow provider is not theirs
      JsonNode normal =
          compare(
              app,
              "acme",
              with(window, "select.minDurationMs", "0", "select.maxDurationMs", "500", "top", "3"));
      assertThat(normal.at("/selection/traces").asLong()).isEqualTo(12);
      assertThat(normal.get("differences").size()).isLessThanOrEqualTo(3);
      assertThat(values(normal)).doesNotContain("payment.provider=slowpay");

      // and failed checkouts against the rest find the decline
      JsonNode failed = compare(app, "acme", with(window, "select.status", "error"));
      assertThat(failed.at("/selection/traces").asLong()).isEqualTo(2);
      assertThat(values(failed).get(0)).isEqualTo("error.type=card_declined");

      // and each tenant compares its own traces only
      JsonNode ofGlobex = compare(app, "globex", with(window, "select.minDurationMs", "1000"));
      assertThat(ofGlobex.at("/selection/traces").asLong()).isEqualTo(3);
      assertThat(ofGlobex.at("/baseline/traces").asLong()).isEqualTo(3);
      assertThat(values(ofGlobex).get(0)).isEqualTo("payment.provider=otherpay");
      assertThat(values(ofGlobex)).doesNotContain("payment.provider=slowpay");
      JsonNode ofNobody = compare(app, "initech", with(window, "select.minDurationMs", "1000"));
      assertThat(ofNobody.at("/selection/traces").asLong()).isZero();
      assertThat(ofNobody.at("/baseline/traces").asLong()).isZero();
      assertThat(ofNobody.get("differences")).isEmpty();

      // and bad input is a 400 naming the parameter
      assertThat(badRequest(getAs(app, "acme", "/v1/insights/compare", window)))
          .contains("select.status")
          .contains("select.minDurationMs")
          .contains("select.maxDurationMs");
      assertThat(
              badRequest(
                  getAs(
                      app,
                      "acme",
                      "/v1/insights/compare",
                      with(window, "select.minDurationMs", "slow"))))
          .contains("select.minDurationMs");
      assertThat(
              badRequest(
                  getAs(app, "acme", "/v1/insights/compare", with(window, "select.status", "bad"))))
          .contains("select.status");
      assertThat(
              badRequest(
                  getAs(
                      app,
                      "acme",
                      "/v1/insights/compare",
                      with(window, "select.minDurationMs", "900", "select.maxDurationMs", "100"))))
          .contains("select.minDurationMs");
      assertThat(
              badRequest(
                  getAs(
                      app,
                      "acme",
                      "/v1/insights/compare",
                      with(window, "select.status", "error", "top", "0"))))
          .contains("top");
      assertThat(
              badRequest(
                  getAs(
                      app,
                      "acme",
                      "/v1/insights/compare",
                      with(window, "select.status", "error", "limit", "5000"))))
          .contains("limit");
      assertThat(
              badRequest(
                  getAs(
                      app,
                      "acme",
                      "/v1/insights/compare",
                      with(window, "select.status", "error", "from", "yesterday"))))
          .contains("from");
      // and the OpenAPI description has it
      assertThat(
              ok(getAs(app, "acme", "/openapi.json", Map.of()))
                  .at("/paths")
                  .has("/v1/insights/compare"))
          .isTrue();
    }
  }

  private static JsonNode compare(QueryServiceApp app, String tenant, Map<String, String> params)
      throws Exception {
    return ok(getAs(app, tenant, "/v1/insights/compare", params));
  }

  private static List<String> values(JsonNode comparison) {
    List<String> out = new ArrayList<>();
    comparison
        .get("differences")
        .forEach(d -> out.add(d.get("key").asText() + "=" + d.get("value").asText()));
    return out;
  }
}
