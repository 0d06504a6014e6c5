package io.spanline.bench;

import io.spanline.localinfra.Ports;
import io.spanline.localinfra.Probe;
import io.spanline.localinfra.kafka.LocalKafkaMain;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A Kafka broker in a child JVM (-Xmx1g, as PERFORMANCE.md measured), so the benchmark JVM holds
 * only the clients and apps it measures, and its JIT compiles only their code.
 */
final class BrokerProcess implements AutoCloseable {
  private final Process process;
  private final String bootstrapServers;

  private BrokerProcess(Process process, String bootstrapServers) {
    this.process = process;
    this.bootstrapServers = bootstrapServers;
  }

  static BrokerProcess start(Path dataDir) throws Exception {
    int port = Ports.freePort();
    int controller = Ports.freePort();
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p =
        new ProcessBuilder(
                List.of(
                    java.toString(),
                    "-Xmx1g",
                    "-cp",
                    System.getProperty("java.class.path"),
                    LocalKafkaMain.class.getName(),
                    dataDir.toString(),
                    String.valueOf(port),
                    String.valueOf(controller)))
            .redirectErrorStream(true)
            .redirectOutput(dataDir.resolveSibling("broker.log").toFile())
            .start();
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroy));
    String bootstrap = "127.0.0.1:" + port;
    BrokerProcess broker = new BrokerProcess(p, bootstrap);
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      Probe.until(
          "Kafka broker in a child JVM on " + bootstrap,
          Duration.ofMinutes(1),
          Duration.ofMillis(200),
          () -> {
            if (!p.isAlive()) {
              throw new Probe.GiveUp("the broker JVM exited with " + p.exitValue());
            }
            return !admin.describeCluster().nodes().get().isEmpty();
          });
    } catch (RuntimeException e) {
      broker.close();
      throw e;
    }
    return broker;
  }

  String bootstrapServers() {
    return bootstrapServers;
  }

  /** The broker JVM's process ID, for its CPU time and memory. */
  long pid() {
    return process.pid();
  }

  Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
  }

  /** Stops the broker with SIGTERM and waits for it. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
