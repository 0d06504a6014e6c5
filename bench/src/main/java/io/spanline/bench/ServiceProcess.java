package io.spanline.bench;

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
import java.util.concurrent.TimeUnit;

/**
 * A process the end-to-end benchmark measures: a Spanline service (its {@code *Main}) or a peer
 * (Zipkin's exec jar) in its own JVM, with its resident memory and CPU time read from {@code /proc}
 * (Linux).
 */
final class ServiceProcess implements AutoCloseable {
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  /**
   * Linux's clock ticks per second for {@code /proc/<pid>/stat} times ({@code getconf CLK_TCK}).
   */
  private static final double TICKS_PER_SECOND = 100.0;

  private final String name;
  private final Process process;

  private ServiceProcess(String name, Process process) {
    this.name = name;
    this.process = process;
  }

  /**
   * Starts {@code mainClass} on this JVM's class path with {@code properties} as system properties.
   *
   * @param heap the child's {@code -Xmx}, e.g. {@code 1g}
   * @param log where its standard output and error go
   */
  static ServiceProcess java(
      String name, Class<?> mainClass, String heap, Map<String, String> properties, Path log)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + heap);
    command.add("-XX:+UseParallelGC");
    properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass.getName());
    return start(name, command, Map.of(), log);
  }

  /**
   * Starts {@code java -jar jar} with {@code env} added to this JVM's environment.
   *
   * @param heap the child's {@code -Xmx}, or empty for the JVM's default
   */
  static ServiceProcess jar(String name, Path jar, String heap, Map<String, String> env, Path log)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (!heap.isEmpty()) {
      command.add("-Xmx" + heap);
    }
    command.add("-jar");
    command.add(jar.toString());
    return start(name, command, env, log);
  }

  private static ServiceProcess start(
      String name, List<String> command, Map<String, String> env, Path log) throws IOException {
    Files.createDirectories(log.getParent());
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(env);
    Process process = builder.start();
    // a benchmark stopped with Ctrl-C must not leave its services running
    Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
    return new ServiceProcess(name, process);
  }

  String name() {
    return name;
  }

  long pid() {
    return process.pid();
  }

  /** Waits until {@code http://127.0.0.1:port/path} answers 200, or the process exits. */
  ServiceProcess awaitHttpOk(int port, String path, Duration timeout) {
    URI uri = URI.create("http://127.0.0.1:" + port + path);
    Probe.until(
        name + " answering " + uri,
        timeout,
        Duration.ofMillis(250),
        () -> {
          if (!process.isAlive()) {
            throw new Probe.GiveUp(name + " exited with " + process.exitValue());
          }
          try {
            return HTTP.send(
                        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding())
                    .statusCode()
                == 200;
          } catch (IOException e) {
            return false;
          }
        });
    return this;
  }

  /** Peak resident memory so far ({@code VmHWM}), bytes. */
  long peakResidentBytes() throws IOException {
    return residentBytes(process.pid(), "VmHWM:");
  }

  /** CPU time used so far, user and system, in seconds. */
  double cpuSeconds() throws IOException {
    return cpuSeconds(process.pid());
  }

  /** {@code field} (e.g. {@code VmRSS:}) of {@code /proc/<pid>/status}, bytes. */
  static long residentBytes(long pid, String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith(field)) {
        String[] parts = line.substring(field.length()).trim().split("\\s+");
        return Long.parseLong(parts[0]) * 1024;
      }
    }
    throw new IOException(field + " not in /proc/" + pid + "/status");
  }

  /** User plus system CPU seconds of a process, from {@code /proc/<pid>/stat}. */
  static double cpuSeconds(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    // fields after the command name, which is in parentheses and may hold spaces
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // utime and stime are fields 14 and 15 of stat, 12 and 13 here (counted from 1 at "state")
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
  }

  /** Stops the process with SIGTERM, then SIGKILL after 60 s. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
