package io.spanline.service.streams;

import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.spanline.service.admin.AdminServer;
import io.spanline.service.admin.KafkaReadiness;
import io.spanline.service.admin.Readiness;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka Streams app with its admin port, as every Spanline stream runs: a failed stream thread is
 * logged, counted ({@link ThreadFailures}) and replaced, Kafka Streams' metrics are bound to the
 * registry, and {@code /readyz} answers ready only while Kafka is reachable, the topics exist, the
 * stream is RUNNING and its threads have not failed {@value #FAILURES_UNREADY} times within {@link
 * #FAILURE_WINDOW}.
 */
public final class StreamsService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StreamsService.class);

  /** Thread failures within {@link #FAILURE_WINDOW} that make the app unready. */
  static final int FAILURES_UNREADY = 3;

  static final Duration FAILURE_WINDOW = Duration.ofMinutes(5);

  private final KafkaStreams streams;
  private final KafkaStreamsMetrics streamsMetrics;
  private final KafkaReadiness kafka;
  private final AdminServer admin;

  private StreamsService(
      KafkaStreams streams,
      KafkaStreamsMetrics streamsMetrics,
      KafkaReadiness kafka,
      AdminServer admin) {
    this.streams = streams;
    this.streamsMetrics = streamsMetrics;
    this.kafka = kafka;
    this.admin = admin;
  }

  /**
   * Starts the admin port, then the stream.
   *
   * @param topics the topics readiness checks for
   * @param adminPort the admin port, 0 for a free one
   */
  public static StreamsService start(
      KafkaStreams streams,
      PrometheusMeterRegistry registry,
      String bootstrapServers,
      List<String> topics,
      String adminBindAddress,
      int adminPort) {
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
    KafkaReadiness kafka = new KafkaReadiness(bootstrapServers, topics, Duration.ofSeconds(5));
    Readiness readiness =
        new Readiness() {
          @Override
          public boolean ready() {
            return kafka.ready()
                && streams.state() == KafkaStreams.State.RUNNING
                && failures.problem().isEmpty();
          }

          @Override
          public String problem() {
            if (!kafka.ready()) {
              return kafka.problem();
            }
            return failures.problem().orElse("stream state " + streams.state());
          }
        };
    AdminServer admin = AdminServer.start(adminBindAddress, adminPort, readiness, registry);
    streams.start();
    return new StreamsService(streams, streamsMetrics, kafka, admin);
  }

  public KafkaStreams streams() {
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
    streams.close(Duration.ofSeconds(60));
    streamsMetrics.close();
    admin.close();
    kafka.close();
  }
}
