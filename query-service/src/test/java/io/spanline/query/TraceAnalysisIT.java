package io.spanline.query;

import static io.spanline.query.testing.QueryFixture.getAs;
import static io.spanline.query.testing.QueryFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.spanline.localinfra.Probe;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.opensearch.LocalOpenSearch;
import io.spanline.query.testing.QueryFixture;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.testing.TraceBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Clock-skew adjustment and the critical path over the real read path: a trace whose server span
 * was recorded by a host whose clock runs 50 ms behind, indexed by the sink's write path, read
 * through the native API and Jaeger's api_v3.
 */
@ExtendWith(LocalInfraExtension.class)
class TraceAnalysisIT {
  private static final long MS = 1_000_000L;

  @Test
  void skewedSpansAreMovedIntoTheirParent_unlessAskedNotTo_andTheCriticalPathFollows(
      LocalOpenSearch node) throws Exception {
    // Given a 100 ms client span on host a and its 40 ms server span on host b, recorded 50 ms
    // early: [S - 49 ms, S - 9 ms], wholly before its parent
    AssembledTrace recorded =
        TraceBuilder.trace()
            .tenant("acme")
            .root("frontend", "GET /checkout", 100)
            .resourceAttr("host.name", "a")
            .child("checkout", "POST /orders", 40)
            .resourceAttr("host.name", "b")
            .build();
    List<Span> spans = new ArrayList<>(recorded.spans());
    Span server = spans.get(1);
    spans.set(
        1,
        server.toBuilder()
            .time(server.startEpochNanos() - 50 * MS, server.endEpochNanos() - 50 * MS)
            .build());
    AssembledTrace skewed =
        AssembledTrace.of("acme", recorded.traceId(), recorded.fragment(), spans);
    String id = skewed.traceId().toHex();
    long s = TraceBuilder.START;
    String prefix = QueryFixture.index(node, List.of(skewed));

    try (QueryServiceApp app = QueryFixture.start(node, prefix)) {
      Probe.until(
          "trace readable",
          Duration.ofSeconds(30),
          Duration.ofMillis(200),
          () -> getAs(app, "acme", "/v1/traces/" + id, Map.of()).statusCode() == 200);

      // When read as is: centred in its parent, (100 - 40) / 2 = 30 ms after its start
      JsonNode adjusted = ok(getAs(app, "acme", "/v1/traces/" + id, Map.of()));
      assertThat(adjusted.get("clockSkewAdjusted").asBoolean()).isTrue();
      assertThat(adjusted.get("clockSkewAdjustments")).hasSize(1);
      JsonNode adjustment = adjusted.get("clockSkewAdjustments").get(0);
      assertThat(adjustment.get("spanId").asText()).isEqualTo(server.spanId().toHex());
      assertThat(adjustment.get("deltaNanos").asLong()).isEqualTo(79 * MS);
      assertThat(adjustment.get("warning").asText())
          .isEqualTo("This span's timestamps were adjusted by 79ms");
      assertThat(starts(adjusted.get("trace"))).containsEntry(server.spanId().toHex(), s + 30 * MS);
      // the critical path: the client until the server starts, the server, the client again
      assertThat(sections(adjusted))
          .containsExactly(
              spans.get(0).spanId().toHex() + ":" + (s + 70 * MS) + "-" + (s + 100 * MS),
              server.spanId().toHex() + ":" + (s + 30 * MS) + "-" + (s + 70 * MS),
              spans.get(0).spanId().toHex() + ":" + s + "-" + (s + 30 * MS));

      // When asked for the raw timestamps: as recorded, and the server off the critical path
      JsonNode raw = ok(getAs(app, "acme", "/v1/traces/" + id, Map.of("adjustClockSkew", "false")));
      assertThat(raw.get("clockSkewAdjusted").asBoolean()).isFalse();
      assertThat(raw.get("clockSkewAdjustments")).isEmpty();
      assertThat(starts(raw.get("trace"))).containsEntry(server.spanId().toHex(), s - 49 * MS);
      assertThat(sections(raw))
          .containsExactly(spans.get(0).spanId().toHex() + ":" + s + "-" + (s + 100 * MS));

      // Jaeger's api_v3 adjusts too, unless raw_traces=true, as Jaeger does
      assertThat(starts(ok(getAs(app, "acme", "/api/v3/traces/" + id, Map.of())).get("result")))
          .containsEntry(server.spanId().toHex(), s + 30 * MS);
      assertThat(
              starts(
                  ok(getAs(app, "acme", "/api/v3/traces/" + id, Map.of("raw_traces", "true")))
                      .get("result")))
          .containsEntry(server.spanId().toHex(), s - 49 * MS);
    }
  }

  /** Span ID → start of every span in an OTLP/JSON TracesData. */
  private static Map<String, Long> starts(JsonNode tracesData) {
    Map<String, Long> out = new HashMap<>();
    for (JsonNode rs : tracesData.get("resourceSpans")) {
      for (JsonNode ss : rs.get("scopeSpans")) {
        for (JsonNode span : ss.get("spans")) {
          out.put(span.get("spanId").asText(), span.get("startTimeUnixNano").asLong());
        }
      }
    }
    return out;
  }

  private static List<String> sections(JsonNode trace) {
    List<String> out = new ArrayList<>();
    for (JsonNode section : trace.get("criticalPath")) {
      out.add(
          section.get("spanId").asText()
              + ":"
              + section.get("startTimeUnixNano").asLong()
              + "-"
              + section.get("endTimeUnixNano").asLong());
    }
    return out;
  }
}
