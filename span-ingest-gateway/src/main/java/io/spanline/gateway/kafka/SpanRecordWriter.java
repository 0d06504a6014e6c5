package io.spanline.gateway.kafka;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.spanline.gateway.config.GatewayConfig;
import io.spanline.schemas.codec.otlp.TracePart;
import io.spanline.schemas.topic.SpanlineHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes trace parts to the {@code otlp_spans} topic: key = trace ID as 32 lowercase hex chars,
 * value = OTLP {@code TracesData} protobuf, header {@value #TENANT_HEADER}. The producer uses
 * acks=all and idempotence, so an acknowledged record is on every in-sync replica and written once
 * per send. The returned future completes only when every record of the request is acknowledged,
 * and fails as soon as one cannot be written.
 */
public final class SpanRecordWriter implements AutoCloseable {
  /** Header carrying the tenant ID (UTF-8). */
  public static final String TENANT_HEADER = SpanlineHeaders.TENANT;

  private final KafkaProducer<byte[], byte[]> producer;
  private final KafkaClientMetrics clientMetrics;
  private final String topic;
  private final Timer produceLatency;

  public SpanRecordWriter(GatewayConfig config, MeterRegistry metrics) {
    Map<String, Object> p = new HashMap<>(config.kafka().clientConfig());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, config.compressionType());
    p.put(ProducerConfig.LINGER_MS_CONFIG, config.lingerMs());
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, config.batchSize());
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, config.requestTimeoutMs());
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, config.deliveryTimeoutMs());
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, config.maxBlockMs());
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, config.maxRecordBytes() + 64 * 1024);
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Math.max(32L << 20, config.maxInflightBytes() * 2));
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "spanline-gateway");
    this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    this.clientMetrics = new KafkaClientMetrics(producer);
    clientMetrics.bindTo(metrics);
    this.topic = config.topic();
    this.produceLatency =
        Timer.builder("spanline.gateway.kafka.produce.duration")
            .description("Time from sending a request's records to their last acknowledgement")
            .publishPercentiles(0.5, 0.99)
            .register(metrics);
  }

  /**
   * Sends every part and completes when all are acknowledged. May block up to {@code
   * kafka.max.block.ms} when Kafka's metadata is unknown, so call it off the event loop.
   */
  public CompletableFuture<Void> write(String tenant, List<TracePart> parts) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (parts.isEmpty()) {
      done.complete(null);
      return done;
    }
    long started = System.nanoTime();
    AtomicInteger pending = new AtomicInteger(parts.size());
    byte[] tenantBytes = tenant.getBytes(StandardCharsets.UTF_8);
    try {
      for (TracePart part : parts) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(TENANT_HEADER, tenantBytes);
        ProducerRecord<byte[], byte[]> record =
            new ProducerRecord<>(
                topic,
                null,
                part.traceId().toHex().getBytes(StandardCharsets.US_ASCII),
                part.tracesData(),
                headers);
        producer.send(
            record,
            (metadata, error) -> {
              if (error != null) {
                done.completeExceptionally(error);
              } else if (pending.decrementAndGet() == 0) {
                produceLatency.record(Duration.ofNanos(System.nanoTime() - started));
                done.complete(null);
              }
            });
      }
    } catch (RuntimeException e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
    clientMetrics.close();
  }
}
