package io.spanline.assembly.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HeldLevelTest {
  private static final long HOLD = 2000;

  @Test
  void risesAtOnce_fallsByOneLevelPerHoldAtMost_neverBelowWhatTheFillWants() {
    HeldLevel held = new HeldLevel();
    assertThat(held.next(0, 0, HOLD)).isZero();
    assertThat(held.next(3, 100, HOLD)).as("rises at once").isEqualTo(3);
    assertThat(held.next(4, 200, HOLD)).isEqualTo(4);
    assertThat(held.next(1, 1_000, HOLD)).as("held").isEqualTo(4);
    assertThat(held.next(1, 2_200, HOLD)).as("one hold later: one down").isEqualTo(3);
    assertThat(held.next(0, 4_000, HOLD)).as("held again from the fall").isEqualTo(3);
    assertThat(held.next(0, 4_300, HOLD)).isEqualTo(2);
    assertThat(held.next(2, 4_400, HOLD)).isEqualTo(2);
    assertThat(held.next(1, 20_000, HOLD)).as("long quiet: down to what is wanted").isEqualTo(1);
    assertThat(held.next(0, 40_000, HOLD)).isZero();
  }
}
