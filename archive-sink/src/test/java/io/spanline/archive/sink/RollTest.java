package io.spanline.archive.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDateTime;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RollTest {
  private static final Roll.Entry ENTRY =
      new Roll.Entry(
          "0af7651916cd43dd8448eb211c80319c", "acme", LocalDateTime.MIN, new byte[3], null);

  @Test
  void coversTheOffsetsItRead_deadLettersIncluded() {
    Roll roll = new Roll(Optional.empty());
    assertThat(roll.isEmpty()).isTrue();

    roll.add(7, 3, ENTRY);
    roll.add(8, 5, null);
    roll.add(10, 3, ENTRY);

    assertThat(roll.first()).isEqualTo(7);
    assertThat(roll.last()).isEqualTo(10);
    assertThat(roll.bytes()).isEqualTo(11);
    assertThat(roll.entries()).hasSize(2);
    assertThat(roll.endMetadata()).isEqualTo("spanline.archive.roll-end=10");
    assertThat(roll.reachedRequiredEnd()).isFalse();
  }

  @Test
  void aRollWithARequiredEndIsDoneExactlyThere() {
    Roll roll = new Roll(Roll.requiredEnd("spanline.archive.roll-end=8"));

    roll.add(7, 1, ENTRY);
    assertThat(roll.reachedRequiredEnd()).isFalse();
    roll.add(8, 1, ENTRY);
    assertThat(roll.reachedRequiredEnd()).isTrue();
  }

  @Test
  void readsOnlyItsOwnMetadata() {
    assertThat(Roll.requiredEnd("spanline.archive.roll-end=42")).contains(42L);
    assertThat(Roll.requiredEnd("")).isEmpty();
    assertThat(Roll.requiredEnd(null)).isEmpty();
    assertThat(Roll.requiredEnd("spanline.archive.roll-end=x")).isEmpty();
    assertThat(Roll.requiredEnd("something else")).isEmpty();
  }
}
