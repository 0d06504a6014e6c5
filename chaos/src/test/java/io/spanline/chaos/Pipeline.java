package io.spanline.chaos;

import io.spanline.allinone.AllInOne;
import io.spanline.allinone.AllInOneConfig;
import io.spanline.archive.ArchiveSinkMain;
import io.spanline.assembly.TraceAssemblyMain;
import io.spanline.gateway.GatewayMain;
import io.spanline.index.IndexSinkMain;
import io.spanline.localinfra.LocalInfraConfig;
import io.spanline.localinfra.LocalInfraMain;
import io.spanline.localinfra.Ports;
import io.spanline.localinfra.Probe;
import io.spanline.localinfra.s3.LocalS3Main;
import io.spanline.query.QueryServiceMain;
import io.spanline.sampling.SamplingMain;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The pipeline as operations.md deploys it, each process in its own JVM: local-infra's servers
 * (Kafka, schema registry, and OpenSearch in a JVM of its own under them) in one, the S3-compatible
 * store in another (so that S3 alone can go down; the servers' own store is left unused), then the
 * gateway, the assembly and sampling streams, both sinks and the query service, each on fixed ports
 * and its own state folder, so that any of them can be killed and started again where it was.
 */
final class Pipeline implements Endpoints, AutoCloseable {
  /** Names of the processes that faults target, in start order. */
  static final List<String> SERVICES =
      List.of("gateway", "assembly", "sampling", "index", "archive", "query");

  static final String INFRA = "infra";
  static final String S3 = "s3";
  static final Duration START_TIMEOUT = Duration.ofMinutes(3);

  private final LocalInfraConfig infraConfig;
  private final Map<String, ChildJvm> processes = new LinkedHashMap<>();
  private final int otlpHttpPort;
  private final int queryPort;
  private final int s3Port;
  private final Map<String, Integer> adminPorts = new HashMap<>();

  Pipeline(Path data, Path logs) throws IOException {
    Files.createDirectories(data.resolve("infra"));
    this.infraConfig =
        new LocalInfraConfig(
            data.resolve("infra"),
            Ports.freePort(),
            Ports.freePort(),
            Ports.freePort(),
            Ports.freePort(),
            Ports.freePort(),
            "512m",
            Ports.freePort(),
            Ports.freePort(),
            Ports.freePort(),
            Ports.freePort());
    this.otlpHttpPort = Ports.freePort();
    this.queryPort = Ports.freePort();
    this.s3Port = Ports.freePort();
    Map<String, String> overrides = new HashMap<>();
    overrides.put("spanline.assembly.trace.idle.timeout.ms", "3000");
    overrides.put("spanline.assembly.punctuation.interval.ms", "500");
    overrides.put("spanline.index.index.refresh-interval", "1s");
    overrides.put("spanline.archive.roll.max.age.ms", "2000");
    for (String app : List.of("assembly", "sampling")) {
      // a killed member leaves the group after 6 s rather than the default 45 s
      overrides.put("spanline." + app + ".streams.consumer.session.timeout.ms", "6000");
      overrides.put("spanline." + app + ".streams.consumer.heartbeat.interval.ms", "1500");
    }
    for (String app : List.of("index", "archive")) {
      overrides.put("spanline." + app + ".consumer.session.timeout.ms", "6000");
      overrides.put("spanline." + app + ".consumer.heartbeat.interval.ms", "1000");
    }
    for (String app : SERVICES) {
      int port = Ports.freePort();
      adminPorts.put(app, port);
      overrides.put("spanline." + app + ".admin.port", String.valueOf(port));
    }
    AllInOneConfig config =
        new AllInOneConfig(
            infraConfig, Ports.freePort(), otlpHttpPort, queryPort, false, overrides);
    Map<String, String> settings =
        AllInOne.serviceSettings(
            config,
            "127.0.0.1:" + infraConfig.kafkaPort(),
            URI.create("http://127.0.0.1:" + infraConfig.registryPort()),
            URI.create("http://127.0.0.1:" + infraConfig.openSearchPort()),
            s3Endpoint());
    Map<String, String> infraProps = new HashMap<>();
    infraProps.put("spanline.data.dir", infraConfig.dataDir().toString());
    infraProps.put("spanline.kafka.port", String.valueOf(infraConfig.kafkaPort()));
    infraProps.put(
        "spanline.kafka.controller.port", String.valueOf(infraConfig.kafkaControllerPort()));
    infraProps.put("spanline.kafka.secured.port", String.valueOf(infraConfig.kafkaSecuredPort()));
    infraProps.put("spanline.opensearch.port", String.valueOf(infraConfig.openSearchPort()));
    infraProps.put(
        "spanline.opensearch.transport.port",
        String.valueOf(infraConfig.openSearchTransportPort()));
    infraProps.put("spanline.s3.port", String.valueOf(infraConfig.s3Port()));
    infraProps.put("spanline.registry.port", String.valueOf(infraConfig.registryPort()));
    infraProps.put(
        "spanline.registry.secured.port", String.valueOf(infraConfig.registrySecuredPort()));
    infraProps.put(
        "spanline.opensearch.secured.port", String.valueOf(infraConfig.openSearchSecuredPort()));
    processes.put(
        INFRA,
        new ChildJvm(
            INFRA,
            LocalInfraMain.class,
            infraProps,
            List.of(),
            "1g",
            logs.resolve("infra.log"),
            this::infraReady));
    processes.put(
        S3,
        new ChildJvm(
            S3,
            LocalS3Main.class,
            Map.of(),
            List.of(data.resolve("s3").toString(), String.valueOf(s3Port)),
            "256m",
            logs.resolve("s3.log"),
            () -> listening(s3Port)));
    Map<String, Class<?>> mains =
        Map.of(
            "gateway", GatewayMain.class,
            "assembly", TraceAssemblyMain.class,
            "sampling", SamplingMain.class,
            "index", IndexSinkMain.class,
            "archive", ArchiveSinkMain.class,
            "query", QueryServiceMain.class);
    for (String app : SERVICES) {
      processes.put(
          app,
          new ChildJvm(
              app,
              mains.get(app),
              settings,
              List.of(),
              "512m",
              logs.resolve(app + ".log"),
              ChildJvm.httpOk(adminPorts.get(app), "/readyz")));
    }
  }

  /** Starts every process in pipeline order, each once the one before it is ready. */
  void start() throws IOException {
    for (ChildJvm p : processes.values()) {
      p.start();
      p.awaitReady(START_TIMEOUT);
    }
  }

  ChildJvm process(String name) {
    return processes.get(name);
  }

  /** Kills a process with SIGKILL and starts it again at once, as a process manager would. */
  void killAndRestart(String name) throws Exception {
    ChildJvm p = processes.get(name);
    p.kill();
    if (name.equals(INFRA)) {
      // OpenSearch runs in a JVM of its own that stops when its parent's pipe closes
      awaitClosed(infraConfig.openSearchPort(), Duration.ofMinutes(2));
    }
    p.start();
  }

  /**
   * Stops the OpenSearch node ({@code SIGSTOP}: it neither answers nor closes connections) for
   * {@code outage}, then lets it go on ({@code SIGCONT}).
   */
  void stopOpenSearch(Duration outage) throws Exception {
    ProcessHandle node =
        processes
            .get(INFRA)
            .handle()
            .descendants()
            .filter(p -> p.info().commandLine().orElse("").contains("opensearch"))
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("no OpenSearch node under the servers"));
    signal("STOP", node.pid());
    try {
      TimeUnit.MILLISECONDS.sleep(outage.toMillis()); // the outage itself
    } finally {
      signal("CONT", node.pid());
    }
  }

  private static void signal(String signal, long pid) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
    }
  }

  /**
   * Takes the S3-compatible store down ({@code kill -9}: connections are refused) for {@code
   * outage}, then starts it again on its folder, objects kept.
   */
  void stopS3(Duration outage) throws Exception {
    ChildJvm s3 = processes.get(S3);
    s3.kill();
    TimeUnit.MILLISECONDS.sleep(outage.toMillis()); // the outage itself
    s3.start();
    s3.awaitReady(START_TIMEOUT);
  }

  /** Waits until every process is ready again. */
  void awaitAllReady(Duration timeout) {
    for (ChildJvm p : processes.values()) {
      p.awaitReady(timeout);
    }
  }

  @Override
  public String otlpHttpEndpoint() {
    return "http://127.0.0.1:" + otlpHttpPort + "/v1/traces";
  }

  @Override
  public URI queryUri() {
    return URI.create("http://127.0.0.1:" + queryPort + "/");
  }

  int adminPort(String app) {
    return adminPorts.get(app);
  }

  @Override
  public String kafkaBootstrapServers() {
    return "127.0.0.1:" + infraConfig.kafkaPort();
  }

  @Override
  public URI registryUri() {
    return URI.create("http://127.0.0.1:" + infraConfig.registryPort());
  }

  @Override
  public URI s3Endpoint() {
    return URI.create("http://127.0.0.1:" + s3Port);
  }

  private boolean infraReady() throws Exception {
    if (!ChildJvm.httpOk(infraConfig.registryPort(), "/subjects").call()
        || !ChildJvm.httpOk(infraConfig.openSearchPort(), "/_cluster/health").call()) {
      return false;
    }
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafkaBootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                5000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                5000))) {
      Set<String> topics = admin.listTopics().names().get(5, TimeUnit.SECONDS);
      return topics.containsAll(
          List.of(
              "otlp_spans",
              "spanline.traces.assembled",
              "spanline.traces.sampled",
              "spanline.decisions"));
    }
  }

  /** Waits until nothing listens on the port of 127.0.0.1 any more. */
  static void awaitClosed(int port, Duration timeout) {
    Probe.until(
        "port " + port + " closed", timeout, Duration.ofMillis(500), () -> !listening(port));
  }

  /** Whether something accepts connections on the port of 127.0.0.1. */
  static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Kills every process, services first. */
  @Override
  public void close() {
    List<ChildJvm> all = List.copyOf(processes.values());
    try {
      for (int i = all.size() - 1; i >= 0; i--) {
        all.get(i).kill();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    awaitClosed(infraConfig.openSearchPort(), Duration.ofMinutes(2));
  }
}
