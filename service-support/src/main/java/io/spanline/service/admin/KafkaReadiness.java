package io.spanline.service.admin;

import io.spanline.service.config.KafkaSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;

/**
 * Whether Kafka answers and has the topics a process needs: asks for the cluster's brokers and
 * topics every few seconds and remembers the answer, so {@code /readyz} never waits on Kafka
 * itself.
 */
public final class KafkaReadiness implements Readiness, AutoCloseable {
  private final Admin admin;
  private final KafkaSettings settings;
  private final List<String> topics;
  private final ScheduledExecutorService scheduler;
  private volatile boolean ready;
  private volatile String problem = "not checked yet";

  /**
   * @param topics topics that must exist for the process to be ready
   * @param interval time between checks
   */
  public KafkaReadiness(KafkaSettings settings, List<String> topics, Duration interval) {
    this.settings = settings;
    this.topics = List.copyOf(topics);
    this.admin =
        Admin.create(
            settings.clientConfig(
                Map.of(
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000,
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000)));
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "kafka-readiness");
              t.setDaemon(true);
              return t;
            });
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
        problem = "Kafka reports no brokers";
        return;
      }
      Set<String> existing =
          admin
              .listTopics(new ListTopicsOptions().timeoutMs(3000))
              .names()
              .get(4, TimeUnit.SECONDS);
      List<String> missing = new ArrayList<>();
      for (String topic : topics) {
        if (!existing.contains(topic)) {
          missing.add(topic);
        }
      }
      ready = missing.isEmpty();
      problem =
          missing.isEmpty()
              ? ""
              : (missing.size() == 1
                  ? "topic " + missing.get(0) + " does not exist"
                  : "topics " + String.join(", ", missing) + " do not exist");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      ready = false;
      problem = settings.explain(e);
    }
  }

  @Override
  public boolean ready() {
    return ready;
  }

  @Override
  public String problem() {
    return problem;
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    admin.close(Duration.ofSeconds(2));
  }
}
