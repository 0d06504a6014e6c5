package io.spanline.service.streams;

import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.spanline.service.admin.AdminServer;
import io.spanline.service.admin.AdminSettings;
import io.spanline.service.admin.KafkaReadiness;
import io.spanline.service.admin.Readiness;
import io.spanline.service.config.KafkaSettings;
import io.spanline.service.internal.consumer.ConsumerLag;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka Streams app with its admin port, as every Spanline stream runs: a failed stream thread is
 * logged, counted ({@link ThreadFailures}) and replaced, Kafka Streams' metrics are bound to the
 * registry, and {@code /readyz} answers ready only while Kafka is reachable, the topics exist, the
 * stream is RUNNING and its threads have not failed {@value #FAILURES_UNREADY} times within {@link
 * #FAILURE_WINDOW}, and no hanging transaction of the app is left that it could not abort ({@link
 * HangingTransactions}, checked every {@link #HANGING_CHECK_INTERVAL}).
 */
public final class StreamsService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StreamsService.class);

  /** Thread failures within {@link #FAILURE_WINDOW} that make the app unready. */
  static final int FAILURES_UNREADY = 3;

  static final Duration FAILURE_WINDOW = Duration.ofMinutes(5);

  /** How often the app looks for hanging transactions of its own. */
  static final Duration HANGING_CHECK_INTERVAL = Duration.ofSeconds(10);

  private final KafkaStreams streams;
  private final KafkaStreamsMetrics streamsMetrics;
  private final ConsumerLag lag;
  private final KafkaReadiness kafka;
  private final AdminServer admin;
  private final HangingTransactions hanging;

  private StreamsService(
      KafkaStreams streams,
      KafkaStreamsMetrics streamsMetrics,
      ConsumerLag lag,
      KafkaReadiness kafka,
      AdminServer admin,
      HangingTransactions hanging) {
    this.streams = streams;
    this.streamsMetrics = streamsMetrics;
    this.lag = lag;
    this.kafka = kafka;
    this.admin = admin;
    this.hanging = hanging;
  }

  /**
   * Starts the admin port, then the stream.
   *
   * @param streamsConfig the config {@code streams} was built with: its {@code application.id} and
   *     producer {@code transaction.timeout.ms} tell {@link HangingTransactions} which transactions
   *     are the app's own and how long one may stay open
   * @param topics the topics readiness checks for, and the app's source and sink topics
   * @param admin the admin port's address, TLS and key (port 0 for a free one)
   */
  public static StreamsService start(
      KafkaStreams streams,
      Properties streamsConfig,
      PrometheusMeterRegistry registry,
      KafkaSettings kafkaSettings,
      List<String> topics,
      AdminSettings admin) {
    return start(streams, streamsConfig, registry, kafkaSettings, topics, admin, () -> "");
  }

  /**
   * As {@link #start(KafkaStreams, Properties, PrometheusMeterRegistry, KafkaSettings, List,
   * AdminSettings)}, with a state worth knowing that does not make the app unready (e.g. overload
   * shedding) added to the {@code /readyz} body.
   *
   * @param detail one line for {@code /readyz} after {@code ready}, "" for none ({@link
   *     Readiness#detail()})
   */
  public static StreamsService start(
      KafkaStreams streams,
      Properties streamsConfig,
      PrometheusMeterRegistry registry,
      KafkaSettings kafkaSettings,
      List<String> topics,
      AdminSettings admin,
      Supplier<String> detail) {
    ThreadFailures failures =
        new ThreadFailures(Clock.systemUTC(), FAILURES_UNREADY, FAILURE_WINDOW, registry);
    streams.setUncaughtExceptionHandler(
        e -> {
          failures.record(e);
          LOG.error("Stream thread failed; replacing it", e);
          return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(registry);
    Object lagToken =
        streamsConfig.get(StreamsConfig.mainConsumerPrefix(ConsumerLag.TRACKER_CONFIG));
    ConsumerLag lag =
        ConsumerLag.start(
            lagToken == null ? UUID.randomUUID().toString() : lagToken.toString(),
            streamsConfig.getProperty(StreamsConfig.APPLICATION_ID_CONFIG),
            registry,
            Clock.systemUTC());
    lag.addSource(streams::metrics);
    KafkaReadiness kafka = new KafkaReadiness(kafkaSettings, topics, Duration.ofSeconds(5));
    HangingTransactions hanging =
        new HangingTransactions(
                Admin.create(kafkaSettings.clientConfig()),
                streamsConfig.getProperty(StreamsConfig.APPLICATION_ID_CONFIG),
                topics,
                hangingMinimumAge(streamsConfig),
                Clock.systemUTC(),
                registry)
            .start(HANGING_CHECK_INTERVAL);
    Readiness readiness =
        new Readiness() {
          @Override
          public boolean ready() {
            return kafka.ready()
                && streams.state() == KafkaStreams.State.RUNNING
                && failures.problem().isEmpty()
                && hanging.problem().isEmpty();
          }

          @Override
          public String problem() {
            if (!kafka.ready()) {
              return kafka.problem();
            }
            return failures
                .problem()
                .or(hanging::problem)
                .orElse("stream state " + streams.state());
          }

          @Override
          public String detail() {
            return detail.get();
          }
        };
    AdminServer adminServer = AdminServer.start(admin, readiness, registry);
    streams.start();
    return new StreamsService(streams, streamsMetrics, lag, kafka, adminServer, hanging);
  }

  /**
   * Twice the app's transaction timeout (Kafka Streams' 10 s when unset): the coordinator aborts a
   * transaction it knows after one timeout, so one open for two has no coordinator to end it.
   */
  static Duration hangingMinimumAge(Properties streamsConfig) {
    Object timeout =
        streamsConfig.get(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG));
    long ms = timeout == null ? 10_000 : Long.parseLong(timeout.toString());
    return Duration.ofMillis(2 * ms);
  }

  KafkaStreams streams() {
    return streams;
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  public int adminPort() {
    return admin.port();
  }

  /** Stops the stream cleanly (commits, closes stores), then the admin port. */
  @Override
  public void close() {
    hanging.close();
    streams.close(Duration.ofSeconds(60));
    streamsMetrics.close();
    lag.close();
    admin.close();
    kafka.close();
  }
}
