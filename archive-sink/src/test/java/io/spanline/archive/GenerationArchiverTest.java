package io.spanline.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.archive.config.ArchiveSinkConfig;
import io.spanline.archive.config.ArchiveSinkConfigLoader;
import io.spanline.storage.archive.ArchiveGenerations;
import io.spanline.storage.archive.ArchiveLayout;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GenerationArchiverTest {
  @Test
  void generationConfig_replacesTopicGroupLayout_closesRollsWithinASecond_andCompactsNothing() {
    ArchiveSinkConfig base =
        ArchiveSinkConfigLoader.load(
            Map.of(),
            Map.of(
                "spanline.archive.consumers", "4",
                "spanline.archive.compaction.enabled", "true"));
    ArchiveLayout layout = ArchiveGenerations.layout(base.layout(), "g1");

    ArchiveSinkConfig c = GenerationArchiver.generationConfig(base, "t.gen-g1", layout, "grp/1");

    assertThat(c.consumer().topic()).isEqualTo("t.gen-g1");
    assertThat(c.consumer().groupId()).isEqualTo("grp/1");
    assertThat(c.consumer().consumers()).isEqualTo(1);
    assertThat(c.consumer().deadLetterTopic()).isEqualTo(base.consumer().deadLetterTopic());
    assertThat(c.layout().root()).isEqualTo("spans-gen-g1/");
    assertThat(c.rollMaxAge()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.compaction().enabled()).isFalse();
    assertThat(c.workDir()).isEqualTo(base.workDir().resolve("generation-grp_1"));
    assertThat(c.retention()).isEqualTo(base.retention());
    assertThat(c.rollMaxBytes()).isEqualTo(base.rollMaxBytes());
  }
}
