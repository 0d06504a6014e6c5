package io.spanline.localinfra.kafka;

import io.spanline.localinfra.Ports;
import io.spanline.localinfra.Probe;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka broker in this JVM: a single KRaft node acting as broker and controller,
 * bound to 127.0.0.1, with every replication factor 1 so transactions and consumer groups work on
 * one node. The log directory is formatted on first start and reused after, so topics survive a
 * restart on the same directory.
 */
public final class LocalKafka implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalKafka.class);

  private final Path dataDir;
  private final int port;
  private final KafkaRaftServer server;

  private LocalKafka(Path dataDir, int port, KafkaRaftServer server) {
    this.dataDir = dataDir;
    this.port = port;
    this.server = server;
  }

  /**
   * Formats {@code dataDir} if it is new, starts the broker and waits until it answers.
   *
   * @param port client port on 127.0.0.1, or 0 for a free one
   * @param controllerPort KRaft controller port on 127.0.0.1, or 0 for a free one
   * @throws IllegalStateException if the broker does not start within a minute
   */
  public static LocalKafka start(Path dataDir, int port, int controllerPort) throws Exception {
    long started = System.nanoTime();
    Files.createDirectories(dataDir);
    int clientPort = Ports.orFree(port);
    int quorumPort = Ports.orFree(controllerPort);
    String logDir = dataDir.toAbsolutePath().toString();

    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@127.0.0.1:" + quorumPort);
    p.put(
        "listeners",
        "PLAINTEXT://127.0.0.1:" + clientPort + ",CONTROLLER://127.0.0.1:" + quorumPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + clientPort);
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", logDir);
    p.put("num.partitions", "1");
    p.put("default.replication.factor", "1");
    p.put("min.insync.replicas", "1");
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "5");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "5");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("auto.create.topics.enable", "false");
    KafkaConfig config = KafkaConfig.fromProps(p, false);

    if (!Files.exists(dataDir.resolve("meta.properties"))) {
      new Formatter()
          .setNodeId(1)
          .setClusterId(Uuid.randomUuid().toString())
          .setControllerListenerName("CONTROLLER")
          .setMetadataLogDirectory(logDir)
          .addDirectory(logDir)
          .setReleaseVersion(MetadataVersion.latestProduction())
          .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
          .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
          .run();
    }

    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    server.startup();
    LocalKafka kafka = new LocalKafka(dataDir, clientPort, server);
    try (Admin admin = kafka.admin()) {
      Probe.until(
          "Kafka broker on 127.0.0.1:" + clientPort,
          Duration.ofMinutes(1),
          Duration.ofMillis(100),
          () -> !admin.describeCluster().nodes().get().isEmpty());
    } catch (RuntimeException e) {
      kafka.close();
      throw e;
    }
    LOG.info(
        "Kafka broker ready on {} in {} ms (data {})",
        kafka.bootstrapServers(),
        (System.nanoTime() - started) / 1_000_000,
        dataDir);
    return kafka;
  }

  /** {@code 127.0.0.1:<port>}, for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** A new admin client for this broker; the caller closes it. */
  public Admin admin() {
    return Admin.create(
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrapServers(),
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
            30_000));
  }

  /**
   * Creates topics with one replica and waits until the broker lists them (the controller commits a
   * creation a moment before the broker's metadata shows it).
   *
   * @param partitions partitions of each topic
   */
  public void createTopics(int partitions, List<String> topics) throws Exception {
    try (Admin admin = admin()) {
      admin
          .createTopics(
              topics.stream()
                  .map(t -> new org.apache.kafka.clients.admin.NewTopic(t, partitions, (short) 1))
                  .toList())
          .all()
          .get();
      awaitListed(admin, topics);
    }
  }

  /** Waits until {@code admin} lists every topic named. */
  public static void awaitListed(Admin admin, List<String> topics) {
    Probe.until(
        "topics " + topics + " listed",
        Duration.ofSeconds(30),
        Duration.ofMillis(20),
        () -> admin.listTopics().names().get().containsAll(topics));
  }

  /** Stops the broker and waits for it; the data stays. */
  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
  }
}
