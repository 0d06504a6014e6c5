package io.spanline.sampling.policy;

import static io.spanline.schemas.testing.TraceBuilder.trace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanline.schemas.model.AssembledTrace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyReloaderTest {
  private static final String KEEP_ERRORS =
      "policies: [{name: errors, type: status_code, status_code: {status_codes: [ERROR]}}]\n";
  private static final String KEEP_ALL = "policies: [{name: all, type: always_sample}]\n";

  @TempDir Path dir;

  private final List<Boolean> loads = new ArrayList<>();
  private final AssembledTrace plain = trace().root("a", "x", 1).build();

  @Test
  void aChangedFileReplacesThePolicies() throws Exception {
    Path file = Files.writeString(dir.resolve("policies.yaml"), KEEP_ERRORS);
    try (PolicyReloader r = PolicyReloader.start(file, Duration.ofHours(1), loads::add)) {
      assertThat(r.get().decide(plain, 0).kept()).isFalse();
      assertThat(r.reload()).as("unchanged content").isFalse();

      Files.writeString(file, KEEP_ALL);

      assertThat(r.reload()).isTrue();
      assertThat(r.get().decide(plain, 0).kept()).isTrue();
      assertThat(loads).containsExactly(true, true);
    }
  }

  @Test
  void anInvalidFileKeepsThePreviousPolicies_andIsCountedOnce() throws Exception {
    Path file = Files.writeString(dir.resolve("policies.yaml"), KEEP_ALL);
    try (PolicyReloader r = PolicyReloader.start(file, Duration.ofHours(1), loads::add)) {
      Files.writeString(
          file, "policies:\n  - {name: x, type: latency, latency: {threshold_ms: -5}}\n");

      assertThat(r.reload()).isFalse();
      assertThat(r.reload()).isFalse();

      assertThat(r.get().decide(plain, 0).kept()).as("still the old policies").isTrue();
      assertThat(loads).containsExactly(true, false);

      Files.writeString(file, KEEP_ERRORS);
      assertThat(r.reload()).isTrue();
      assertThat(r.get().decide(plain, 0).kept()).isFalse();
    }
  }

  @Test
  void theReloaderNoticesChangesByItself() throws Exception {
    Path file = Files.writeString(dir.resolve("policies.yaml"), KEEP_ERRORS);
    try (PolicyReloader r = PolicyReloader.start(file, Duration.ofMillis(20), loads::add)) {
      Files.writeString(file, KEEP_ALL);
      io.spanline.localinfra.Probe.until(
          "the new policy file is loaded",
          Duration.ofSeconds(10),
          Duration.ofMillis(20),
          () -> r.get().decide(plain, 0).kept());
    }
  }

  @Test
  void anInvalidFileAtStartUpIsAnErrorNamingLineAndField() throws Exception {
    Path file =
        Files.writeString(dir.resolve("policies.yaml"), "policies:\n  - {name: x, type: nope}\n");
    assertThatThrownBy(() -> PolicyReloader.start(file, Duration.ofHours(1), loads::add))
        .isInstanceOf(PolicyFileException.class)
        .hasMessageContaining("line 2")
        .hasMessageContaining("policies[0].type");
    assertThat(loads).containsExactly(false);
  }
}
