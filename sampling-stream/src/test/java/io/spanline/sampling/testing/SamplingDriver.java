package io.spanline.sampling.testing;

import io.spanline.sampling.SamplingTopology;
import io.spanline.sampling.config.SamplingConfig;
import io.spanline.sampling.config.SamplingConfigLoader;
import io.spanline.sampling.metrics.SamplingMetrics;
import io.spanline.sampling.policy.PolicyFileException;
import io.spanline.sampling.policy.PolicyFileParser;
import io.spanline.sampling.policy.SamplingPolicies;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.schemas.model.ServiceMetrics;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.registry.InMemorySchemaRegistryClient;
import io.spanline.schemas.topic.SpanlineHeaders;
import io.spanline.schemas.topic.SpanlineTopics;
import io.spanline.service.streams.DeadLetteringHandler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The sampling topology in a {@link TopologyTestDriver}: send assembled traces (or raw bytes) at
 * explicit record times, move the wall clock, read sampled traces, decisions, metrics and dead
 * letters. Policies can be swapped while running, as a reload does.
 */
public final class SamplingDriver implements AutoCloseable {
  public static final Instant START = Instant.parse("2026-11-22T10:00:00Z");

  private final TopologyTestDriver driver;
  private final SamplingConfig config;
  private final SpanlineTopics topics;
  private final SamplingMetrics metrics = SamplingMetrics.detached();
  private final AtomicReference<SamplingPolicies> policies = new AtomicReference<>();
  private final TestInputTopic<byte[], byte[]> input;
  private final TestOutputTopic<TraceId, SampledTrace> sampled;
  private final TestOutputTopic<TraceId, SamplingDecision> decisions;
  private final TestOutputTopic<String, ServiceMetrics> metricsTopic;
  private final TestOutputTopic<byte[], byte[]> deadLetters;
  private Instant recordTime = START;

  /**
   * @param settings sampling settings (keys as in the README, e.g. {@code decision.ttl.ms})
   * @param replay null for the live topology, else a replay over {@code [from, to)}
   */
  public SamplingDriver(
      Path stateDir, String policyYaml, Map<String, String> settings, Instant[] replay)
      throws PolicyFileException {
    Map<String, String> props = new HashMap<>();
    props.put("spanline.sampling.state.dir", stateDir.toString());
    props.put("spanline.sampling.application.id", "sampling-driver-test");
    settings.forEach((k, v) -> props.put("spanline.sampling." + k, v));
    this.config = SamplingConfigLoader.load(Map.of(), props);
    this.topics = new SpanlineTopics(config.topics(), new InMemorySchemaRegistryClient());
    policies.set(PolicyFileParser.parse(policyYaml));
    Properties streamsProps = SamplingTopology.streamsConfig(config);
    streamsProps.put(
        DeadLetteringHandler.COUNTER_CONFIG, (Consumer<Exception>) metrics::deadLettered);
    SamplingTopology.Options options =
        replay == null
            ? SamplingTopology.Options.live(config)
            : SamplingTopology.Options.replay(
                config, replay[0].toEpochMilli(), replay[1].toEpochMilli());
    this.driver =
        new TopologyTestDriver(
            SamplingTopology.build(options, topics, policies::get, metrics), streamsProps, START);
    this.input =
        driver.createInputTopic(
            config.topics().assembledTraces(),
            new ByteArraySerializer(),
            new ByteArraySerializer());
    this.sampled =
        driver.createOutputTopic(
            config.topics().sampledTraces(),
            topics.sampledTraces().keySerde().deserializer(),
            topics.sampledTraces().valueSerde().deserializer());
    this.decisions =
        driver.createOutputTopic(
            config.topics().decisions(),
            topics.decisions().keySerde().deserializer(),
            topics.decisions().valueSerde().deserializer());
    this.metricsTopic =
        driver.createOutputTopic(
            config.topics().metrics(),
            topics.metrics().keySerde().deserializer(),
            topics.metrics().valueSerde().deserializer());
    this.deadLetters =
        driver.createOutputTopic(
            config.deadLetterTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  public SamplingDriver(Path stateDir, String policyYaml) throws PolicyFileException {
    this(stateDir, policyYaml, Map.of(), null);
  }

  public SamplingMetrics metrics() {
    return metrics;
  }

  /** The policies in use (e.g. for their adaptive rates). */
  public SamplingPolicies policies() {
    return policies.get();
  }

  /** Replaces the policies, as a policy file reload does. */
  public void usePolicies(String policyYaml) throws PolicyFileException {
    policies.set(PolicyFileParser.parse(policyYaml));
  }

  /** Sends an assembled trace (or fragment) as the assembly stream writes it. */
  public void send(AssembledTrace trace) {
    sendRaw(
        trace.traceId().toHex().getBytes(StandardCharsets.US_ASCII),
        topics
            .assembledTraces()
            .valueSerde()
            .serializer()
            .serialize(config.topics().assembledTraces(), trace),
        trace.tenant());
  }

  public void sendRaw(byte[] key, byte[] value, String tenant) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(SpanlineHeaders.TENANT, tenant.getBytes(StandardCharsets.UTF_8));
    input.pipeInput(new TestRecord<>(key, value, headers, recordTime));
  }

  /** Records sent from now on carry this timestamp. */
  public void recordTime(Instant time) {
    this.recordTime = time;
  }

  public void advanceRecordTime(Duration by) {
    this.recordTime = recordTime.plus(by);
  }

  public void advanceWallClock(Duration by) {
    driver.advanceWallClockTime(by);
  }

  public List<SampledTrace> sampled() {
    return sampled.readValuesToList();
  }

  public List<SamplingDecision> decisions() {
    return decisions.readValuesToList();
  }

  public List<TestRecord<String, ServiceMetrics>> metricsRecords() {
    return metricsTopic.readRecordsToList();
  }

  public List<TestRecord<byte[], byte[]>> deadLetters() {
    return deadLetters.readRecordsToList();
  }

  @Override
  public void close() {
    driver.close();
  }
}
