package io.spanline.assembly.testing;

import io.spanline.assembly.TraceAssemblyTopology;
import io.spanline.assembly.buffer.InputLag;
import io.spanline.assembly.config.AssemblyConfig;
import io.spanline.assembly.config.AssemblyConfigLoader;
import io.spanline.assembly.metrics.AssemblyMetrics;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.registry.InMemorySchemaRegistryClient;
import io.spanline.schemas.topic.SpanlineHeaders;
import io.spanline.schemas.topic.SpanlineTopics;
import io.spanline.service.streams.DeadLetteringHandler;
import io.spanline.service.tenancy.TenantLimitsFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The assembly topology in a {@link TopologyTestDriver}: send OTLP records as the gateway or a
 * Collector would, move the wall clock, read assembled traces and dead letters. Wall clock starts
 * at {@link #START}.
 */
public final class AssemblyDriver implements AutoCloseable {
  public static final Instant START = Instant.parse("2026-11-22T10:00:00Z");

  private final TopologyTestDriver driver;
  private final AssemblyConfig config;
  private final AssemblyMetrics metrics = AssemblyMetrics.detached();
  private final TestInputTopic<byte[], byte[]> input;
  private final TestOutputTopic<TraceId, AssembledTrace> output;
  private final TestOutputTopic<byte[], byte[]> deadLetters;
  private Instant wallClock = START;

  /**
   * @param settings assembly settings (keys as in the README, e.g. {@code trace.idle.timeout.ms})
   */
  public AssemblyDriver(Path stateDir, Map<String, String> settings) {
    this(stateDir, settings, () -> TenantLimitsFile.EMPTY);
  }

  /**
   * @param tenantLimits the tenant-limits file in force
   */
  public AssemblyDriver(
      Path stateDir, Map<String, String> settings, Supplier<TenantLimitsFile> tenantLimits) {
    Map<String, String> props = new HashMap<>();
    props.put("spanline.assembly.state.dir", stateDir.toString());
    props.put("spanline.assembly.application.id", "assembly-driver-test");
    settings.forEach((k, v) -> props.put("spanline.assembly." + k, v));
    this.config = AssemblyConfigLoader.load(Map.of(), props);
    SpanlineTopics topics = new SpanlineTopics(config.topics(), new InMemorySchemaRegistryClient());
    Properties streamsProps = TraceAssemblyTopology.streamsConfig(config);
    streamsProps.put(
        DeadLetteringHandler.COUNTER_CONFIG, (Consumer<Exception>) metrics::deadLettered);
    this.driver =
        new TopologyTestDriver(
            TraceAssemblyTopology.build(config, topics, metrics, InputLag.UNKNOWN, tenantLimits),
            streamsProps,
            START);
    this.input =
        driver.createInputTopic(
            config.topics().otlpSpans(), new ByteArraySerializer(), new ByteArraySerializer());
    this.output =
        driver.createOutputTopic(
            config.topics().assembledTraces(),
            topics.assembledTraces().keySerde().deserializer(),
            topics.assembledTraces().valueSerde().deserializer());
    this.deadLetters =
        driver.createOutputTopic(
            config.deadLetterTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  public AssemblyConfig config() {
    return config;
  }

  public AssemblyMetrics metrics() {
    return metrics;
  }

  /**
   * One record of the default tenant keyed by the spans' (first) trace ID, as the gateway writes.
   */
  public void send(List<Span> spans) {
    send(SpanlineHeaders.DEFAULT_TENANT, spans);
  }

  public void send(String tenant, List<Span> spans) {
    sendRaw(key(spans.get(0).traceId()), TestTraces.otlp(spans), tenant);
  }

  /** A record with any key (null for none) and value, tenant header when {@code tenant != null}. */
  public void sendRaw(byte[] key, byte[] value, String tenant) {
    RecordHeaders headers = new RecordHeaders();
    if (tenant != null) {
      headers.add(SpanlineHeaders.TENANT, tenant.getBytes(StandardCharsets.UTF_8));
    }
    input.pipeInput(new TestRecord<>(key, value, headers, wallClock));
  }

  public static byte[] key(TraceId traceId) {
    return traceId.toHex().getBytes(StandardCharsets.US_ASCII);
  }

  /** Moves the wall clock; records sent afterwards carry the new time as their timestamp. */
  public void advanceWallClock(Duration by) {
    wallClock = wallClock.plus(by);
    driver.advanceWallClockTime(by);
  }

  /** Assembled traces emitted since the last call. */
  public List<AssembledTrace> assembled() {
    return output.readValuesToList();
  }

  /** Dead-lettered records emitted since the last call. */
  public List<TestRecord<byte[], byte[]>> deadLetters() {
    return deadLetters.readRecordsToList();
  }

  @Override
  public void close() {
    driver.close();
  }
}
