package io.spanline.query.api.jaeger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.linecorp.armeria.common.QueryParams;
import io.spanline.query.api.Responses.BadParameter;
import io.spanline.storage.TraceQuery;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The search of Jaeger's HTTP API ({@code GET /jaeger/api/traces}) as its query parser reads it.
 */
class JaegerHttpQueryParsingTest {
  private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");

  @Test
  void readsTheJaegerUisSearch() {
    // the Jaeger UI's SearchForm: minDuration/maxDuration null are sent as bare keys (empty)
    TraceQuery q =
        JaegerHttpApi.query(
            QueryParams.builder()
                .add("end", "1763812800000000")
                .add("limit", "20")
                .add("lookback", "1h")
                .add("maxDuration", "")
                .add("minDuration", "")
                .add("service", "checkout")
                .add("start", "1763809200000123")
                .add("tags", "{\"http.response.status_code\":\"500\",\"error\":\"true\"}")
                .build(),
            NOW);

    assertThat(q.service()).isEqualTo("checkout");
    assertThat(q.operation()).isEmpty();
    assertThat(q.startMinEpochNanos()).isEqualTo(1_763_809_200_000_123_000L);
    assertThat(q.startMaxEpochNanos()).isEqualTo(1_763_812_800_000_000_000L);
    assertThat(q.attributes())
        .isEqualTo(Map.of("http.response.status_code", "500", "error", "true"));
    assertThat(q.durationMinNanos()).isEmpty();
    assertThat(q.durationMaxNanos()).isEmpty();
    assertThat(q.limit()).isEqualTo(20);
  }

  @Test
  void readsDurationsOperationAndOlderTagParameters() {
    TraceQuery q =
        JaegerHttpApi.query(
            QueryParams.builder()
                .add("service", "checkout")
                .add("operation", "POST /orders")
                .add("minDuration", "1.5s")
                .add("maxDuration", "1m")
                .add("tag", "http.url:http://shop:8080/pay")
                .add("tag", "peer.service:payment")
                .build(),
            NOW);

    assertThat(q.operation()).contains("POST /orders");
    assertThat(q.durationMinNanos()).contains(1_500_000_000L);
    assertThat(q.durationMaxNanos()).contains(60_000_000_000L);
    // the value is everything after the first colon
    assertThat(q.attributes())
        .isEqualTo(Map.of("http.url", "http://shop:8080/pay", "peer.service", "payment"));
  }

  @Test
  void defaultsToTheLast48Hours_andALimitOf100() {
    TraceQuery q = JaegerHttpApi.query(QueryParams.of("service", "checkout"), NOW);

    assertThat(q.startMaxEpochNanos()).isEqualTo(NOW.getEpochSecond() * 1_000_000_000L);
    assertThat(q.startMaxEpochNanos() - q.startMinEpochNanos())
        .isEqualTo(Duration.ofHours(48).toNanos());
    assertThat(q.limit()).isEqualTo(100);
    assertThat(JaegerHttpApi.query(QueryParams.of("service", "a", "limit", "0"), NOW).limit())
        .isEqualTo(100);
  }

  @Test
  void refusesBadInput_namingTheParameter() {
    assertBad(QueryParams.of(), "service");
    assertBad(QueryParams.of("service", "a", "tags", "{not json"), "'tags'");
    assertBad(QueryParams.of("service", "a", "tags", "[\"a\"]"), "'tags'");
    assertBad(QueryParams.of("service", "a", "tags", "{\"code\": 500}"), "'code'");
    assertBad(QueryParams.of("service", "a", "tag", "no-colon"), "'tag'");
    assertBad(QueryParams.of("service", "a", "start", "yesterday"), "'start'");
    assertBad(QueryParams.of("service", "a", "start", "20", "end", "10"), "start");
    assertBad(QueryParams.of("service", "a", "minDuration", "5"), "minDuration");
    assertBad(QueryParams.of("service", "a", "minDuration", "-1s"), "minDuration");
    assertBad(
        QueryParams.of("service", "a", "minDuration", "2s", "maxDuration", "1s"), "maxDuration");
    assertBad(QueryParams.of("service", "a", "limit", "5000"), "limit");
    assertBad(QueryParams.of("service", "a", "limit", "-1"), "limit");
    assertBad(QueryParams.of("service", "a", "limit", "ten"), "'limit'");
  }

  private static void assertBad(QueryParams params, String named) {
    assertThatThrownBy(() -> JaegerHttpApi.query(params, NOW))
        .isInstanceOf(BadParameter.class)
        .hasMessageContaining(named);
  }
}
