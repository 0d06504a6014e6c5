package io.spanline.service.consumer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes records a sink cannot store to its dead-letter topic: key, value and headers as read, plus
 * the error in the headers the Streams apps' dead letters use ({@code __streams.errors.exception},
 * {@code .message}, {@code .topic}, {@code .partition}, {@code .offset}), so one tool reads every
 * Spanline dead-letter topic. {@link #flush()} waits until all are acknowledged; offsets are
 * committed only after it returns.
 */
public final class DeadLetters {
  public static final String EXCEPTION = "__streams.errors.exception";
  public static final String MESSAGE = "__streams.errors.message";
  public static final String TOPIC = "__streams.errors.topic";
  public static final String PARTITION = "__streams.errors.partition";
  public static final String OFFSET = "__streams.errors.offset";

  private final Producer<byte[], byte[]> producer;
  private final String topic;
  private final List<Future<RecordMetadata>> pending = new ArrayList<>();

  /**
   * @param producer shared by the sink's consumers; not closed here
   */
  public DeadLetters(Producer<byte[], byte[]> producer, String topic) {
    this.producer = producer;
    this.topic = topic;
  }

  /**
   * @param error what went wrong, e.g. {@code mapper_parsing_exception} or an exception class name
   * @param message the details, e.g. OpenSearch's reason with the document ID
   */
  public void send(ConsumerRecord<byte[], byte[]> origin, String error, String message) {
    Headers headers = new RecordHeaders(origin.headers().toArray());
    put(headers, EXCEPTION, error);
    put(headers, MESSAGE, message);
    put(headers, TOPIC, origin.topic());
    put(headers, PARTITION, String.valueOf(origin.partition()));
    put(headers, OFFSET, String.valueOf(origin.offset()));
    pending.add(
        producer.send(new ProducerRecord<>(topic, null, origin.key(), origin.value(), headers)));
  }

  /**
   * Waits for every dead letter sent so far.
   *
   * @throws IllegalStateException if one could not be written (the batch must not be committed)
   */
  public void flush() {
    if (pending.isEmpty()) {
      return;
    }
    producer.flush();
    try {
      for (Future<RecordMetadata> f : pending) {
        f.get();
      }
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "cannot write to dead-letter topic " + topic + ": " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while writing dead letters", e);
    } finally {
      pending.clear();
    }
  }

  private static void put(Headers headers, String key, String value) {
    headers.remove(key);
    headers.add(key, value.getBytes(StandardCharsets.UTF_8));
  }
}
