package io.spanline.assembly.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OpenTraceBoundsTest {
  private static final long MAX_OPEN = 1_000;
  private static final long MAX_BYTES = 1_000_000;

  @Test
  void underBothBounds_noTaskSheds_howeverUnevenTheTasks() {
    assertThat(OpenTraceBounds.mustShed(990, 10, 1_000, 20, 4, MAX_OPEN, MAX_BYTES)).isFalse();
  }

  @Test
  void overTheTraceBound_onlyTheTaskOverItsShareSheds() {
    // four tasks, share 250 each; the instance holds 1 100: one busy task with 800, three with 100
    assertThat(OpenTraceBounds.mustShed(800, 10, 1_100, 40, 4, MAX_OPEN, MAX_BYTES)).isTrue();
    assertThat(OpenTraceBounds.mustShed(100, 10, 1_100, 40, 4, MAX_OPEN, MAX_BYTES)).isFalse();
  }

  @Test
  void overTheByteBound_theTaskHoldingTheBytesSheds_evenWithFewTraces() {
    // two tasks, byte share 500 000: one holds 3 huge traces of 900 000 bytes in all
    assertThat(OpenTraceBounds.mustShed(3, 900_000, 50, 1_100_000, 2, MAX_OPEN, MAX_BYTES))
        .isTrue();
    assertThat(OpenTraceBounds.mustShed(47, 200_000, 50, 1_100_000, 2, MAX_OPEN, MAX_BYTES))
        .isFalse();
  }
}
