package io.spanline.storage.opensearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IndexLayoutTest {
  private final IndexLayout layout = new IndexLayout("spanline");

  @Test
  void namesDailyIndicesByUtcDay() {
    assertThat(layout.spanIndex(LocalDate.of(2026, 11, 22))).isEqualTo("spanline-spans-2026-11-22");
    assertThat(layout.traceIndex(LocalDate.of(2026, 1, 2))).isEqualTo("spanline-traces-2026-01-02");
    assertThat(layout.spanIndexPattern()).isEqualTo("spanline-spans-*");
    assertThat(layout.fragmentIndex(LocalDate.of(2026, 11, 22)))
        .isEqualTo("spanline-fragments-2026-11-22");
    assertThat(layout.fragmentIndexPattern()).isEqualTo("spanline-fragments-*");
    assertThat(IndexLayout.dayOf(nanos("2026-11-22T23:59:59.999999999Z")))
        .isEqualTo(LocalDate.of(2026, 11, 22));
    assertThat(IndexLayout.dayOf(nanos("2026-11-23T00:00:00Z")))
        .isEqualTo(LocalDate.of(2026, 11, 23));
  }

  @Test
  void listsTheIndicesOfATimeRange() {
    assertThat(layout.spanIndices(nanos("2026-11-21T22:00:00Z"), nanos("2026-11-23T01:00:00Z")))
        .containsExactly(
            "spanline-spans-2026-11-21", "spanline-spans-2026-11-22", "spanline-spans-2026-11-23");
    assertThat(layout.traceIndices(nanos("2026-11-22T01:00:00Z"), nanos("2026-11-22T02:00:00Z")))
        .containsExactly("spanline-traces-2026-11-22");
    assertThatThrownBy(() -> layout.spanIndices(2, 1)).hasMessageContaining("after");
  }

  @Test
  void readsTheDayOfItsOwnIndicesOnly() {
    assertThat(layout.dayOfIndex("spanline-spans-2026-11-22")).contains(LocalDate.of(2026, 11, 22));
    assertThat(layout.dayOfIndex("spanline-traces-2026-11-01")).contains(LocalDate.of(2026, 11, 1));
    assertThat(layout.dayOfIndex("spanline-fragments-2026-11-02"))
        .contains(LocalDate.of(2026, 11, 2));
    assertThat(layout.dayOfIndex("spanline-spans-latest")).isEqualTo(Optional.empty());
    assertThat(layout.dayOfIndex("other-spans-2026-11-22")).isEmpty();
    assertThat(new IndexLayout("span").dayOfIndex("spanline-spans-2026-11-22")).isEmpty();
  }

  @Test
  void namesAGenerationsIndicesOutsideTheLivePatterns() {
    IndexLayout g2 = layout.generation("g2");
    assertThat(g2.prefix()).isEqualTo("spanline-gen-g2");
    assertThat(g2.spanIndex(LocalDate.of(2026, 11, 22)))
        .isEqualTo("spanline-gen-g2-spans-2026-11-22");
    assertThat(g2.spanIndex(LocalDate.of(2026, 11, 22))).doesNotStartWith("spanline-spans-");
    assertThat(g2.traceIndex(LocalDate.of(2026, 11, 22))).doesNotStartWith("spanline-traces-");
    assertThat(g2.fragmentIndex(LocalDate.of(2026, 11, 22)))
        .doesNotStartWith("spanline-fragments-");
  }

  @Test
  void readsTheDayOfItsGenerationsIndices_forTheRetentionOfPromotedDays() {
    assertThat(layout.dayOfIndex("spanline-gen-g2-spans-2026-11-22"))
        .contains(LocalDate.of(2026, 11, 22));
    assertThat(layout.dayOfIndex("spanline-gen-strict_v2-traces-2026-11-01"))
        .contains(LocalDate.of(2026, 11, 1));
    assertThat(layout.dayOfIndex("spanline-gen-g2-fragments-2026-11-02"))
        .contains(LocalDate.of(2026, 11, 2));
    assertThat(layout.dayOfIndex("spanline-gen-g2-spans-latest")).isEmpty();
    assertThat(layout.dayOfIndex("spanline-gen-g2-other-2026-11-22")).isEmpty();
    assertThat(layout.dayOfIndex("spanline-gen-G2-spans-2026-11-22")).isEmpty();
    assertThat(layout.dayOfIndex("spanline-gen--spans-2026-11-22")).isEmpty();
    assertThat(new IndexLayout("other").dayOfIndex("spanline-gen-g2-spans-2026-11-22")).isEmpty();
  }

  @Test
  void rejectsGenerationNamesThatCannotBeReadBackFromAnIndexName() {
    assertThatThrownBy(() -> layout.generation("g-2")).hasMessageContaining("'g-2'");
    assertThatThrownBy(() -> layout.generation("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> layout.generation("G2")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> layout.generation("a".repeat(33)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(layout.generation("a".repeat(32)).prefix()).endsWith("a".repeat(32));
  }

  @Test
  void rejectsPrefixesOpenSearchWouldRefuse() {
    assertThatThrownBy(() -> new IndexLayout("Spanline")).hasMessageContaining("'Spanline'");
    assertThatThrownBy(() -> new IndexLayout("_x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new IndexLayout("a b")).isInstanceOf(IllegalArgumentException.class);
  }

  private static long nanos(String instant) {
    Instant i = Instant.parse(instant);
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }
}
