package io.spanline.localinfra;

import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.opensearch.LocalOpenSearch;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.localinfra.s3.LocalS3;
import io.spanline.localinfra.tls.HttpsFront;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The whole local infrastructure: Kafka, OpenSearch, an S3-compatible store and the schema
 * registry, data under one folder ({@code kafka/}, {@code opensearch/}, {@code s3/}), started
 * together (OpenSearch, the slowest, in parallel with the rest) and stopped in reverse order.
 */
public final class LocalInfra implements AutoCloseable {
  private final LocalKafka kafka;
  private final LocalOpenSearch openSearch;
  private final LocalS3 s3;
  private final LocalSchemaRegistry registry;
  private final HttpsFront openSearchFront;

  private LocalInfra(
      LocalKafka kafka,
      LocalOpenSearch openSearch,
      LocalS3 s3,
      LocalSchemaRegistry registry,
      HttpsFront openSearchFront) {
    this.kafka = kafka;
    this.openSearch = openSearch;
    this.s3 = s3;
    this.registry = registry;
    this.openSearchFront = openSearchFront;
  }

  /**
   * Starts everything and waits until each server answers.
   *
   * @throws IllegalStateException if a server does not start; those already started are stopped
   */
  public static LocalInfra start(LocalInfraConfig config) throws Exception {
    CompletableFuture<LocalOpenSearch> openSearch =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return LocalOpenSearch.start(
                    config.dataDir().resolve("opensearch"),
                    config.openSearchPort(),
                    config.openSearchTransportPort(),
                    config.openSearchHeap());
              } catch (Exception e) {
                throw new CompletionException(e);
              }
            });
    LocalKafka kafka = null;
    LocalS3 s3 = null;
    LocalSchemaRegistry registry = null;
    HttpsFront openSearchFront = null;
    try {
      s3 = LocalS3.startFilesystem(config.dataDir().resolve("s3"), config.s3Port());
      kafka =
          LocalKafka.startSecured(
              config.dataDir().resolve("kafka"),
              config.kafkaPort(),
              config.kafkaControllerPort(),
              config.kafkaSecuredPort());
      registry =
          LocalSchemaRegistry.startSecured(
              kafka.bootstrapServers(),
              LocalSchemaRegistry.DEFAULT_TOPIC,
              config.registryPort(),
              securedHttp(kafka, config.registrySecuredPort()));
      LocalOpenSearch node = openSearch.join();
      openSearchFront =
          HttpsFront.proxy(node.uri(), securedHttp(kafka, config.openSearchSecuredPort()));
      return new LocalInfra(kafka, node, s3, registry, openSearchFront);
    } catch (Exception e) {
      closeQuietly(openSearchFront);
      closeQuietly(registry);
      closeQuietly(kafka);
      closeQuietly(s3);
      openSearch.thenAccept(LocalInfra::closeQuietly);
      if (e instanceof CompletionException && e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  /**
   * The secured HTTP ports use the broker's certificate and its SCRAM user and password, so that a
   * secured local estate has one trust store and one login.
   */
  private static HttpsFront.Options securedHttp(LocalKafka kafka, int port) {
    LocalKafka.SecuredListener listener = kafka.secured();
    return new HttpsFront.Options(
        port,
        listener.certificates(),
        LocalKafka.SCRAM_USER,
        listener.password(),
        Optional.empty());
  }

  /**
   * Creates the pipeline's topics with their default names (architecture contract) where missing:
   * {@code otlp_spans}, {@code spanline.traces.assembled}, {@code spanline.traces.sampled} with 6
   * partitions, the compacted {@code spanline.decisions}, {@code spanline.metrics} and the
   * dead-letter topics. Local runs only; in production the operator creates topics
   * (docs/operations).
   */
  public void createPipelineTopics() throws Exception {
    try (Admin admin = kafka.admin()) {
      Set<String> existing = admin.listTopics().names().get();
      List<NewTopic> missing = new ArrayList<>();
      for (String topic : PIPELINE_TOPICS) {
        if (!existing.contains(topic)) {
          NewTopic t = new NewTopic(topic, topic.endsWith("dead-letter") ? 1 : 6, (short) 1);
          if (topic.equals("spanline.decisions")) {
            // every trace has its own key, so compaction alone never shrinks it: delete too
            t.configs(Map.of("cleanup.policy", "compact,delete", "retention.ms", "604800000"));
          } else if (topic.startsWith("spanline.traces.")) {
            // an assembled trace may be several MiB (trace.max.bytes defaults to 8 MiB of OTLP)
            t.configs(Map.of("max.message.bytes", String.valueOf(16 << 20)));
          }
          missing.add(t);
        }
      }
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get();
        LocalKafka.awaitListed(admin, PIPELINE_TOPICS);
      }
    }
  }

  /** The contract's default topic names (schemas' {@code TopicNames.DEFAULTS}). */
  static final List<String> PIPELINE_TOPICS =
      List.of(
          "otlp_spans",
          "spanline.traces.assembled",
          "spanline.traces.sampled",
          "spanline.decisions",
          "spanline.metrics",
          "spanline.assembly.dead-letter",
          "spanline.sampling.dead-letter",
          "spanline.index.dead-letter",
          "spanline.archive.dead-letter");

  public LocalKafka kafka() {
    return kafka;
  }

  public LocalOpenSearch openSearch() {
    return openSearch;
  }

  /**
   * OpenSearch over HTTPS with basic auth (user {@link LocalKafka#SCRAM_USER}, the secured
   * listener's password, its certificate): a TLS-terminating front, since the node itself runs
   * without its security plugin.
   */
  public URI openSearchSecuredUri() {
    return openSearchFront.uri();
  }

  public LocalS3 s3() {
    return s3;
  }

  public LocalSchemaRegistry registry() {
    return registry;
  }

  /** Stops the OpenSearch front, the registry, Kafka, the S3 store and OpenSearch; data stays. */
  @Override
  public void close() {
    closeQuietly(openSearchFront);
    closeQuietly(registry);
    closeQuietly(kafka);
    closeQuietly(s3);
    closeQuietly(openSearch);
  }

  private static void closeQuietly(AutoCloseable server) {
    if (server == null) {
      return;
    }
    try {
      server.close();
    } catch (Exception e) {
      System.err.println("stopping " + server.getClass().getSimpleName() + " failed: " + e);
    }
  }
}
