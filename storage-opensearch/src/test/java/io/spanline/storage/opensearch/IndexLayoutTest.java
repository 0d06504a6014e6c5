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
