package io.spanline.storage.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ArchiveGenerationsTest {
  @Test
  void layout_isASiblingOfTheLivePrefix() {
    assertThat(ArchiveGenerations.layout(new ArchiveLayout("spans"), "g_1").root())
        .isEqualTo("spans-gen-g_1/");
    assertThat(ArchiveGenerations.layout(new ArchiveLayout("a/b"), "x").root())
        .isEqualTo("a/b-gen-x/");
    // a live archive at the bucket's root
    assertThat(ArchiveGenerations.layout(new ArchiveLayout(""), "x").root()).isEqualTo("gen-x/");
  }

  @Test
  void layout_rejectsANameThatIsNotAnIndexGenerationName() {
    for (String bad : new String[] {"", "Upper", "a/b", "_x", "a-b", "x".repeat(33)}) {
      assertThatThrownBy(() -> ArchiveGenerations.layout(new ArchiveLayout("s"), bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + bad + "'");
    }
  }
}
