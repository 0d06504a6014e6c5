package io.spanline.bench;

import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.DecisionOutcome;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.schemas.registry.RestSchemaRegistryClient;
import io.spanline.schemas.topic.SpanlineTopics;
import io.spanline.schemas.topic.TopicNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** The sinks' benchmark input: the workload's traces as kept traces of tenant {@code default}. */
final class KeptTraces {
  private KeptTraces() {}

  /**
   * Writes kept traces of at least {@code target} spans to {@code topic} (Avro {@code
   * SampledTrace}, key = trace ID), showing each trace to {@code observer} first.
   *
   * @return {traces, spans}
   */
  static long[] produce(
      BrokerProcess kafka,
      LocalSchemaRegistry registry,
      String topic,
      long target,
      Workload.TraceConsumer observer)
      throws Exception {
    SpanlineTopics specs =
        new SpanlineTopics(
            new TopicNames("otlp_spans", "unused", topic, "unused", "unused"),
            new RestSchemaRegistryClient(registry.uri(), Duration.ofSeconds(10)));
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 262_144);
    var serializer = specs.sampledTraces().valueSerde().serializer();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      long[] counts =
          Workload.traces(
              target,
              (index, id, spans) -> {
                observer.accept(index, id, spans);
                AssembledTrace trace = AssembledTrace.of("default", id, 0, spans);
                SamplingDecision decision =
                    new SamplingDecision(
                        "default", id, DecisionOutcome.KEEP, List.of("baseline"), 0.1, 0L);
                producer.send(
                    new ProducerRecord<>(
                        topic,
                        id.toHex().getBytes(StandardCharsets.US_ASCII),
                        serializer.serialize(topic, new SampledTrace(trace, decision))));
              });
      producer.flush();
      return counts;
    }
  }
}
