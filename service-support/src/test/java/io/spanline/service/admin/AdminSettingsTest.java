package io.spanline.service.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanline.service.config.Settings;
import io.spanline.service.internal.tenancy.KeyDigests;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminSettingsTest {
  private static AdminSettings load(Map<String, String> values) {
    Map<String, String> defaults = new LinkedHashMap<>();
    defaults.put("admin.bind.address", "0.0.0.0");
    defaults.put("admin.port", "13134");
    defaults.putAll(AdminSettings.securityDefaults());
    Map<String, String> props = new HashMap<>();
    values.forEach((k, v) -> props.put("spanline.test." + k, v));
    return AdminSettings.from(Settings.load("test", defaults, Map.of(), props));
  }

  @Test
  void noKeyAndNoTls_byDefault() {
    AdminSettings admin = load(Map.of());

    assertThat(admin.keyDigest()).isEmpty();
    assertThat(admin.tls().enabled()).isFalse();
    assertThat(admin.port()).isEqualTo(13134);
  }

  @Test
  void aKeyFile_givesTheSameDigestAsTheKey(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("admin-key");
    Files.writeString(file, "s3cret-admin\n", StandardCharsets.UTF_8);

    AdminSettings admin = load(Map.of("admin.auth.key-file", file.toString()));

    assertThat(admin.keyDigest())
        .hasValueSatisfying(d -> assertThat(d).isEqualTo(KeyDigests.sha256("s3cret-admin")));
    assertThat(admin.toString()).doesNotContain("s3cret-admin");
  }

  @Test
  void refusals_nameTheSetting_neverTheKey(@TempDir Path dir) {
    assertThatThrownBy(() -> load(Map.of("admin.auth.key", "sha256:s3cret-not-hex")))
        .hasMessageContaining("admin.auth.key")
        .hasMessageNotContaining("s3cret");
    assertThatThrownBy(
            () -> load(Map.of("admin.auth.key", "s3cret", "admin.auth.key-file", "/x/key")))
        .hasMessageContaining("admin.auth.key and admin.auth.key-file")
        .hasMessageNotContaining("s3cret");
    Path missing = dir.resolve("missing");
    assertThatThrownBy(() -> load(Map.of("admin.auth.key-file", missing.toString())))
        .hasMessageContaining("admin.auth.key-file=" + missing);
  }
}
