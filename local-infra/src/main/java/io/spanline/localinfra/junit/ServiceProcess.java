package io.spanline.localinfra.junit;

import io.spanline.localinfra.Probe;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Spanline service in a child JVM, for tests that kill it without a clean shutdown: started with
 * this JVM's classpath and settings as system properties, output to a log file, ready once its
 * admin port's {@code /readyz} answers 200.
 */
public final class ServiceProcess {
  private ServiceProcess() {}

  /**
   * @param mainClass the service's main class
   * @param propertyPrefix e.g. {@code spanline.archive.}, put before each settings key
   * @param settings README keys and values
   */
  public static Process start(
      Class<?> mainClass, String propertyPrefix, Map<String, String> settings, Path log)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx512m");
    settings.forEach((k, v) -> cmd.add("-D" + propertyPrefix + k + "=" + v));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass.getName());
    Files.createDirectories(log.toAbsolutePath().getParent());
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /**
   * Waits up to 90 s for {@code /readyz} on 127.0.0.1:{@code adminPort}.
   *
   * @throws Probe.GiveUp if the process exits first (with its log)
   */
  public static void awaitReady(int adminPort, Process process, Path log) {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest readyz =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/readyz")).build();
    Probe.until(
        "service process on admin port " + adminPort + " (log: " + log + ")",
        Duration.ofSeconds(90),
        Duration.ofMillis(200),
        () -> {
          if (!process.isAlive()) {
            throw new Probe.GiveUp("service process exited: " + Files.readString(log));
          }
          return http.send(readyz, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        });
  }
}
