package io.spanline.query.api.jaeger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.linecorp.armeria.common.QueryParams;
import io.spanline.query.api.GoDurations;
import io.spanline.storage.TraceQuery;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JaegerQueryParsingTest {
  @Test
  void readsGoDurations() {
    assertThat(GoDurations.parseNanos("1.5s")).isEqualTo(1_500_000_000L);
    assertThat(GoDurations.parseNanos("250ms")).isEqualTo(250_000_000L);
    assertThat(GoDurations.parseNanos("1h30m")).isEqualTo(5_400_000_000_000L);
    assertThat(GoDurations.parseNanos("4500ns")).isEqualTo(4500);
    assertThat(GoDurations.parseNanos("2µs")).isEqualTo(2000);
    assertThat(GoDurations.parseNanos("0")).isZero();
    assertThat(GoDurations.parseNanos("-1s")).isEqualTo(-1_000_000_000L);
    assertThatThrownBy(() -> GoDurations.parseNanos("5")).hasMessageContaining("Go syntax");
    assertThatThrownBy(() -> GoDurations.parseNanos("1.5 s"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GoDurations.parseNanos("s"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GoDurations.parseNanos("99999999999999h"))
        .hasMessageContaining("too long");
  }

  @Test
  void readsASearchInCamelCaseOrSnakeCase() {
    TraceQuery camel =
        JaegerApiV3.query(
            QueryParams.builder()
                .add("query.serviceName", "checkout")
                .add("query.operationName", "POST /orders")
                .add("query.startTimeMin", "2026-11-22T10:00:00.123456789Z")
                .add("query.startTimeMax", "2026-11-22T12:00:00+01:00")
                .add("query.durationMin", "1.5s")
                .add("query.attributes", "{\"http.response.status_code\": \"500\"}")
                .add("query.searchDepth", "5")
                .build());
    TraceQuery snake =
        JaegerApiV3.query(
            QueryParams.builder()
                .add("query.service_name", "checkout")
                .add("query.operation_name", "POST /orders")
                .add("query.start_time_min", "2026-11-22T10:00:00.123456789Z")
                .add("query.start_time_max", "2026-11-22T12:00:00+01:00")
                .add("query.duration_min", "1.5s")
                .add("query.attributes", "{\"http.response.status_code\": \"500\"}")
                .add("query.search_depth", "5")
                .build());

    assertThat(camel).isEqualTo(snake);
    assertThat(camel.startMinEpochNanos() % 1_000_000_000L).isEqualTo(123_456_789L);
    assertThat(camel.startMaxEpochNanos() - camel.startMinEpochNanos())
        .isEqualTo(3_600_000_000_000L - 123_456_789L); // 12:00+01:00 is 11:00Z
    assertThat(camel.durationMinNanos()).contains(1_500_000_000L);
    assertThat(camel.attributes()).isEqualTo(Map.of("http.response.status_code", "500"));
    assertThat(camel.limit()).isEqualTo(5);
  }

  @Test
  void namesTheBadParameter() {
    assertThatThrownBy(() -> JaegerApiV3.query(QueryParams.of("query.serviceName", "a")))
        .hasMessageContaining("query.startTimeMin is required");
    assertThatThrownBy(
            () ->
                JaegerApiV3.query(
                    QueryParams.builder()
                        .add("query.serviceName", "a")
                        .add("query.startTimeMin", "2026-11-22T11:00:00Z")
                        .add("query.startTimeMax", "2026-11-22T10:00:00Z")
                        .build()))
        .hasMessageContaining("before query.startTimeMax");
    assertThatThrownBy(() -> io.spanline.query.api.Params.traceId("g".repeat(32)))
        .hasMessageContaining("trace_id");
    assertThat(io.spanline.query.api.Params.traceId("abc").toHex())
        .isEqualTo("0".repeat(29) + "abc");
  }
}
