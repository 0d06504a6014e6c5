package io.spanline.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.localinfra.Ports;
import io.spanline.localinfra.Probe;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution as a user gets it: {@code spanline-<version>.tar.gz} unpacked into an empty
 * folder, run by its own {@code bin/spanline} (no Maven, no source tree, no local repository on the
 * class path), the whole pipeline started with {@code bin/spanline up}, spans sent over OTLP/HTTP
 * and read back through the query API, then the process stopped by its PID.
 */
class DistributionIT {
  private static final String TENANT = "dist-test";
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  @TempDir Path dir;

  @Test
  void unpackedTarball_showsHelp_andRunsThePipelineEndToEnd() throws Exception {
    // Given the tarball unpacked into an empty folder
    Path tarball = Path.of(System.getProperty("spanline.distribution"));
    assertThat(tarball).exists();
    Path unpacked = Files.createDirectory(dir.resolve("unpacked"));
    assertThat(run(List.of("tar", "xzf", tarball.toString(), "-C", unpacked.toString()), Map.of()))
        .isEmpty();
    Path home;
    try (Stream<Path> entries = Files.list(unpacked)) {
      home = entries.findFirst().orElseThrow();
    }
    assertThat(home.resolve("bin/spanline")).isExecutable();
    assertThat(home.resolve("THIRD-PARTY.txt")).content().contains("Apache", "kafka-clients");
    assertThat(home.resolve("THIRD-PARTY-opensearch-node.txt"))
        .content()
        .contains("org.opensearch:opensearch:");
    try (Stream<Path> configs = Files.list(home.resolve("config"))) {
      assertThat(configs.map(p -> p.getFileName().toString()))
          .contains(
              "gateway.yaml",
              "assembly.yaml",
              "sampling.yaml",
              "index-sink.yaml",
              "archive-sink.yaml",
              "query.yaml");
    }
    // lib/ holds exactly the jars of the build's runtime class path (and the launcher's own)
    List<String> classpath =
        Stream.of(
                Files.readString(Path.of(System.getProperty("spanline.runtime.classpath")))
                    .trim()
                    .split(java.io.File.pathSeparator))
            .map(p -> Path.of(p).getFileName().toString())
            .filter(name -> !name.startsWith("spanline-opensearch-node"))
            .filter(name -> name.endsWith(".jar"))
            .toList();
    try (Stream<Path> jars = Files.list(home.resolve("lib"))) {
      List<String> lib =
          jars.map(p -> p.getFileName().toString())
              .filter(name -> name.endsWith(".jar") && !name.startsWith("spanline-launcher"))
              .toList();
      assertThat(lib).containsExactlyInAnyOrderElementsOf(classpath);
    }
    String spanline = home.resolve("bin/spanline").toString();

    // When / Then: help
    assertThat(run(List.of(spanline, "--help"), Map.of()))
        .contains("up", "gateway", "assembly", "sampling", "index-sink", "archive-sink")
        .contains("query", "replay", "local-infra");
    assertThat(run(List.of(spanline, "--version"), Map.of()))
        .contains(
            "Spanline "
                + tarball.getFileName().toString().replaceAll("^spanline-|\\.tar\\.gz$", ""));
    assertThat(run(List.of(spanline, "query", "--help"), Map.of()))
        .contains("http.port", "16686", "SPANLINE_QUERY_CONFIG_FILE");

    // and a Java older than 17 is refused with a message
    Path oldJava = Files.createDirectories(dir.resolve("old-jdk/bin")).resolve("java");
    Files.writeString(oldJava, "#!/bin/sh\necho 'openjdk version \"11.0.21\" 2023-10-17' >&2\n");
    assertThat(oldJava.toFile().setExecutable(true)).isTrue();
    ProcessBuilder withOldJava = new ProcessBuilder(spanline, "--help").redirectErrorStream(true);
    withOldJava.environment().put("JAVA_HOME", dir.resolve("old-jdk").toString());
    Process old = withOldJava.start();
    String oldOut = new String(old.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(old.waitFor(1, TimeUnit.MINUTES)).isTrue();
    assertThat(old.exitValue()).isEqualTo(1);
    assertThat(oldOut).contains("Java 17 or newer needed", "11.0.21");

    // When: the whole pipeline on free ports, from a working folder of its own
    Path work = Files.createDirectory(dir.resolve("work"));
    int otlpHttp = Ports.freePort();
    int query = Ports.freePort();
    List<Integer> adminPorts = new ArrayList<>();
    StringBuilder opts = new StringBuilder("-Xmx1500m");
    opts.append(" -Dspanline.data.dir=").append(work.resolve("data"));
    for (String key :
        List.of(
            "spanline.kafka.port",
            "spanline.kafka.controller.port",
            "spanline.kafka.secured.port",
            "spanline.opensearch.port",
            "spanline.opensearch.transport.port",
            "spanline.opensearch.secured.port",
            "spanline.s3.port",
            "spanline.registry.port",
            "spanline.registry.secured.port",
            "spanline.gateway.otlp.grpc.port")) {
      opts.append(" -D").append(key).append('=').append(Ports.freePort());
    }
    opts.append(" -Dspanline.gateway.otlp.http.port=").append(otlpHttp);
    opts.append(" -Dspanline.query.http.port=").append(query);
    for (String app : List.of("gateway", "assembly", "sampling", "index", "archive", "query")) {
      int port = Ports.freePort();
      adminPorts.add(port);
      opts.append(" -Dspanline.").append(app).append(".admin.port=").append(port);
    }
    opts.append(" -Dspanline.assembly.trace.idle.timeout.ms=2000");
    opts.append(" -Dspanline.assembly.punctuation.interval.ms=500");
    opts.append(" -Dspanline.index.index.refresh-interval=1s");
    Path log = work.resolve("spanline.log");
    ProcessBuilder up =
        new ProcessBuilder(spanline, "up")
            .directory(work.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    up.environment().put("JAVA_HOME", System.getProperty("java.home"));
    up.environment().put("SPANLINE_JAVA_OPTS", opts.toString());
    long started = System.nanoTime();
    Process process = up.start();
    try {
      awaitTrue(
          "every admin port ready",
          Duration.ofMinutes(3),
          process,
          log,
          () ->
              adminPorts.stream()
                  .allMatch(p -> status("http://127.0.0.1:" + p + "/readyz") == 200));
      System.out.printf("bin/spanline up ready in %.1f s%n", (System.nanoTime() - started) / 1e9);

      // and a failed request's trace (kept by the sampling policy) goes in over OTLP/HTTP
      String traceId = HexFormat.of().formatHex(randomBytes(16));
      HttpResponse<String> accepted =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + otlpHttp + "/v1/traces"))
                  .header("Content-Type", "application/json")
                  .header("X-Scope-OrgID", TENANT)
                  .POST(HttpRequest.BodyPublishers.ofString(otlpJson(traceId)))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(200);

      // Then it comes back through the query API
      URI trace = URI.create("http://127.0.0.1:" + query + "/v1/traces/" + traceId);
      awaitTrue(
          "trace " + traceId + " in the query API",
          Duration.ofMinutes(2),
          process,
          log,
          () -> get(trace).statusCode() == 200);
      assertThat(get(trace).body()).contains("dist-checkout", "dist-payment");
      System.out.printf(
          "trace read back %.1f s after start%n", (System.nanoTime() - started) / 1e9);
    } finally {
      // stopped by its PID (bin/spanline execs java, so it is the JVM's), as an operator would
      long pid = process.pid();
      new ProcessBuilder("kill", "-TERM", Long.toString(pid)).inheritIO().start().waitFor();
      if (!process.waitFor(90, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
    assertThat(Files.readString(log)).contains("Spanline is up", "Stopped; data stays in");
  }

  private static String otlpJson(String traceId) {
    long now = System.currentTimeMillis() * 1_000_000L;
    String root = HexFormat.of().formatHex(randomBytes(8));
    String child = HexFormat.of().formatHex(randomBytes(8));
    return """
        {"resourceSpans":[
          {"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"dist-checkout"}}]},
           "scopeSpans":[{"spans":[{"traceId":"%1$s","spanId":"%2$s","name":"POST /checkout",
             "kind":2,"startTimeUnixNano":"%4$d","endTimeUnixNano":"%5$d","status":{"code":2}}]}]},
          {"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"dist-payment"}}]},
           "scopeSpans":[{"spans":[{"traceId":"%1$s","spanId":"%3$s","parentSpanId":"%2$s",
             "name":"charge","kind":2,"startTimeUnixNano":"%6$d","endTimeUnixNano":"%7$d",
             "status":{"code":2}}]}]}]}
        """
        .formatted(
            traceId, root, child, now, now + 50_000_000L, now + 10_000_000L, now + 40_000_000L);
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    ThreadLocalRandom.current().nextBytes(b);
    b[0] |= 1; // never all zero (an invalid ID)
    return b;
  }

  /** Runs a command to its end; returns its output, failing on a non-zero exit. */
  private String run(List<String> command, Map<String, String> env)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    builder.environment().putAll(env);
    builder.redirectErrorStream(true);
    Process p = builder.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as("%s: %s", command, out).isZero();
    return out;
  }

  /**
   * Polls the check every half second until it holds; gives up at once, with the log, when the
   * process has exited.
   */
  private static void awaitTrue(
      String what, Duration timeout, Process process, Path log, Callable<Boolean> check) {
    try {
      Probe.until(
          what,
          timeout,
          Duration.ofMillis(500),
          () -> {
            if (!process.isAlive()) {
              throw new Probe.GiveUp(
                  "bin/spanline up exited ("
                      + process.exitValue()
                      + "):\n"
                      + Files.readString(log));
            }
            return check.call();
          });
    } catch (IllegalStateException e) {
      throw new AssertionError(e.getMessage() + ":\n" + readQuietly(log), e);
    }
  }

  private static String readQuietly(Path log) {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  private static int status(String uri) {
    try {
      return get(URI.create(uri)).statusCode();
    } catch (IOException | InterruptedException e) {
      return -1;
    }
  }

  private static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(uri)
            .header("X-Scope-OrgID", TENANT)
            .timeout(Duration.ofSeconds(10))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
