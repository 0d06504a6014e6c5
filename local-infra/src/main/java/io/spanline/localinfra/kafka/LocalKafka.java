package io.spanline.localinfra.kafka;

import io.spanline.localinfra.Ports;
import io.spanline.localinfra.Probe;
import io.spanline.localinfra.tls.LocalCertificates;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.FeatureUpdate;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UpdateFeaturesOptions;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Exit;
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

  private static final String TRANSACTION_VERSION = "transaction.version";
  private static final short TRANSACTIONS_V1 = 1;

  /** The SCRAM user of the secured listener. */
  public static final String SCRAM_USER = "spanline";

  private final Path dataDir;
  private final int port;
  private final KafkaRaftServer server;
  private final SecuredListener secured;

  private LocalKafka(Path dataDir, int port, KafkaRaftServer server, SecuredListener secured) {
    this.dataDir = dataDir;
    this.port = port;
    this.server = server;
    this.secured = secured;
  }

  /**
   * The broker's second listener: SASL_SSL, SCRAM-SHA-512 over TLS with a certificate made at the
   * first start ({@link LocalCertificates}), beside the plaintext one.
   *
   * @param port its port on 127.0.0.1
   * @param certificates the broker's certificate and the trust store clients use
   * @param password the password of {@link #SCRAM_USER}
   */
  public record SecuredListener(int port, LocalCertificates certificates, String password) {
    /** {@code 127.0.0.1:<port>}. */
    public String bootstrapServers() {
      return "127.0.0.1:" + port;
    }

    /**
     * Client properties for this listener, with Kafka's names: SASL_SSL, SCRAM-SHA-512 with the
     * given credentials, the local trust store.
     */
    public Map<String, String> clientProperties(String username, String password) {
      return Map.of(
          "security.protocol",
          "SASL_SSL",
          "sasl.mechanism",
          "SCRAM-SHA-512",
          "sasl.jaas.config",
          "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
              + username
              + "\" password=\""
              + password
              + "\";",
          "ssl.truststore.location",
          certificates.trustStore().toString(),
          "ssl.truststore.password",
          certificates.password(),
          "ssl.truststore.type",
          "PKCS12");
    }
  }

  /**
   * Formats {@code dataDir} if it is new, starts the broker and waits until it answers.
   *
   * @param port client port on 127.0.0.1, or 0 for a free one
   * @param controllerPort KRaft controller port on 127.0.0.1, or 0 for a free one
   * @throws IllegalStateException if the broker does not start within a minute
   */
  public static LocalKafka start(Path dataDir, int port, int controllerPort) throws Exception {
    return start(dataDir, port, controllerPort, false, 0);
  }

  /**
   * As {@link #start(Path, int, int)}, with a {@link SecuredListener} on a free port beside the
   * plaintext one; its certificate and SCRAM user are made on the first start.
   */
  public static LocalKafka startSecured(Path dataDir, int port, int controllerPort)
      throws Exception {
    return start(dataDir, port, controllerPort, true, 0);
  }

  /**
   * As {@link #startSecured(Path, int, int)}, with the SASL_SSL listener on {@code securedPort} (0
   * for a free one).
   */
  public static LocalKafka startSecured(Path dataDir, int port, int controllerPort, int securedPort)
      throws Exception {
    return start(dataDir, port, controllerPort, true, securedPort);
  }

  private static LocalKafka start(
      Path dataDir, int port, int controllerPort, boolean withSecured, int securedPort)
      throws Exception {
    long started = System.nanoTime();
    Files.createDirectories(dataDir);
    int clientPort = Ports.orFree(port);
    int quorumPort = Ports.orFree(controllerPort);
    String logDir = dataDir.toAbsolutePath().toString();

    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@127.0.0.1:" + quorumPort);
    SecuredListener secured = null;
    if (withSecured) {
      // beside the log directory: Kafka refuses folders in it that are not partitions
      Path tls = dataDir.toAbsolutePath().resolveSibling(dataDir.getFileName() + "-tls");
      Path scramPassword = tls.resolve("scram-password");
      LocalCertificates certificates = LocalCertificates.inDirectory(tls);
      if (!Files.exists(scramPassword)) {
        Files.writeString(
            scramPassword, "scram-" + Long.toHexString(new SecureRandom().nextLong()));
      }
      secured =
          new SecuredListener(
              Ports.orFree(securedPort), certificates, Files.readString(scramPassword));
      String prefix = "listener.name.sasl_ssl.";
      p.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
      p.put(
          prefix + "scram-sha-512.sasl.jaas.config",
          "org.apache.kafka.common.security.scram.ScramLoginModule required;");
      p.put(prefix + "ssl.keystore.location", certificates.keyStore().toString());
      p.put(prefix + "ssl.keystore.password", certificates.password());
      p.put(prefix + "ssl.key.password", certificates.password());
      p.put(prefix + "ssl.keystore.type", "PKCS12");
    }
    String securedListener = secured == null ? "" : ",SASL_SSL://127.0.0.1:" + secured.port();
    p.put(
        "listeners",
        "PLAINTEXT://127.0.0.1:"
            + clientPort
            + securedListener
            + ",CONTROLLER://127.0.0.1:"
            + quorumPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + clientPort + securedListener);
    p.put(
        "listener.security.protocol.map",
        "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL");
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
          .setFeatureLevel(TRANSACTION_VERSION, TRANSACTIONS_V1)
          .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
          .run();
    }

    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    keepTheJvmOnFatalFaults();
    server.startup();
    LocalKafka kafka = new LocalKafka(dataDir, clientPort, server, secured);
    try (Admin admin = kafka.admin()) {
      Probe.until(
          "Kafka broker on 127.0.0.1:" + clientPort,
          Duration.ofMinutes(1),
          Duration.ofMillis(100),
          () -> !admin.describeCluster().nodes().get().isEmpty());
      useTransactionsV1(admin);
      if (secured != null) {
        addScramUser(admin, secured);
      }
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

  /**
   * Transactions v1 (Kafka 3.x's protocol with KIP-890 part 1 verification) rather than 4.x's
   * default v2: under {@code kill -9} of the broker or a Streams instance, v2 on this single node
   * left partitions without their commit or abort markers while the coordinator called the
   * transaction complete (the chaos suite's hanging transactions, and an ABORTed transaction's
   * records later COMMITted by the same producer's next marker). A folder formatted with v2 by an
   * earlier version is downgraded at start.
   */
  private static void useTransactionsV1(Admin admin) throws Exception {
    FinalizedVersionRange finalized =
        admin
            .describeFeatures()
            .featureMetadata()
            .get()
            .finalizedFeatures()
            .get(TRANSACTION_VERSION);
    if (finalized != null && finalized.maxVersionLevel() > TRANSACTIONS_V1) {
      admin
          .updateFeatures(
              Map.of(
                  TRANSACTION_VERSION,
                  new FeatureUpdate(TRANSACTIONS_V1, FeatureUpdate.UpgradeType.SAFE_DOWNGRADE)),
              new UpdateFeaturesOptions())
          .all()
          .get();
      Probe.until(
          "transaction.version " + TRANSACTIONS_V1 + " finalized",
          Duration.ofSeconds(30),
          Duration.ofMillis(100),
          () ->
              admin
                      .describeFeatures()
                      .featureMetadata()
                      .get()
                      .finalizedFeatures()
                      .get(TRANSACTION_VERSION)
                      .maxVersionLevel()
                  == TRANSACTIONS_V1);
      LOG.info("Kafka transaction.version downgraded to {}", TRANSACTIONS_V1);
    }
  }

  /** Creates {@link #SCRAM_USER} and waits until the secured listener accepts its login. */
  private static void addScramUser(Admin admin, SecuredListener secured) throws Exception {
    admin
        .alterUserScramCredentials(
            List.of(
                new UserScramCredentialUpsertion(
                    SCRAM_USER,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192),
                    secured.password())))
        .all()
        .get();
    Map<String, Object> config =
        new HashMap<>(secured.clientProperties(SCRAM_USER, secured.password()));
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, secured.bootstrapServers());
    try (Admin securedAdmin = Admin.create(config)) {
      // the credential reaches the listener's cache a moment after the controller commits it
      Probe.until(
          "SCRAM login on " + secured.bootstrapServers(),
          Duration.ofSeconds(30),
          Duration.ofMillis(100),
          () -> !securedAdmin.describeCluster().nodes().get().isEmpty());
    }
  }

  /**
   * The SASL_SSL listener.
   *
   * @throws IllegalStateException when the broker was started without one ({@link #start})
   */
  public SecuredListener secured() {
    if (secured == null) {
      throw new IllegalStateException("this broker has no secured listener; use startSecured");
    }
    return secured;
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

  /**
   * Reads every committed record of {@code topic} from the beginning to the end offsets it had when
   * the read began (read_committed), handing each to {@code each}.
   *
   * @param bootstrapServers any broker's {@code bootstrap.servers}
   */
  public static void readToEnd(
      String bootstrapServers, String topic, Consumer<ConsumerRecord<byte[], byte[]>> each) {
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                16 << 20),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          each.accept(r);
        }
      }
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

  /**
   * Makes Kafka's fatal-fault paths ({@code Exit.exit}, {@code Exit.halt}: a controller's fatal
   * metadata fault, a failed start) throw instead of ending the JVM: a broker embedded in a test's
   * JVM must not end the test run without a word. The fault is logged at error and thrown as an
   * {@link IllegalStateException} in the Kafka thread that met it. {@link LocalKafkaMain}, a broker
   * in a JVM of its own, sets Kafka's own procedures back.
   */
  static void keepTheJvmOnFatalFaults() {
    Exit.setExitProcedure(LocalKafka::refuseToEndTheJvm);
    Exit.setHaltProcedure(LocalKafka::refuseToEndTheJvm);
  }

  private static void refuseToEndTheJvm(int status, String message) {
    LOG.error("Kafka asked to end the JVM with status {}: {}", status, message);
    throw new IllegalStateException(
        "Kafka asked to end the JVM with status " + status + ": " + message);
  }
}
