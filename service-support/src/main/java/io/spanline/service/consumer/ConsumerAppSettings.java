package io.spanline.service.consumer;

import io.spanline.schemas.topic.TopicNames;
import io.spanline.service.config.Settings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a sink reads and how it consumes, the same settings in both sinks: the sampled-traces topic
 * ({@code topic.sampled-traces}) and its dead-letter topic ({@code topic.dead-letter}), {@code
 * group.id}, the number of consumer threads ({@code consumers}), {@code max.poll.records}, the
 * backoff while the store fails ({@code retry.backoff.initial.ms}, {@code retry.backoff.max.ms})
 * and {@code consumer.<any Kafka consumer property>}, applied last.
 *
 * @param topic the topic the sink consumes
 * @param deadLetterTopic where records that cannot be decoded or stored go, with the error in
 *     headers
 * @param groupId the consumer group
 * @param consumers consumer threads (each one consumer of the group)
 * @param maxPollRecords Kafka {@code max.poll.records}
 * @param retryInitialBackoff first wait while the store fails
 * @param retryMaxBackoff longest wait while the store fails, at least the first
 * @param consumerOverrides {@code consumer.*} properties, prefix removed
 */
public record ConsumerAppSettings(
    String topic,
    String deadLetterTopic,
    String groupId,
    int consumers,
    int maxPollRecords,
    Duration retryInitialBackoff,
    Duration retryMaxBackoff,
    Map<String, String> consumerOverrides) {
  /** Prefix of settings passed through to the Kafka consumer. */
  public static final String CONSUMER_PREFIX = "consumer.";

  public ConsumerAppSettings {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
    Objects.requireNonNull(groupId, "groupId");
    Objects.requireNonNull(retryInitialBackoff, "retryInitialBackoff");
    Objects.requireNonNull(retryMaxBackoff, "retryMaxBackoff");
    consumerOverrides = Map.copyOf(consumerOverrides);
  }

  /** The topic, group and consumer settings with the sink's defaults, in README order. */
  public static Map<String, String> defaults(
      String deadLetterTopic, String groupId, int consumers, int maxPollRecords) {
    Map<String, String> d = new LinkedHashMap<>();
    d.put(TopicNames.SAMPLED_TRACES_KEY, TopicNames.DEFAULTS.sampledTraces());
    d.put("topic.dead-letter", deadLetterTopic);
    d.put("group.id", groupId);
    d.put("consumers", String.valueOf(consumers));
    d.put("max.poll.records", String.valueOf(maxPollRecords));
    return d;
  }

  /** The backoff settings with the sink's defaults. */
  public static Map<String, String> retryDefaults(Duration initial, Duration max) {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("retry.backoff.initial.ms", String.valueOf(initial.toMillis()));
    d.put("retry.backoff.max.ms", String.valueOf(max.toMillis()));
    return d;
  }

  /**
   * Reads the settings of {@link #defaults} and {@link #retryDefaults}, then {@code consumer.*}
   * (declare {@link #CONSUMER_PREFIX} as a pass-through prefix).
   *
   * @throws IllegalArgumentException naming the setting of a bad value: an illegal topic name, no
   *     consumer, a maximum backoff below the first
   */
  public static ConsumerAppSettings from(Settings s) {
    return new ConsumerAppSettings(
        TopicNames.requireLegal(
            TopicNames.SAMPLED_TRACES_KEY, s.get(TopicNames.SAMPLED_TRACES_KEY)),
        TopicNames.requireLegal("topic.dead-letter", s.get("topic.dead-letter")),
        s.get("group.id"),
        s.intAtLeast("consumers", 1),
        s.intAtLeast("max.poll.records", 1),
        s.millis("retry.backoff.initial.ms"),
        s.millisNotBelow("retry.backoff.max.ms", "retry.backoff.initial.ms"),
        s.withPrefix(CONSUMER_PREFIX));
  }

  /** Both topics, for the start-up check and readiness. */
  public List<String> topics() {
    return List.of(topic, deadLetterTopic);
  }
}
