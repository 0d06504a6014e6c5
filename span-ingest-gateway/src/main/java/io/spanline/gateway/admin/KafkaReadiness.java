package io.spanline.gateway.admin;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Whether Kafka answers: asks for the cluster's brokers every few seconds and remembers the answer,
 * so {@code /readyz} never waits on Kafka itself.
 */
public final class KafkaReadiness implements AutoCloseable {
  private final Admin admin;
  private final String topic;
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "gateway-kafka-readiness");
            t.setDaemon(true);
            return t;
          });
  private volatile boolean ready;
  private volatile String lastProblem = "not checked yet";

  public KafkaReadiness(String bootstrapServers, String topic, Duration interval) {
    this.topic = topic;
    this.admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000));
    scheduler.scheduleWithFixedDelay(this::check, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void check() {
    try {
      int brokers =
          admin
              .describeCluster(new DescribeClusterOptions().timeoutMs(3000))
              .nodes()
              .get(4, TimeUnit.SECONDS)
              .size();
      if (brokers == 0) {
        ready = false;
        lastProblem = "Kafka reports no brokers";
        return;
      }
      admin.describeTopics(List.of(topic)).allTopicNames().get(4, TimeUnit.SECONDS);
      ready = true;
      lastProblem = "";
    } catch (ExecutionException e) {
      ready = false;
      lastProblem =
          e.getCause() instanceof UnknownTopicOrPartitionException
              ? "topic " + topic + " does not exist"
              : "Kafka unreachable: " + e.getCause();
    } catch (Exception e) {
      ready = false;
      lastProblem = "Kafka unreachable: " + e;
    }
  }

  public boolean ready() {
    return ready;
  }

  public String lastProblem() {
    return lastProblem;
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    admin.close(Duration.ofSeconds(2));
  }
}
