package io.spanline.gateway.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.gateway.kafka.InFlightBudget;
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
