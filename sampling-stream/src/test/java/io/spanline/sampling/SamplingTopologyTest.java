package io.spanline.sampling;

import static io.spanline.schemas.testing.TraceBuilder.trace;
import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.sampling.testing.SamplingDriver;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.DecisionOutcome;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.schemas.model.ServiceMetrics;
import io.spanline.schemas.model.SpanKind;
import io.spanline.schemas.model.StatusCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SamplingTopologyTest {
  private static final String ERRORS_AND_SLOW =
      """
      policies:
        - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
        - {name: slow, type: latency, latency: {threshold_ms: 1000}}
      """;

  @TempDir Path stateDir;

  @Test
  void keptTracesGoToTheSampledTopicWithTheirDecision_andEveryDecisionIsPublished()
      throws Exception {
    try (SamplingDriver d = new SamplingDriver(stateDir, ERRORS_AND_SLOW)) {
      AssembledTrace failed =
          trace().root("frontend", "GET /", 10).child("db", "SELECT", 5).error().build();
      AssembledTrace fine = trace().root("frontend", "GET /", 10).build();
      AssembledTrace slow = trace().tenant("acme").root("frontend", "GET /big", 1500).build();

      d.send(failed);
      d.send(fine);
      d.send(slow);

      List<SampledTrace> sampled = d.sampled();
      assertThat(sampled).extracting(SampledTrace::trace).containsExactly(failed, slow);
      SamplingDecision kept = sampled.get(0).decision();
      assertThat(kept.outcome()).isEqualTo(DecisionOutcome.KEEP);
      assertThat(kept.policies()).containsExactly("errors");
      assertThat(kept.samplingProbability()).isEqualTo(1.0);
      assertThat(kept.decidedAtEpochNanos())
          .isEqualTo(SamplingDriver.START.toEpochMilli() * 1_000_000L);
      assertThat(sampled.get(1).decision().tenant()).isEqualTo("acme");
      assertThat(d.decisions())
          .extracting(SamplingDecision::traceId, SamplingDecision::outcome)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(failed.traceId(), DecisionOutcome.KEEP),
              org.assertj.core.groups.Tuple.tuple(fine.traceId(), DecisionOutcome.DROP),
              org.assertj.core.groups.Tuple.tuple(slow.traceId(), DecisionOutcome.KEEP));
    }
  }

  @Test
  void lateFragmentsFollowTheStoredDecision_evenWhenTheyWouldBeDecidedOtherwise() throws Exception {
    try (SamplingDriver d = new SamplingDriver(stateDir, ERRORS_AND_SLOW)) {
      AssembledTrace keptTrace = trace().root("frontend", "GET /", 10).error().build();
      AssembledTrace droppedTrace = trace().root("frontend", "GET /", 10).build();
      d.send(keptTrace);
      d.send(droppedTrace);
      d.sampled();
      d.decisions();
      d.advanceRecordTime(Duration.ofMinutes(5));

      AssembledTrace lateOfKept =
          trace()
              .traceId(keptTrace.traceId())
              .fragment(1)
              .orphan("payment", "charge", 20, 5)
              .build();
      AssembledTrace lateOfDropped =
          trace()
              .traceId(droppedTrace.traceId())
              .fragment(1)
              .orphan("payment", "charge", 20, 5)
              .error()
              .build();
      d.send(lateOfKept);
      d.send(lateOfDropped);

      List<SampledTrace> sampled = d.sampled();
      assertThat(sampled).extracting(SampledTrace::trace).containsExactly(lateOfKept);
      assertThat(sampled.get(0).decision().policies()).containsExactly("errors");
      assertThat(d.decisions()).as("a stored decision is not published again").isEmpty();
      assertThat(counter(d, "spanline.sampling.late.fragments", "decision_source", "stored"))
          .isEqualTo(2);
    }
  }

  @Test
  void aLateFragmentWithoutADecisionIsDecidedOnItsOwn_andCounted() throws Exception {
    try (SamplingDriver d =
        new SamplingDriver(stateDir, ERRORS_AND_SLOW, Map.of("decision.ttl.ms", "60000"), null)) {
      AssembledTrace droppedTrace = trace().root("frontend", "GET /", 10).build();
      d.send(droppedTrace);
      d.advanceRecordTime(Duration.ofMinutes(2));

      AssembledTrace lateWithError =
          trace()
              .traceId(droppedTrace.traceId())
              .fragment(1)
              .orphan("payment", "charge", 20, 5)
              .error()
              .build();
      AssembledTrace neverSeen = trace().fragment(3).orphan("payment", "charge", 20, 5).build();
      d.send(lateWithError);
      d.send(neverSeen);

      assertThat(d.sampled())
          .as("the decision expired after decision.ttl: the fragment is decided on its own")
          .extracting(SampledTrace::trace)
          .containsExactly(lateWithError);
      assertThat(d.decisions()).hasSize(3);
      assertThat(counter(d, "spanline.sampling.late.fragments", "decision_source", "own"))
          .isEqualTo(2);
    }
  }

  @Test
  void aRecordThatCannotBeReadIsDeadLettered_andTheOthersAreDecided() throws Exception {
    try (SamplingDriver d = new SamplingDriver(stateDir, ERRORS_AND_SLOW)) {
      AssembledTrace before = trace().root("a", "x", 1).error().build();
      AssembledTrace after = trace().root("a", "x", 1).error().build();
      byte[] garbage = "not avro".getBytes(StandardCharsets.UTF_8);

      d.send(before);
      d.sendRaw(
          "0af7651916cd43dd8448eb211c80319c".getBytes(StandardCharsets.US_ASCII),
          garbage,
          "default");
      d.send(after);

      assertThat(d.sampled()).extracting(SampledTrace::trace).containsExactly(before, after);
      List<TestRecord<byte[], byte[]>> dead = d.deadLetters();
      assertThat(dead).hasSize(1);
      assertThat(dead.get(0).value()).isEqualTo(garbage);
      assertThat(header(dead.get(0), "__streams.errors.topic"))
          .isEqualTo("spanline.traces.assembled");
      assertThat(
              d.metrics()
                  .registry()
                  .find("spanline.sampling.records.dead.lettered")
                  .counter()
                  .count())
          .isEqualTo(1);
    }
  }

  @Test
  void aTraceKeptByTheGatewaysShedding_countsItsAdjustedCountInRedMetrics() throws Exception {
    try (SamplingDriver d =
        new SamplingDriver(
            stateDir, ERRORS_AND_SLOW, Map.of("metrics.flush.interval.ms", "1000"), null)) {
      // one trace the gateway kept at level 3 (1 in 8) and one it was not shedding
      d.send(
          trace()
              .root("frontend", "GET /", 10)
              .attr("spanline.shed.adjusted_count", 8L)
              .child("checkout", "POST /buy", 5)
              .attr("spanline.shed.adjusted_count", 8L)
              .error()
              .build());
      d.send(trace().root("frontend", "GET /", 20).child("checkout", "POST /buy", 7).build());
      d.advanceWallClock(Duration.ofSeconds(2));

      ServiceMetrics m = d.metricsRecords().get(0).value();
      ServiceMetrics.SpanMetric root =
          m.spanMetrics().stream()
              .filter(s -> s.service().equals("frontend"))
              .findFirst()
              .orElseThrow();
      assertThat(root.requestCount()).isEqualTo(9);
      assertThat(root.durationSumNanos()).isEqualTo(Duration.ofMillis(8 * 10 + 20).toNanos());
      assertThat(m.spanMetrics())
          .filteredOn(s -> s.service().equals("checkout"))
          .extracting(
              ServiceMetrics.SpanMetric::statusCode,
              ServiceMetrics.SpanMetric::requestCount,
              ServiceMetrics.SpanMetric::errorCount)
          .containsExactlyInAnyOrder(
              org.assertj.core.groups.Tuple.tuple(StatusCode.ERROR, 8L, 8L),
              org.assertj.core.groups.Tuple.tuple(StatusCode.UNSET, 1L, 0L));
      assertThat(m.edges())
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.requestCount()).isEqualTo(9);
                assertThat(e.errorCount()).isEqualTo(8);
              });
    }
  }

  @Test
  void redMetricsAndServiceGraphEdgesCountEveryTrace_keptOrNot() throws Exception {
    try (SamplingDriver d =
        new SamplingDriver(
            stateDir, ERRORS_AND_SLOW, Map.of("metrics.flush.interval.ms", "1000"), null)) {
      d.send(
          trace().root("frontend", "GET /", 10).child("checkout", "POST /buy", 5).error().build());
      d.send(trace().root("frontend", "GET /", 20).child("checkout", "POST /buy", 7).build());
      d.send(trace().root("frontend", "GET /", 30).build());
      assertThat(d.sampled()).hasSize(1);

      d.advanceWallClock(Duration.ofSeconds(2));

      List<TestRecord<String, ServiceMetrics>> records = d.metricsRecords();
      assertThat(records).hasSize(1);
      assertThat(records.get(0).key()).isEqualTo("default");
      ServiceMetrics m = records.get(0).value();
      assertThat(m.windowEndEpochNanos() - m.windowStartEpochNanos())
          .isEqualTo(Duration.ofMinutes(1).toNanos());
      ServiceMetrics.SpanMetric root =
          m.spanMetrics().stream()
              .filter(s -> s.service().equals("frontend"))
              .findFirst()
              .orElseThrow();
      assertThat(root.operation()).isEqualTo("GET /");
      assertThat(root.spanKind()).isEqualTo(SpanKind.SERVER);
      assertThat(root.requestCount()).isEqualTo(3);
      assertThat(root.durationSumNanos()).isEqualTo(Duration.ofMillis(60).toNanos());
      assertThat(root.durationBucketCounts().stream().mapToLong(Long::longValue).sum())
          .isEqualTo(3);
      assertThat(m.spanMetrics())
          .filteredOn(s -> s.service().equals("checkout"))
          .extracting(
              ServiceMetrics.SpanMetric::statusCode,
              ServiceMetrics.SpanMetric::requestCount,
              ServiceMetrics.SpanMetric::errorCount)
          .containsExactlyInAnyOrder(
              org.assertj.core.groups.Tuple.tuple(StatusCode.ERROR, 1L, 1L),
              org.assertj.core.groups.Tuple.tuple(StatusCode.UNSET, 1L, 0L));
      assertThat(m.edges())
          .containsExactly(
              new ServiceMetrics.ServiceGraphEdge(
                  "frontend", "checkout", 2, 1, Duration.ofMillis(12).toNanos()));

      d.advanceWallClock(Duration.ofSeconds(2));
      assertThat(d.metricsRecords()).as("flushed metrics are not sent twice").isEmpty();
      assertThat(
              d.metrics()
                  .registry()
                  .find("spanline.spans")
                  .tags("service", "frontend", "operation", "GET /")
                  .timer()
                  .count())
          .isEqualTo(3);
    }
  }

  @Test
  void swappedPoliciesApplyToTheNextTrace() throws Exception {
    try (SamplingDriver d = new SamplingDriver(stateDir, ERRORS_AND_SLOW)) {
      AssembledTrace first = trace().root("a", "x", 1).build();
      d.send(first);
      d.usePolicies("policies: [{name: all, type: always_sample}]");
      AssembledTrace second = trace().root("a", "x", 1).build();
      d.send(second);
      assertThat(d.sampled()).extracting(SampledTrace::trace).containsExactly(second);
    }
  }

  @Test
  void aReplayDecidesOnlyItsTimeRange_andPublishesNoDecisionsOrMetrics() throws Exception {
    Instant from = SamplingDriver.START.plus(Duration.ofMinutes(10));
    Instant to = from.plus(Duration.ofMinutes(10));
    try (SamplingDriver d =
        new SamplingDriver(
            stateDir,
            "policies: [{name: all, type: always_sample}]",
            Map.of("metrics.flush.interval.ms", "1000"),
            new Instant[] {from, to})) {
      AssembledTrace before = trace().root("a", "x", 1).build();
      AssembledTrace inside = trace().root("a", "x", 1).build();
      AssembledTrace atEnd = trace().root("a", "x", 1).build();
      d.recordTime(from.minusMillis(1));
      d.send(before);
      d.recordTime(from);
      d.send(inside);
      d.recordTime(to);
      d.send(atEnd);
      d.advanceWallClock(Duration.ofSeconds(5));

      assertThat(d.sampled()).extracting(SampledTrace::trace).containsExactly(inside);
      assertThat(d.decisions()).isEmpty();
      assertThat(d.metricsRecords()).isEmpty();
    }
  }

  private static double counter(SamplingDriver d, String name, String tag, String value) {
    return d.metrics().registry().find(name).tag(tag, value).counter().count();
  }

  private static String header(TestRecord<byte[], byte[]> r, String key) {
    Header h = r.headers().lastHeader(key);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
