package io.spanline.query.trace;

import static io.spanline.query.trace.Spans.id;
import static io.spanline.query.trace.Spans.span;
import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.query.trace.CriticalPath.Section;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanKind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CriticalPathTest {
  private static Section s(int span, long start, long end) {
    return new Section(id(span), start, end);
  }

  @Test
  void sequentialChildren_eachOnThePath_withTheParentBetweenThem() {
    List<Span> trace =
        List.of(span(1, 0, "a", 0, 100), span(2, 1, "a", 10, 40), span(3, 1, "a", 50, 90));

    assertThat(CriticalPath.of(trace))
        .containsExactly(s(1, 90, 100), s(3, 50, 90), s(1, 40, 50), s(2, 10, 40), s(1, 0, 10));
  }

  @Test
  void parallelChildren_onlyTheLastFinishingOneCounts() {
    List<Span> trace =
        List.of(span(1, 0, "a", 0, 100), span(2, 1, "a", 10, 80), span(3, 1, "a", 20, 60));

    assertThat(CriticalPath.of(trace)).containsExactly(s(1, 80, 100), s(2, 10, 80), s(1, 0, 10));
  }

  @Test
  void overlappingChildren_theWalkBackPicksTheChildThatFinishedBeforeTheLaterOneStarted() {
    List<Span> trace =
        List.of(
            span(1, 0, "a", 0, 100),
            span(2, 1, "a", 50, 90),
            span(3, 1, "a", 5, 45),
            span(4, 1, "a", 30, 70)); // ends after 2 starts: not before it

    assertThat(CriticalPath.of(trace))
        .containsExactly(s(1, 90, 100), s(2, 50, 90), s(1, 45, 50), s(3, 5, 45), s(1, 0, 5));
  }

  @Test
  void nestedChildren_descendAndComeBack() {
    List<Span> trace =
        List.of(
            span(1, 0, "a", 0, 100),
            span(2, 1, "b", 10, 90),
            span(3, 2, "b", 20, 30),
            span(4, 2, "b", 40, 85));

    assertThat(CriticalPath.of(trace))
        .containsExactly(
            s(1, 90, 100),
            s(2, 85, 90),
            s(4, 40, 85),
            s(2, 30, 40),
            s(3, 20, 30),
            s(2, 10, 20),
            s(1, 0, 10));
  }

  @Test
  void asynchronousChildren_doNotHoldUpTheirParent() {
    List<Span> trace =
        List.of(
            span(1, 0, "a", SpanKind.SERVER, 0, 100),
            span(2, 1, "a", SpanKind.PRODUCER, 10, 20),
            span(3, 2, "b", SpanKind.CONSUMER, 30, 150),
            span(4, 1, "b", SpanKind.CONSUMER, 60, 95));

    assertThat(CriticalPath.of(trace)).containsExactly(s(1, 20, 100), s(2, 10, 20), s(1, 0, 10));
  }

  @Test
  void childrenAreClippedToTheirParent_andDroppedWhenWhollyOutside() {
    List<Span> trace =
        List.of(
            span(1, 0, "a", 0, 100),
            span(2, 1, "b", 50, 150),
            span(3, 2, "b", 120, 140), // outside 2's clipped end: dropped
            span(4, 1, "b", -30, -10)); // before the parent: dropped

    assertThat(CriticalPath.of(trace)).containsExactly(s(2, 50, 100), s(1, 0, 50));
  }

  @Test
  void aTraceWithAMissingParent_walksEachRoot() {
    List<Span> trace =
        List.of(span(1, 0, "a", 0, 100), span(5, 9, "c", 200, 300), span(6, 5, "c", 250, 260));

    assertThat(CriticalPath.of(trace))
        .containsExactly(s(1, 0, 100), s(5, 260, 300), s(6, 250, 260), s(5, 200, 250));
  }

  @Test
  void aVeryDeepTrace_doesNotExhaustTheStack() {
    List<Span> chain = new ArrayList<>();
    int depth = 50_000;
    for (int i = 1; i <= depth; i++) {
      chain.add(span(i, i - 1, "a", i, 3L * depth - i));
    }

    List<Section> path = CriticalPath.of(chain);

    assertThat(path).hasSize(2 * depth - 1);
    assertThat(path.get(depth - 1)).isEqualTo(s(depth, depth, 2L * depth));
    assertThat(path.get(2 * depth - 2)).isEqualTo(s(1, 1, 2));
  }
}
