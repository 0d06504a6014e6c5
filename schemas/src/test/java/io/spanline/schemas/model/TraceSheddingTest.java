package io.spanline.schemas.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class TraceSheddingTest {
  @Test
  void theLevelRisesFromTheFraction_byQuartersOfTheRoomLeft() {
    assertThat(TraceShedding.level(0, 0.5)).isZero();
    assertThat(TraceShedding.level(0.499, 0.5)).isZero();
    assertThat(TraceShedding.level(0.5, 0.5)).isEqualTo(1);
    assertThat(TraceShedding.level(0.749, 0.5)).isEqualTo(1);
    assertThat(TraceShedding.level(0.75, 0.5)).isEqualTo(2);
    assertThat(TraceShedding.level(0.875, 0.5)).isEqualTo(3);
    assertThat(TraceShedding.level(0.94, 0.5)).isEqualTo(4);
    assertThat(TraceShedding.level(5, 0.5)).as("past the bound").isEqualTo(4);
    assertThat(TraceShedding.level(1, 1)).as("fraction 1: never").isZero();
    assertThat(TraceShedding.level(Double.NaN, 0.5)).isZero();
  }

  @Test
  void keptSetsAreNested_andKeepTheirShare() {
    Random random = new Random(7);
    int[] kept = new int[TraceShedding.MAX_LEVEL + 1];
    int n = 100_000;
    for (int i = 0; i < n; i++) {
      TraceId id = new TraceId(random.nextLong() | 1, random.nextLong());
      for (int level = 0; level <= TraceShedding.MAX_LEVEL; level++) {
        if (TraceShedding.keeps(id, level)) {
          kept[level]++;
          if (level > 0) {
            assertThat(TraceShedding.keeps(id, level - 1))
                .as("kept at %d, so at %d", level, level - 1)
                .isTrue();
          }
        }
      }
    }
    for (int level = 0; level <= TraceShedding.MAX_LEVEL; level++) {
      assertThat((double) kept[level] / n)
          .isCloseTo(TraceShedding.keepRatio(level), Offset.offset(0.01));
      assertThat(TraceShedding.adjustedCount(level) * TraceShedding.keepRatio(level))
          .isEqualTo(1.0);
    }
  }

  @Test
  void decidesByTheLow8BytesOfTheTraceId_asOpenTelemetrysTraceIdRatioBased() {
    // |low| < Long.MAX_VALUE >> n
    assertThat(TraceShedding.keeps(new TraceId(1, (Long.MAX_VALUE >> 4) - 1), 4)).isTrue();
    assertThat(TraceShedding.keeps(new TraceId(1, Long.MAX_VALUE >> 4), 4)).isFalse();
    assertThat(TraceShedding.keeps(new TraceId(1, -((Long.MAX_VALUE >> 4) - 1)), 4)).isTrue();
    assertThat(TraceShedding.keeps(new TraceId(-1, Long.MAX_VALUE >> 1), 1))
        .as("the high bytes play no part")
        .isFalse();
    assertThat(TraceShedding.keeps(new TraceId(1, Long.MAX_VALUE), 0)).isTrue();
  }

  @Test
  void refusesALevelOutsideTheRange() {
    assertThatThrownBy(() -> TraceShedding.keeps(new TraceId(1, 1), 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("level 5 is outside 0..4");
    assertThatThrownBy(() -> TraceShedding.adjustedCount(-1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
