package io.spanline.query.trace;

import static io.spanline.query.trace.Spans.id;
import static io.spanline.query.trace.Spans.span;
import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.query.trace.ClockSkew.Adjustment;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanKind;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ClockSkewTest {
  private static final Duration MAX = Duration.ofHours(1);

  private static Map<Integer, Span> byNumber(List<Span> spans) {
    return spans.stream()
        .collect(
            Collectors.toMap(s -> Integer.parseInt(s.spanId().toHex(), 16), Function.identity()));
  }

  @Test
  void aServerSpanThatStartsBeforeItsClient_isCentredInIt_withItsSubtreeOnTheSameHost() {
    Span client = span(1, 0, "a", SpanKind.CLIENT, 100, 200);
    Span server = Spans.withEvent(span(2, 1, "b", SpanKind.SERVER, 50, 130), 70);
    Span serverChild = span(3, 2, "b", 60, 120);

    ClockSkew.Result r = ClockSkew.adjust(List.of(client, server, serverChild), MAX);

    Map<Integer, Span> out = byNumber(r.spans());
    // latency (100 - 80) / 2 = 10 on each side: the server starts at 110
    assertThat(out.get(2).startEpochNanos()).isEqualTo(110);
    assertThat(out.get(2).endEpochNanos()).isEqualTo(190);
    assertThat(out.get(2).events().get(0).epochNanos()).isEqualTo(130);
    assertThat(out.get(3).startEpochNanos()).isEqualTo(120);
    assertThat(out.get(3).durationNanos()).isEqualTo(60);
    assertThat(out.get(1)).isSameAs(client);
    assertThat(r.adjustments())
        .containsExactly(
            new Adjustment(id(2), 60, "This span's timestamps were adjusted by 60ns"),
            new Adjustment(id(3), 60, "This span's timestamps were adjusted by 60ns"));
  }

  @Test
  void aChildThatFits_andOneOnTheSameHost_areLeftAlone() {
    Span root = span(1, 0, "a", 0, 100);
    Span inside = span(2, 1, "b", 10, 90);
    Span sameHostOutside = span(3, 1, "a", 150, 200); // one clock: a real gap, not skew

    ClockSkew.Result r = ClockSkew.adjust(List.of(root, inside, sameHostOutside), MAX);

    assertThat(r.spans()).containsExactly(root, inside, sameHostOutside);
    assertThat(r.adjustments()).isEmpty();
  }

  @Test
  void aChildLongerThanItsParent_onlyStopsStartingBeforeIt() {
    Span root = span(1, 0, "a", 1_000, 2_000);
    Span longer = span(2, 1, "b", 500, 3_000);
    Span longerButLater = span(3, 1, "c", 1_500, 4_000);

    Map<Integer, Span> out =
        byNumber(ClockSkew.adjust(List.of(root, longer, longerButLater), MAX).spans());

    assertThat(out.get(2).startEpochNanos()).isEqualTo(1_000);
    assertThat(out.get(2).endEpochNanos()).isEqualTo(3_500);
    assertThat(out.get(3).startEpochNanos()).isEqualTo(1_500);
  }

  @Test
  void nestedSkew_isMeasuredAgainstTheCorrectedParent() {
    Span root = span(1, 0, "a", 0, 1_000);
    Span b = span(2, 1, "b", -500, 300); // 800 long, starts 500 early: moved by +600
    Span c = span(3, 2, "c", 1_000, 1_200); // after b's corrected [100, 900]: centred

    Map<Integer, Span> out = byNumber(ClockSkew.adjust(List.of(root, b, c), MAX).spans());

    assertThat(out.get(2).startEpochNanos()).isEqualTo(100);
    assertThat(out.get(2).endEpochNanos()).isEqualTo(900);
    assertThat(out.get(3).startEpochNanos()).isEqualTo(400);
    assertThat(out.get(3).endEpochNanos()).isEqualTo(600);
  }

  @Test
  void asynchronousChildren_areNotPulledIntoTheirParent() {
    Span producer = span(1, 0, "a", SpanKind.PRODUCER, 0, 10);
    Span consumerLater = span(2, 1, "b", SpanKind.CONSUMER, 500, 600);
    Span root = span(3, 0, "a", SpanKind.SERVER, 1_000, 1_100);
    Span consumerEarlier = span(4, 3, "b", SpanKind.CONSUMER, 900, 950);
    Span consumersChild = span(5, 4, "b", 910, 940);

    ClockSkew.Result r =
        ClockSkew.adjust(
            List.of(producer, consumerLater, root, consumerEarlier, consumersChild), MAX);

    assertThat(r.spans())
        .containsExactly(producer, consumerLater, root, consumerEarlier, consumersChild);
    assertThat(r.adjustments()).isEmpty();
  }

  @Test
  void unknownHosts_areTreatedAsDifferentHosts() {
    Span client = span(1, 0, "", SpanKind.CLIENT, 100, 200);
    Span server = span(2, 1, "", SpanKind.SERVER, 40, 60);

    Map<Integer, Span> out = byNumber(ClockSkew.adjust(List.of(client, server), MAX).spans());

    assertThat(out.get(2).startEpochNanos()).isEqualTo(140);
  }

  @Test
  void aCorrectionAboveTheMaximum_isReportedButNotApplied() {
    Span client = span(1, 0, "a", 0, 100);
    Span server = span(2, 1, "b", 5_000_000_000L, 5_000_000_050L);

    ClockSkew.Result r = ClockSkew.adjust(List.of(client, server), Duration.ofSeconds(1));

    assertThat(r.spans()).containsExactly(client, server);
    assertThat(r.adjustments())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.deltaNanos()).isZero();
              assertThat(a.warning())
                  .isEqualTo(
                      "max clock skew adjustment delta of 1s exceeded; not applying calculated"
                          + " delta of -4.999999975s");
            });
  }

  @Test
  void duplicateIdsAndMissingParents_areReported_andNotMoved() {
    Span root = span(1, 0, "a", 0, 100);
    Span twice = span(2, 1, "b", 500, 600);
    Span again = span(2, 1, "b", 700, 800);
    Span orphan = span(3, 9, "c", 5_000, 6_000);

    ClockSkew.Result r = ClockSkew.adjust(List.of(root, twice, again, orphan), MAX);

    assertThat(r.spans()).containsExactly(root, twice, again, orphan);
    assertThat(r.adjustments())
        .extracting(Adjustment::warning)
        .containsExactlyInAnyOrder(
            "duplicate span IDs; skipping clock skew adjustment",
            "parent span 0000000000000009 is not in the trace; skipping clock skew adjustment");
  }

  @Test
  void formatsDeltasAsJaegerDoes() {
    assertThat(ClockSkew.format(1_500_000)).isEqualTo("1.5ms");
    assertThat(ClockSkew.format(-250_000)).isEqualTo("-250µs");
    assertThat(ClockSkew.format(2_000_000_000)).isEqualTo("2s");
    assertThat(ClockSkew.format(12)).isEqualTo("12ns");
  }
}
