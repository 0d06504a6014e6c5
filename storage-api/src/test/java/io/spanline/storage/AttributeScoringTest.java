package io.spanline.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanline.storage.AttributeScoring.Counted;
import java.util.List;
import org.junit.jupiter.api.Test;

class AttributeScoringTest {
  @Test
  void scoreIsTheSelectionShareMinusTheBaselineShare() {
    assertThat(AttributeScoring.score(4, 4, 0, 12)).isEqualTo(1.0);
    assertThat(AttributeScoring.score(3, 4, 3, 12)).isEqualTo(0.5);
    assertThat(AttributeScoring.score(4, 4, 12, 12)).isZero();
    assertThat(AttributeScoring.score(1, 4, 12, 12)).isEqualTo(-0.75);
    // an empty baseline has a share of 0
    assertThat(AttributeScoring.score(2, 4, 0, 0)).isEqualTo(0.5);
  }

  @Test
  void ranksOverRepresentedValuesFirst_andLeavesOutSharedAndUnderRepresentedOnes() {
    // Given the slow provider in every slow trace, a route in every trace, an ordinary provider
    // more common in the baseline, and a host somewhat more common in the selection
    List<Counted> counts =
        List.of(
            new Counted("http.route", "/charge", 4, 12),
            new Counted("payment.provider", "demo-card", 1, 4),
            new Counted("host.name", "payment-1", 3, 6),
            new Counted("payment.provider", "slowpay", 4, 0));

    List<AttributeDifference> ranked = AttributeScoring.rank(counts, 4, 12, 10);

    assertThat(ranked)
        .extracting(d -> d.key() + "=" + d.value())
        .containsExactly("payment.provider=slowpay", "host.name=payment-1");
    AttributeDifference first = ranked.get(0);
    assertThat(first.selectionShare()).isEqualTo(1.0);
    assertThat(first.baselineShare()).isZero();
    assertThat(first.score()).isEqualTo(1.0);
    assertThat(ranked.get(1).score()).isEqualTo(0.25);
  }

  @Test
  void leavesOutValuesOfASingleSelectedTrace_unlessTheSelectionIsOneTrace() {
    List<Counted> ids =
        List.of(new Counted("order.id", "o-1", 1, 0), new Counted("order.id", "o-2", 1, 0));

    assertThat(AttributeScoring.rank(ids, 5, 10, 10)).isEmpty();
    assertThat(AttributeScoring.rank(List.of(ids.get(0)), 1, 10, 10))
        .extracting(AttributeDifference::value)
        .containsExactly("o-1");
  }

  @Test
  void breaksTiesByTheRarerBaselineValue_thenMoreSelectedTraces_thenKeyAndValue() {
    List<Counted> counts =
        List.of(
            new Counted("b", "x", 2, 0), // 0.5 - 0
            new Counted("a", "y", 4, 5), // 1.0 - 0.5
            new Counted("a", "x", 2, 0), // 0.5 - 0
            new Counted("c", "z", 3, 2)); // 0.75 - 0.2 = 0.55

    assertThat(AttributeScoring.rank(counts, 4, 10, 10))
        .extracting(d -> d.key() + "=" + d.value())
        .containsExactly("c=z", "a=x", "b=x", "a=y");
    assertThat(AttributeScoring.rank(counts, 4, 10, 2)).hasSize(2);
  }

  @Test
  void refusesCountsOutOfRange_andNoRoomForResults() {
    assertThatThrownBy(() -> AttributeScoring.score(5, 4, 0, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0..4");
    assertThatThrownBy(() -> AttributeScoring.rank(List.of(), 1, 1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("max");
  }
}
