package io.spanline.schemas.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanline.schemas.testing.TestSpans;
import java.util.List;
import org.junit.jupiter.api.Test;

class TraceSummaryTest {
  private static final TraceId TRACE = TraceId.fromHex("0af7651916cd43dd8448eb211c80319c");

  private static Span span(long id, Long parent, String service, long start, long end) {
    return Span.builder(TRACE, new SpanId(id))
        .parentSpanId(parent == null ? null : new SpanId(parent))
        .name("op" + id)
        .time(start, end)
        .resource(TestSpans.resource(service))
        .build();
  }

  @Test
  void summarisesFromTheRootSpan() {
    List<Span> spans =
        List.of(
            span(2, 1L, "checkout", 150, 400),
            span(1, null, "frontend", 100, 500),
            span(3, 2L, "payment", 200, 300).toBuilder()
                .status(new Status(StatusCode.ERROR, "declined"))
                .build());

    TraceSummary summary = TraceSummary.of(spans);

    assertThat(summary.rootServiceName()).isEqualTo("frontend");
    assertThat(summary.rootSpanName()).isEqualTo("op1");
    assertThat(summary.startEpochNanos()).isEqualTo(100);
    assertThat(summary.endEpochNanos()).isEqualTo(500);
    assertThat(summary.durationNanos()).isEqualTo(400);
    assertThat(summary.spanCount()).isEqualTo(3);
    assertThat(summary.error()).isTrue();
    assertThat(summary.services()).containsExactly("checkout", "frontend", "payment");
    assertThat(summary.missingParentSpanCount()).isZero();
  }

  @Test
  void withoutARootTakesTheEarliestSpan_andCountsMissingParents() {
    List<Span> spans = List.of(span(5, 9L, "late", 300, 350), span(6, 9L, "early", 200, 260));

    TraceSummary summary = TraceSummary.of(spans);

    assertThat(summary.rootServiceName()).isEqualTo("early");
    assertThat(summary.missingParentSpanCount()).isEqualTo(2);
    assertThat(summary.error()).isFalse();
  }

  @Test
  void refusesAnEmptyTrace() {
    assertThatThrownBy(() -> TraceSummary.of(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no spans");
  }

  @Test
  void assembledTraceRefusesSpansOfAnotherTrace() {
    Span other =
        span(1, null, "x", 1, 2).toBuilder()
            .traceId(TraceId.fromHex("11111111111111111111111111111111"))
            .build();

    assertThatThrownBy(() -> AssembledTrace.of("t", TRACE, 0, List.of(other)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not in trace " + TRACE);
  }
}
