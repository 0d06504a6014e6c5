package io.spanline.assembly.config;

import io.spanline.schemas.topic.TopicNames;
import io.spanline.service.admin.AdminSettings;
import io.spanline.service.config.KafkaSettings;
import io.spanline.service.config.RegistrySettings;
import io.spanline.service.streams.StreamsTuning;
import io.spanline.service.tenancy.TenantLimitsSettings;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Every setting of the trace assembly stream, validated. Built by {@link AssemblyConfigLoader}; the
 * module README lists each key with its default.
 *
 * @param applicationId Kafka Streams {@code application.id}: group, transactional and state prefix
 * @param kafka Kafka bootstrap servers and client properties (security), for every client
 * @param registry how to reach the Confluent-compatible schema registry
 * @param topics input {@code otlp_spans} and output {@code spanline.traces.assembled} names
 * @param deadLetterTopic topic that receives records which cannot be parsed, with the error in
 *     headers
 * @param idleTimeout a trace closes when no span arrived for this long (wall-clock)
 * @param maxDuration a trace closes when this long has passed since its first span arrived
 * @param maxSpans a trace closes once it holds this many spans
 * @param maxBytes a trace closes once its buffered OTLP bytes reach this many
 * @param maxRecordBytes largest Avro binary of one output record; a closed trace larger than this
 *     is emitted as several consecutive fragments
 * @param closedTtl how long a closed trace's ID is remembered, so that a later span of it becomes a
 *     late fragment rather than a new trace
 * @param maxOpenTraces bound on open traces per instance; past it a task over its fair share closes
 *     its traces due soonest early ({@code closure reason = overload})
 * @param maxOpenBytes bound on the buffered OTLP bytes of open traces per instance, enforced the
 *     same way
 * @param punctuationInterval how often due traces are looked for (wall-clock)
 * @param punctuationMaxCloses most traces one punctuation of one task closes; the rest wait for the
 *     next punctuation, so that a backlog of due traces never makes one transaction outlive {@code
 *     producer.transaction.timeout.ms}
 * @param streamThreads Kafka Streams {@code num.stream.threads}
 * @param stateDir Kafka Streams {@code state.dir}
 * @param tuning producer and RocksDB tuning ({@code producer.*}, {@code rocksdb.*}); its largest
 *     request is derived from {@code maxBytes} ({@link #producerMaxRequestBytes(long, long)})
 * @param admin the admin port ({@code /healthz}, {@code /readyz}, {@code /metrics}): address, port
 *     (0 picks a free one), TLS and key
 * @param streamsOverrides further Kafka Streams (and client) properties, applied last
 * @param tenantLimits the tenant-limits file ({@code tenant-limits.*}): per-tenant bounds on open
 *     traces, buffered bytes and trace size
 * @param shedding overload shedding of new traces near the open-trace and byte bounds ({@code
 *     shed.*}, {@code debug.attribute})
 */
public record AssemblyConfig(
    String applicationId,
    KafkaSettings kafka,
    RegistrySettings registry,
    TopicNames topics,
    String deadLetterTopic,
    Duration idleTimeout,
    Duration maxDuration,
    int maxSpans,
    long maxBytes,
    long maxRecordBytes,
    Duration closedTtl,
    long maxOpenTraces,
    long maxOpenBytes,
    Duration punctuationInterval,
    int punctuationMaxCloses,
    int streamThreads,
    String stateDir,
    StreamsTuning tuning,
    AdminSettings admin,
    Map<String, String> streamsOverrides,
    TenantLimitsSettings tenantLimits,
    ShedSettings shedding) {

  public AssemblyConfig {
    Objects.requireNonNull(applicationId, "applicationId");
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    Objects.requireNonNull(maxDuration, "maxDuration");
    Objects.requireNonNull(closedTtl, "closedTtl");
    Objects.requireNonNull(punctuationInterval, "punctuationInterval");
    Objects.requireNonNull(tuning, "tuning");
    streamsOverrides = Map.copyOf(streamsOverrides);
    Objects.requireNonNull(tenantLimits, "tenantLimits");
    Objects.requireNonNull(shedding, "shedding");
    if (maxDuration.compareTo(idleTimeout) < 0) {
      throw new IllegalArgumentException(
          "trace.max.duration.ms ("
              + maxDuration.toMillis()
              + ") must be at least trace.idle.timeout.ms ("
              + idleTimeout.toMillis()
              + ")");
    }
  }

  /**
   * The largest record the stream's producer may send: an assembled trace of {@code maxBytes} OTLP
   * bytes plus the one record that took it there, with room for Avro's per-span resource, and at
   * least an output record of {@code maxRecordBytes}.
   */
  static int producerMaxRequestBytes(long maxBytes, long maxRecordBytes) {
    return (int)
        Math.min(Integer.MAX_VALUE, Math.max(3 * maxBytes + (4 << 20), maxRecordBytes + (1 << 20)));
  }

  /** Kafka {@code bootstrap.servers}. */
  String bootstrapServers() {
    return kafka.bootstrapServers();
  }
}
