package io.spanline.gateway.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.gateway.kafka.InFlightBudget;
import io.spanline.schemas.model.TraceId;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LoadShedderTest {
  @Test
  void theLevelRisesWithTheInFlightBytes_fromTheFraction_byQuartersOfTheRoomLeft() {
    assertThat(LoadShedder.level(0, 1000, 0.5)).isZero();
    assertThat(LoadShedder.level(499, 1000, 0.5)).isZero();
    assertThat(LoadShedder.level(500, 1000, 0.5)).isEqualTo(1);
    assertThat(LoadShedder.level(749, 1000, 0.5)).isEqualTo(1);
    assertThat(LoadShedder.level(750, 1000, 0.5)).isEqualTo(2);
    assertThat(LoadShedder.level(875, 1000, 0.5)).isEqualTo(3);
    assertThat(LoadShedder.level(940, 1000, 0.5)).isEqualTo(4);
    assertThat(LoadShedder.level(5000, 1000, 0.5)).isEqualTo(4);
    assertThat(LoadShedder.level(1000, 1000, 1)).as("fraction 1: never").isZero();
  }

  @Test
  void keptSetsAreNested_andKeepTheirShare() {
    Random random = new Random(7);
    int[] kept = new int[LoadShedder.MAX_LEVEL + 1];
    int n = 100_000;
    for (int i = 0; i < n; i++) {
      TraceId id = new TraceId(random.nextLong(), random.nextLong());
      for (int level = 0; level <= LoadShedder.MAX_LEVEL; level++) {
        if (LoadShedder.keeps(id, level)) {
          kept[level]++;
          if (level > 0) {
            assertThat(LoadShedder.keeps(id, level - 1))
                .as("kept at %d, so at %d", level, level - 1)
                .isTrue();
          }
        }
      }
    }
    for (int level = 0; level <= LoadShedder.MAX_LEVEL; level++) {
      assertThat((double) kept[level] / n)
          .isCloseTo(LoadShedder.keepRatio(level), org.assertj.core.data.Offset.offset(0.01));
    }
  }

  @Test
  void describesTheShedding_forReadyz() {
    InFlightBudget budget = new InFlightBudget(1000);
    LoadShedder shedder = new LoadShedder(budget, 1000, 0.5);
    assertThat(shedder.describe()).isEmpty();
    budget.tryAcquire(800);
    assertThat(shedder.level()).isEqualTo(2);
    assertThat(shedder.describe())
        .isEqualTo(
            "shedding: keeping 1/4 of traces (and every trace with an error span or a debug"
                + " mark); 800 of 1000 in-flight bytes used");
  }
}
