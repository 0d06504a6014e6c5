package io.spanline.schemas.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanline.schemas.testing.TraceBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StartTimeWindowTest {
  private static final long HOUR_MS = 3_600_000L;
  private static final Instant NOW = Instant.ofEpochSecond(0, TraceBuilder.START);
  private static final StartTimeWindow WINDOW =
      StartTimeWindow.around(NOW, Duration.ofDays(7), Duration.ofHours(1));

  private static SampledTrace kept(AssembledTrace trace) {
    return new SampledTrace(
        trace,
        new SamplingDecision(
            trace.tenant(), trace.traceId(), DecisionOutcome.KEEP, List.of("errors"), 1.0, 1L));
  }

  @Test
  void boundsAreInclusive_inEpochNanos() {
    long now = TraceBuilder.START;
    assertThat(WINDOW.contains(now - Duration.ofDays(7).toNanos())).isTrue();
    assertThat(WINDOW.contains(now - Duration.ofDays(7).toNanos() - 1)).isFalse();
    assertThat(WINDOW.contains(now + Duration.ofHours(1).toNanos())).isTrue();
    assertThat(WINDOW.contains(now + Duration.ofHours(1).toNanos() + 1)).isFalse();
  }

  @Test
  void aTraceEntirelyInside_isTheSameInstance() {
    SampledTrace inside = kept(TraceBuilder.trace().root("api", "GET /", 5).build());

    StartTimeWindow.Narrowed narrowed = WINDOW.narrow(inside);

    assertThat(narrowed.kept()).containsSame(inside);
    assertThat(narrowed.leftOut()).isZero();
  }

  @Test
  void aTracePartlyOutside_keepsItsSpansInside_withTheSummaryOfThoseAlone() {
    SampledTrace spread =
        kept(
            TraceBuilder.trace()
                .root("api", "GET /", 5)
                .orphan("batch", "ancient", -30 * 24 * HOUR_MS, 5)
                .orphan("batch", "ahead", 2 * HOUR_MS, 5)
                .build());

    StartTimeWindow.Narrowed narrowed = WINDOW.narrow(spread);

    assertThat(narrowed.leftOut()).isEqualTo(2);
    AssembledTrace trace = narrowed.kept().orElseThrow().trace();
    assertThat(trace.spans()).extracting(Span::name).containsExactly("GET /");
    assertThat(trace.summary().startEpochNanos()).isEqualTo(TraceBuilder.START);
    assertThat(trace.summary().durationNanos()).isEqualTo(5_000_000L);
    assertThat(narrowed.kept().orElseThrow().decision()).isEqualTo(spread.decision());
  }

  @Test
  void aTraceEntirelyOutside_isLeftOutWhole() {
    SampledTrace old =
        kept(TraceBuilder.trace().shiftedBy(Duration.ofDays(-8)).root("api", "GET /", 5).build());

    StartTimeWindow.Narrowed narrowed = WINDOW.narrow(old);

    assertThat(narrowed.kept()).isEmpty();
    assertThat(narrowed.leftOut()).isEqualTo(1);
  }

  @Test
  void aWindowEndingBeforeItStarts_isRefused() {
    assertThatThrownBy(() -> new StartTimeWindow(2, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("before it starts");
  }
}
