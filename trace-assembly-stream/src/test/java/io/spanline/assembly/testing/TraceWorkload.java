package io.spanline.assembly.testing;

import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.topic.SpanlineHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Traces of 1 to {@code maxSpans} spans sent to {@code otlp_spans} in random order: traces are sent
 * in batches; within a batch every trace is cut into records of 1 to 10 spans and all the batch's
 * records are shuffled, so spans arrive out of order and interleaved with other traces. Every
 * record of a batch carries the batch's start as its timestamp, as if a gateway had received the
 * batch at once: how long the sending takes on a loaded machine never spreads one trace's records
 * over more than the idle timeout (a genuine gap that the assembly rightly treats as late spans).
 * Remembers each trace's span IDs to check the output against.
 */
public final class TraceWorkload {
  private final TestTraces traces;
  private final Random random;
  private final int maxSpans;
  private final Map<TraceId, long[]> expected = new HashMap<>();
  private long spans;

  public TraceWorkload(long seed, int maxSpans) {
    this.traces = new TestTraces(seed);
    this.random = new Random(seed + 1);
    this.maxSpans = maxSpans;
  }

  /**
   * Sends one batch of traces and waits until Kafka acknowledged every record.
   *
   * @throws IllegalStateException if a send failed
   */
  public void sendBatch(
      Producer<byte[], byte[]> producer, String topic, String tenant, int traceCount) {
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    long receivedMillis = System.currentTimeMillis();
    for (int t = 0; t < traceCount; t++) {
      List<Span> trace = traces.trace(1 + random.nextInt(maxSpans));
      TraceId id = trace.get(0).traceId();
      expected.put(id, trace.stream().mapToLong(s -> s.spanId().value()).sorted().toArray());
      spans += trace.size();
      byte[] key = id.toHex().getBytes(StandardCharsets.US_ASCII);
      for (int i = 0; i < trace.size(); ) {
        int n = Math.min(trace.size() - i, 1 + random.nextInt(10));
        RecordHeaders headers = new RecordHeaders();
        headers.add(SpanlineHeaders.TENANT, tenant.getBytes(StandardCharsets.UTF_8));
        records.add(
            new ProducerRecord<>(
                topic,
                null,
                receivedMillis,
                key,
                TestTraces.otlp(trace.subList(i, i + n)),
                headers));
        i += n;
      }
    }
    Collections.shuffle(records, random);
    List<Future<RecordMetadata>> sent = new ArrayList<>(records.size());
    for (ProducerRecord<byte[], byte[]> r : records) {
      sent.add(producer.send(r));
    }
    try {
      for (Future<RecordMetadata> f : sent) {
        f.get();
      }
    } catch (Exception e) {
      throw new IllegalStateException("send failed", e);
    }
  }

  public int traceCount() {
    return expected.size();
  }

  public long spanCount() {
    return spans;
  }

  /** The sorted span IDs sent for a trace, or null if it was never sent. */
  public long[] spanIds(TraceId traceId) {
    return expected.get(traceId);
  }

  /** Sorted span IDs as a list, for readable assertion messages. */
  public static List<Long> sorted(long[] ids) {
    long[] copy = ids.clone();
    Arrays.sort(copy);
    return Arrays.stream(copy).boxed().toList();
  }
}
