package io.spanline.service.internal.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class ConsumerLagTest {
  private static final TopicPartition TP = new TopicPartition("spanline.traces.sampled", 3);
  private static final long T0 = 1_700_000_000_000L;

  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.ofEpochMilli(T0));
  private final Clock clock =
      new Clock() {
        @Override
        public Instant instant() {
          return now.get();
        }

        @Override
        public java.time.ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }
      };
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Map<MetricName, Metric> consumerMetrics = new HashMap<>();

  private void recordsLag(double records) {
    // Kafka tags per-partition fetch metrics with the topic's dots as underscores
    MetricName name =
        new MetricName(
            "records-lag",
            "consumer-fetch-manager-metrics",
            "",
            Map.of("client-id", "c-0", "topic", "spanline_traces_sampled", "partition", "3"));
    consumerMetrics.put(
        name,
        new Metric() {
          @Override
          public MetricName metricName() {
            return name;
          }

          @Override
          public Object metricValue() {
            return records;
          }
        });
  }

  private double gauge() {
    return registry
        .get(ConsumerLag.METRIC)
        .tags("group", "spanline-index-sink", "topic", TP.topic(), "partition", "3")
        .gauge()
        .value();
  }

  @Test
  void lagIsTheAgeOfTheLastFetchedRecordWhileRecordsWait_zeroWhenCaughtUp_naNWhenNotRead() {
    Map<String, Object> config = new HashMap<>();
    try (ConsumerLag lag = ConsumerLag.start("token-1", "spanline-index-sink", registry, clock)) {
      lag.configure(config);
      lag.addSource(() -> consumerMetrics);
      LagInterceptor interceptor = new LagInterceptor();
      interceptor.configure(config);

      // Given a poll that returned records written at T0 - 2 s and T0 - 1 s
      interceptor.onConsume(
          new ConsumerRecords<>(
              Map.of(TP, List.of(record(0, T0 - 2_000), record(1, T0 - 1_000))), Map.of()));
      // When 500 records still wait, 9 s later
      recordsLag(500);
      now.set(Instant.ofEpochMilli(T0 + 9_000));
      // Then the lag is the last record's age
      assertThat(gauge()).isEqualTo(10.0);

      // When the consumer caught up
      recordsLag(0);
      assertThat(gauge()).isZero();

      // When the partition is no longer this consumer's
      consumerMetrics.clear();
      assertThat(gauge()).isNaN();
    }
    assertThat(config)
        .containsEntry("interceptor.classes", LagInterceptor.class.getName())
        .containsEntry(ConsumerLag.TRACKER_CONFIG, "token-1");
    assertThat(registry.find(ConsumerLag.METRIC).gauges()).isEmpty();
  }

  private static ConsumerRecord<Object, Object> record(long offset, long timestamp) {
    return new ConsumerRecord<>(
        TP.topic(),
        TP.partition(),
        offset,
        timestamp,
        org.apache.kafka.common.record.TimestampType.CREATE_TIME,
        0,
        0,
        null,
        null,
        new org.apache.kafka.common.header.internals.RecordHeaders(),
        java.util.Optional.empty());
  }
}
