package io.spanline.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container configuration Jib gives the image, read from the image tarball the default build
 * writes on the empty base {@code scratch} ({@code target/jib-config-check.tar}): the {@code
 * -Pimage} build applies the same configuration on a JRE base, which cannot be pulled here.
 */
class ContainerImageIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void image_runsTheLauncherAsANonRootUser_andExposesEveryDefaultPort() throws Exception {
    // Given the image tarball (docker-archive layout: manifest.json names the config file)
    Path tar = Path.of(System.getProperty("spanline.image.check"));
    assertThat(tar).exists();
    JsonNode manifest = JSON.readTree(extract(tar, "manifest.json").toFile()).get(0);
    JsonNode config =
        JSON.readTree(extract(tar, manifest.path("Config").asText()).toFile()).path("config");

    // Then
    List<String> entrypoint = new ArrayList<>();
    config.path("Entrypoint").forEach(e -> entrypoint.add(e.asText()));
    assertThat(entrypoint).first().isEqualTo("java");
    assertThat(entrypoint).last().isEqualTo(Launcher.class.getName());
    assertThat(config.path("User").asText()).isEqualTo("65532:65532");
    for (Service service : Service.ALL) {
      service.defaults().get().entrySet().stream()
          .filter(e -> e.getKey().endsWith(".port"))
          .forEach(
              e ->
                  assertThat(config.path("ExposedPorts").has(e.getValue() + "/tcp"))
                      .as("%s %s=%s exposed", service.command(), e.getKey(), e.getValue())
                      .isTrue());
    }
    assertThat(manifest.path("Layers").size()).isGreaterThan(1);
  }

  private Path extract(Path tar, String entry) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("tar", "xf", tar.toString(), "-C", dir.toString(), entry)
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(1, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return dir.resolve(entry);
  }
}
