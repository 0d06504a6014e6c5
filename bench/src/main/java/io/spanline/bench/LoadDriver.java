package io.spanline.bench;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import io.spanline.schemas.codec.otlp.TracePart;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The load process (run apart from the servers): either posts the workload to the gateway over
 * OTLP/HTTP protobuf, or writes the same Kafka records with a plain kafka-clients producer tuned as
 * the gateway's. Prints one {@code RESULT} line.
 *
 * <pre>
 * LoadDriver http &lt;endpoint&gt; &lt;seconds&gt; &lt;concurrency&gt;
 * LoadDriver producer &lt;bootstrap servers&gt; &lt;topic&gt; &lt;seconds&gt;
 * </pre>
 */
public final class LoadDriver {
  private static final int WARMUP_SECONDS = 15;

  private LoadDriver() {}

  public static void main(String[] args) throws Exception {
    List<Workload.Request> requests = Workload.requests(200, 42);
    switch (args[0]) {
      case "http" -> http(requests, args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
      case "producer" -> producer(requests, args[1], args[2], Integer.parseInt(args[3]));
      default -> throw new IllegalArgumentException("mode must be http or producer");
    }
  }

  private static void http(
      List<Workload.Request> requests, String endpoint, int seconds, int concurrency)
      throws Exception {
    // Armeria's client: non-blocking and light, so the load process takes little of the CPU the
    // servers need; `concurrency` requests are kept in flight.
    WebClient client =
        WebClient.builder(endpoint)
            .factory(ClientFactory.builder().useHttp2Preface(false).build())
            .responseTimeout(Duration.ofSeconds(30))
            .maxResponseLength(0)
            .build();
    AtomicLong spans = new AtomicLong();
    AtomicLong failures = new AtomicLong();
    List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
    long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(WARMUP_SECONDS);
    long end = warmupEnd + TimeUnit.SECONDS.toNanos(seconds);
    Semaphore slots = new Semaphore(concurrency);
    MediaType protobuf = MediaType.parse("application/x-protobuf");
    int i = 0;
    while (System.nanoTime() < end) {
      slots.acquire();
      Workload.Request r = requests.get(i++ % requests.size());
      long started = System.nanoTime();
      client
          .execute(
              RequestHeaders.of(HttpMethod.POST, "", HttpHeaderNames.CONTENT_TYPE, protobuf),
              HttpData.wrap(r.body()))
          .aggregate()
          .handle(
              (response, error) -> {
                long done = System.nanoTime();
                slots.release();
                if (started >= warmupEnd && done <= end) {
                  if (error == null && response.status().code() == 200) {
                    spans.addAndGet(r.spans());
                    latencies.add(done - started);
                  } else {
                    failures.incrementAndGet();
                  }
                }
                return null;
              });
    }
    slots.acquire(concurrency);
    long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    System.out.printf(
        "RESULT gateway spans_per_s=%.0f requests=%d failures=%d p50_ms=%.1f p99_ms=%.1f%n",
        spans.get() / (double) seconds,
        sorted.length,
        failures.get(),
        percentile(sorted, 0.50) / 1e6,
        percentile(sorted, 0.99) / 1e6);
    System.exit(0);
  }

  private static void producer(
      List<Workload.Request> requests, String bootstrap, String topic, int seconds)
      throws Exception {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 262_144);
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1_000_000 + 64 * 1024);
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L << 20);
    byte[] tenant = "default".getBytes(StandardCharsets.UTF_8);
    AtomicLong spans = new AtomicLong();
    // at most 64 MiB unacknowledged, as the gateway's in-flight bound
    Semaphore inFlight = new Semaphore(64 << 20);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(WARMUP_SECONDS);
      long end = warmupEnd + TimeUnit.SECONDS.toNanos(seconds);
      int i = 0;
      while (System.nanoTime() < end) {
        Workload.Request r = requests.get(i++ % requests.size());
        boolean counted = System.nanoTime() >= warmupEnd;
        for (TracePart part : r.records()) {
          int size = part.sizeBytes();
          inFlight.acquire(size);
          RecordHeaders headers = new RecordHeaders();
          headers.add("spanline.tenant", tenant);
          producer.send(
              new ProducerRecord<>(
                  topic,
                  null,
                  part.traceId().toHex().getBytes(StandardCharsets.US_ASCII),
                  part.tracesData(),
                  headers),
              (metadata, error) -> {
                inFlight.release(size);
                if (error == null && counted && System.nanoTime() <= end) {
                  spans.addAndGet(part.spanCount());
                }
              });
        }
      }
      producer.flush();
    }
    System.out.printf("RESULT producer spans_per_s=%.0f%n", spans.get() / (double) seconds);
    System.exit(0);
  }

  private static double percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  }
}
