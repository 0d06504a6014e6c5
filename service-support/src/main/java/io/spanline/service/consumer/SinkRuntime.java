package io.spanline.service.consumer;

import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.spanline.service.admin.AdminServer;
import io.spanline.service.admin.AdminSettings;
import io.spanline.service.admin.KafkaReadiness;
import io.spanline.service.config.KafkaSettings;
import io.spanline.service.internal.consumer.ConsumerLag;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * What a sink process (index, archive) runs around its consumer loops: the Prometheus registry, the
 * dead-letter producer shared by the consumers, a scheduler for periodic jobs (retention, store
 * checks), Kafka readiness and the admin port ({@code /healthz}, {@code /readyz} = Kafka reachable
 * with the topics, the store answering, every consumer running; {@code /metrics}), and the {@link
 * ConsumerThreads} with each consumer's Kafka client metrics bound to the registry.
 */
public final class SinkRuntime implements AutoCloseable {
  /**
   * @param name the process name, for thread names
   * @param topics the topics readiness checks for
   * @param admin the admin port's address, TLS and key
   */
  public record Settings(
      String name,
      KafkaSettings kafka,
      String groupId,
      List<String> topics,
      int consumers,
      AdminSettings admin) {}

  private final Settings settings;
  private final PrometheusMeterRegistry registry;
  private final Producer<byte[], byte[]> deadLetterProducer;
  private final KafkaClientMetrics deadLetterMetrics;
  private final ConsumerLag lag;
  private final ScheduledExecutorService scheduler;
  private final KafkaReadiness kafka;
  private final AdminServer admin;
  private volatile ConsumerThreads consumers;

  /**
   * Starts the admin port (not ready until consumers run) and the shared clients.
   *
   * @param storeProblem why the sink's store cannot be used now; "" when it can
   */
  public SinkRuntime(Settings settings, Supplier<String> storeProblem) {
    this.settings = settings;
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.deadLetterProducer =
        new KafkaProducer<>(
            SinkClients.deadLetterProducerConfig(settings.kafka(), settings.groupId()));
    this.deadLetterMetrics = new KafkaClientMetrics(deadLetterProducer);
    deadLetterMetrics.bindTo(registry);
    this.lag =
        ConsumerLag.start(
            UUID.randomUUID().toString(), settings.groupId(), registry, Clock.systemUTC());
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, settings.name() + "-scheduler");
              t.setDaemon(true);
              return t;
            });
    this.kafka = new KafkaReadiness(settings.kafka(), settings.topics(), Duration.ofSeconds(5));
    this.admin =
        AdminServer.start(
            settings.admin(),
            SinkClients.readiness(
                kafka,
                storeProblem,
                () -> consumers == null ? 0 : consumers.running(),
                settings.consumers()),
            registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The dead-letter producer the consumers share; closed with the runtime. */
  public Producer<byte[], byte[]> deadLetterProducer() {
    return deadLetterProducer;
  }

  public int adminPort() {
    return admin.port();
  }

  /** Runs {@code job} now and then every {@code period} (with fixed delay). */
  public void schedule(Runnable job, Duration initialDelay, Duration period) {
    scheduler.scheduleWithFixedDelay(
        job, initialDelay.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Starts the consumer threads.
   *
   * @param consumerConfig the Kafka consumer settings of consumer {@code n}
   * @param sink makes the consumer loop of consumer {@code n} around its Kafka consumer
   */
  public void startConsumers(
      IntFunction<Map<String, Object>> consumerConfig,
      BiFunction<Consumer<byte[], byte[]>, Integer, ConsumerThreads.Worker> sink) {
    consumers =
        new ConsumerThreads(
            settings.name(),
            settings.consumers(),
            number -> {
              Map<String, Object> config = new HashMap<>(consumerConfig.apply(number));
              lag.configure(config);
              KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config);
              Supplier<Map<MetricName, ? extends Metric>> lagSource = consumer::metrics;
              KafkaClientMetrics metrics = new KafkaClientMetrics(consumer);
              metrics.bindTo(registry);
              lag.addSource(lagSource);
              ConsumerThreads.Worker worker = sink.apply(consumer, number);
              return new ConsumerThreads.Worker() {
                @Override
                public void run() {
                  worker.run();
                }

                @Override
                public void stop() {
                  worker.stop();
                }

                @Override
                public void cleanUp() {
                  lag.removeSource(lagSource);
                  metrics.close();
                }
              };
            });
  }

  /** Stops the consumers (what they have not committed is read again later), then the rest. */
  @Override
  public void close() {
    if (consumers != null) {
      consumers.close();
    }
    scheduler.shutdownNow();
    admin.close();
    kafka.close();
    deadLetterProducer.close(Duration.ofSeconds(10));
    deadLetterMetrics.close();
    lag.close();
  }
}
