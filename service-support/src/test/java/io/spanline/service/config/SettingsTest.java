package io.spanline.service.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
  private static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

  static {
    DEFAULTS.put("admin.port", "13134");
    DEFAULTS.put("trace.idle.timeout.ms", "10000");
    DEFAULTS.put("enabled", "false");
  }

  @TempDir Path dir;

  @Test
  void laterLayersWin_fileThenEnvironmentThenSystemProperties() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("app.yaml"), "admin.port: 1\ntrace.idle.timeout.ms: 2\nenabled: true\n");
    Settings s =
        Settings.load(
            "app",
            DEFAULTS,
            Map.of("SPANLINE_APP_CONFIG_FILE", file.toString(), "SPANLINE_APP_ADMIN_PORT", "3"),
            Map.of("spanline.app.trace.idle.timeout.ms", "4"));

    assertThat(s.port("admin.port")).isEqualTo(3);
    assertThat(s.millis("trace.idle.timeout.ms").toMillis()).isEqualTo(4);
    assertThat(s.bool("enabled")).isTrue();
  }

  @Test
  void badValues_nameTheKeyAndTheValue() {
    Settings s =
        Settings.load(
            "app",
            DEFAULTS,
            Map.of(),
            Map.of("spanline.app.admin.port", "70000", "spanline.app.trace.idle.timeout.ms", "-5"));

    assertThatThrownBy(() -> s.port("admin.port"))
        .hasMessage("Invalid value for property admin.port=70000. Must be a port 0-65535.");
    assertThatThrownBy(() -> s.millis("trace.idle.timeout.ms"))
        .hasMessageContaining("trace.idle.timeout.ms=-5");
    assertThatThrownBy(() -> s.get("no.such.key")).hasMessageContaining("no.such.key");
  }

  @Test
  void prefixedSettings_passThroughFromEveryLayer() throws Exception {
    Path file = Files.writeString(dir.resolve("app.yaml"), "streams.linger.ms: 7\n");
    Settings s =
        Settings.load(
            SettingsSpec.builder("app").settings(DEFAULTS).passThrough("streams.").build(),
            Map.of(
                "SPANLINE_APP_CONFIG_FILE",
                file.toString(),
                "SPANLINE_APP_STREAMS_SESSION_TIMEOUT_MS",
                "6000"),
            Map.of("spanline.app.streams.max.poll.records", "500"));

    assertThat(s.withPrefix("streams."))
        .containsEntry("linger.ms", "7")
        .containsEntry("session.timeout.ms", "6000")
        .containsEntry("max.poll.records", "500")
        .hasSize(3);
  }

  @Test
  void httpUrls_areCommaSeparated_andEachChecked() {
    Settings s =
        Settings.load(
            "app",
            Map.of("hosts", "", "endpoint", ""),
            Map.of(),
            Map.of("spanline.app.hosts", "http://a:9200, https://b", "spanline.app.endpoint", ""));

    assertThat(s.httpUrls("hosts"))
        .containsExactly(java.net.URI.create("http://a:9200"), java.net.URI.create("https://b"));
    assertThat(s.optionalHttpUrl("endpoint")).isEmpty();

    Settings bad =
        Settings.load(
            "app",
            Map.of("hosts", "", "none", ""),
            Map.of(),
            Map.of("spanline.app.hosts", "http://a:9200,ftp://b"));
    assertThatThrownBy(() -> bad.httpUrls("hosts"))
        .hasMessageContaining("hosts=http://a:9200,ftp://b")
        .hasMessageContaining("http(s)://");
    assertThatThrownBy(() -> bad.httpUrls("none")).hasMessageContaining("at least one URL");
  }
}
