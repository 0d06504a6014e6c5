package io.spanline.chaos;

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
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * One process of the pipeline in its own JVM, on this JVM's classpath, with its settings as system
 * properties and its output appended to a log file: started, killed with SIGKILL (no shutdown hook
 * runs, as with {@code kill -9}) and started again on the same settings, so on the same state.
 */
final class ChildJvm {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private final String name;
  private final Class<?> mainClass;
  private final Map<String, String> systemProperties;
  private final List<String> args;
  private final String heap;
  private final Path log;
  private final Callable<Boolean> readiness;
  private Process process;

  /**
   * @param args the main class's arguments
   * @param readiness whether the process is ready to work (it may throw while it is not)
   */
  ChildJvm(
      String name,
      Class<?> mainClass,
      Map<String, String> systemProperties,
      List<String> args,
      String heap,
      Path log,
      Callable<Boolean> readiness) {
    this.name = name;
    this.mainClass = mainClass;
    this.systemProperties = Map.copyOf(systemProperties);
    this.args = List.copyOf(args);
    this.heap = heap;
    this.log = log;
    this.readiness = readiness;
  }

  /** Readiness by an HTTP GET answering 200, e.g. a service's {@code /readyz}. */
  static Callable<Boolean> httpOk(int port, String path) {
    HttpRequest get =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(5))
            .build();
    return () -> HTTP.send(get, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
  }

  String name() {
    return name;
  }

  Path log() {
    return log;
  }

  void start() throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx" + heap);
    systemProperties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass.getName());
    cmd.addAll(args);
    Files.createDirectories(log.toAbsolutePath().getParent());
    process =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
  }

  /** Waits until it is ready, or gives up when it exits or {@code timeout} passes. */
  void awaitReady(Duration timeout) {
    Probe.until(
        name + " ready (log: " + log + ")",
        timeout,
        Duration.ofMillis(250),
        () -> {
          if (!process.isAlive()) {
            throw new Probe.GiveUp(name + " exited with " + process.exitValue() + "; log " + log);
          }
          return readiness.call();
        });
  }

  /** Whether it is ready now. */
  boolean ready() {
    try {
      return process != null && process.isAlive() && readiness.call();
    } catch (Exception e) {
      return false;
    }
  }

  /** The running process, e.g. to find the processes it started. */
  ProcessHandle handle() {
    return process.toHandle();
  }

  /** SIGKILL, as {@code kill -9}: nothing is flushed or closed. */
  void kill() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException(name + " survived SIGKILL for 30 s");
      }
    }
  }
}
