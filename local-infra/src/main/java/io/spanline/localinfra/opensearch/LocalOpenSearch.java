package io.spanline.localinfra.opensearch;

import io.spanline.localinfra.Ports;
import io.spanline.localinfra.Probe;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real OpenSearch 2.19 node in a child JVM, with its own classpath (OpenSearch ships Netty 4.1
 * and its own log4j2 setup; the services use Netty 4.2). Bound to 127.0.0.1; ready once {@code
 * _cluster/health} reports yellow or green. The child stops when its standard input closes, so it
 * also stops when this JVM dies. Its output goes to {@code <dataDir>/opensearch-node.log}.
 */
public final class LocalOpenSearch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalOpenSearch.class);
  private static final String CLASSPATH_RESOURCE = "spanline-opensearch-node.classpath";
  private static final String MAIN_CLASS = "io.spanline.localinfra.opensearch.OpenSearchNodeMain";

  private final Process process;
  private final int httpPort;
  private final Path dataDir;

  private LocalOpenSearch(Process process, int httpPort, Path dataDir) {
    this.process = process;
    this.httpPort = httpPort;
    this.dataDir = dataDir;
  }

  /**
   * Starts the node and waits until the cluster is yellow or green.
   *
   * @param httpPort REST port on 127.0.0.1, or 0 for a free one
   * @param transportPort node-to-node port on 127.0.0.1, or 0 for a free one
   * @param heap the child's heap, e.g. {@code 512m}
   * @throws IllegalStateException if the node exits or is not ready within three minutes; the
   *     message carries the end of its log
   */
  public static LocalOpenSearch start(Path dataDir, int httpPort, int transportPort, String heap)
      throws IOException {
    return start(dataDir, httpPort, transportPort, heap, Map.of());
  }

  /**
   * Starts a node with extra node settings, e.g. {@code http.max_content_length=256kb} for a test
   * that needs OpenSearch to answer 413, and waits until the cluster is yellow or green.
   *
   * @param nodeSettings OpenSearch node settings (static ones included) applied after the defaults
   * @throws IllegalStateException if the node exits (e.g. refuses a setting) or is not ready within
   *     three minutes; the message carries the end of its log
   */
  public static LocalOpenSearch start(
      Path dataDir, int httpPort, int transportPort, String heap, Map<String, String> nodeSettings)
      throws IOException {
    long started = System.nanoTime();
    Files.createDirectories(dataDir);
    int http = Ports.orFree(httpPort);
    int transport = Ports.orFree(transportPort);
    Path log = dataDir.resolve("opensearch-node.log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xms" + heap);
    command.add("-Xmx" + heap);
    command.add("-XX:+UseSerialGC");
    command.add("-Djava.awt.headless=true");
    command.add("-cp");
    command.add(nodeClasspath());
    command.add(MAIN_CLASS);
    command.add(dataDir.toAbsolutePath().resolve("node").toString());
    command.add(String.valueOf(http));
    command.add(String.valueOf(transport));
    command.add("spanline-local");
    nodeSettings.forEach((key, value) -> command.add(key + "=" + value));
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    LocalOpenSearch node = new LocalOpenSearch(process, http, dataDir);
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    try {
      Probe.until(
          "OpenSearch on 127.0.0.1:" + http,
          Duration.ofMinutes(3),
          Duration.ofMillis(250),
          () -> {
            if (!process.isAlive()) {
              throw new Probe.GiveUp("OpenSearch exited with code " + process.exitValue());
            }
            // Ask for the local node's process ID: an older node still holding the port must not
            // pass for ours.
            HttpResponse<String> local =
                client.send(
                    HttpRequest.newBuilder(URI.create(node.uri() + "/_nodes/_local/process"))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (local.statusCode() != 200
                || !local.body().contains("\"id\":" + process.pid() + ",")) {
              return false;
            }
            HttpResponse<String> health =
                client.send(
                    HttpRequest.newBuilder(URI.create(node.uri() + "/_cluster/health"))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
            return health.statusCode() == 200
                && (health.body().contains("\"status\":\"green\"")
                    || health.body().contains("\"status\":\"yellow\""));
          });
    } catch (RuntimeException e) {
      node.close();
      throw new IllegalStateException(e.getMessage() + "; end of its log:\n" + tail(log), e);
    }
    LOG.info(
        "OpenSearch ready on {} in {} ms (pid {}, data {})",
        node.uri(),
        (System.nanoTime() - started) / 1_000_000,
        process.pid(),
        dataDir);
    return node;
  }

  /** {@code http://127.0.0.1:<port>}. */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + httpPort);
  }

  public int httpPort() {
    return httpPort;
  }

  /** The child process's ID, e.g. to read its resident memory. */
  public long pid() {
    return process.pid();
  }

  public Path dataDir() {
    return dataDir;
  }

  /** Closes the child's standard input, waits up to 30 s for a clean exit, then kills it. */
  @Override
  public void close() {
    try {
      process.getOutputStream().close();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor();
        }
      }
    } catch (IOException e) {
      process.destroyForcibly();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /**
   * System property naming the child's whole classpath (e.g. {@code lib/opensearch-node/*}), set by
   * the distribution's {@code bin/spanline}, where the build's classpath file (paths in the local
   * Maven repository) means nothing.
   */
  public static final String NODE_CLASSPATH_PROPERTY = "spanline.opensearch.node.classpath";

  /**
   * The child's classpath: the system property {@link #NODE_CLASSPATH_PROPERTY} when set, else the
   * jar (or classes folder) holding {@link #MAIN_CLASS} and the classpath module {@code
   * local-infra/opensearch-node} wrote at build time.
   */
  static String nodeClasspath() {
    String given = System.getProperty(NODE_CLASSPATH_PROPERTY);
    if (given != null && !given.isBlank()) {
      return given;
    }
    URL resource = LocalOpenSearch.class.getClassLoader().getResource(CLASSPATH_RESOURCE);
    if (resource == null) {
      throw new IllegalStateException(
          CLASSPATH_RESOURCE + " is not on the classpath: build local-infra/opensearch-node first");
    }
    String root;
    try {
      if ("jar".equals(resource.getProtocol())) {
        String spec = resource.getPath();
        root = Path.of(new URI(spec.substring(0, spec.indexOf("!/")))).toString();
      } else {
        root = Path.of(resource.toURI()).getParent().toString();
      }
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot locate " + resource, e);
    }
    try (InputStream in = resource.openStream()) {
      return root
          + java.io.File.pathSeparator
          + new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }
}
