package io.spanline.localinfra;

import java.util.concurrent.CountDownLatch;

/**
 * Runs the local infrastructure on the default ports until Ctrl-C: Kafka 9092, OpenSearch 9200,
 * S3-compatible store 9000, schema registry 8081, all on 127.0.0.1, data under {@code ./data/}.
 * Settings: {@link LocalInfraConfig}.
 */
public final class LocalInfraMain {
  private LocalInfraMain() {}

  public static void main(String[] args) throws Exception {
    LocalInfraConfig config = LocalInfraConfig.fromEnvironment();
    System.out.println(
        "Starting Kafka, OpenSearch, S3 store and schema registry; data in "
            + config.dataDir().toAbsolutePath());
    long started = System.nanoTime();
    LocalInfra infra = LocalInfra.start(config);
    infra.createPipelineTopics();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.out.println("Stopping…");
                  infra.close();
                  stopped.countDown();
                },
                "local-infra-shutdown"));
    System.out.printf(
        "Ready in %.1f s:%n"
            + "  Kafka bootstrap servers  %s%n"
            + "  Kafka SASL_SSL           %s  (SCRAM-SHA-512 user %s, password in %s;"
            + " trust store %s)%n"
            + "  OpenSearch               %s%n"
            + "  S3 endpoint              %s  (access key %s, secret %s, path-style)%n"
            + "  Schema registry          %s%n"
            + "Ctrl-C stops everything; data stays in %s%n",
        (System.nanoTime() - started) / 1e9,
        infra.kafka().bootstrapServers(),
        infra.kafka().secured().bootstrapServers(),
        io.spanline.localinfra.kafka.LocalKafka.SCRAM_USER,
        infra.kafka().secured().certificates().trustStore().resolveSibling("scram-password"),
        infra.kafka().secured().certificates().trustStore(),
        infra.openSearch().uri(),
        infra.s3().endpoint(),
        io.spanline.localinfra.s3.LocalS3.ACCESS_KEY,
        io.spanline.localinfra.s3.LocalS3.SECRET_KEY,
        infra.registry().uri(),
        config.dataDir().toAbsolutePath());
    stopped.await();
  }
}
