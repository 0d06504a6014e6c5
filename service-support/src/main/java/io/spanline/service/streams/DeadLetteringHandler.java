package io.spanline.service.streams;

import io.spanline.service.logging.LogContext;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Kafka Streams' log-and-continue processing exception handler, counting each record it sends to
 * the dead-letter topic ({@code errors.dead.letter.queue.topic.name}; Kafka Streams writes the raw
 * input record there with the exception, topic, partition and offset in {@code __streams.errors.*}
 * headers). The log line names topic, partition and offset, never the payload, and carries the
 * record's tenant and trace ID in the MDC ({@link LogContext}). The counter is handed over in the
 * Streams config under {@link #COUNTER_CONFIG}.
 */
public final class DeadLetteringHandler extends LogAndContinueProcessingExceptionHandler {
  /** Streams config key of the {@code Consumer<Exception>} told of each dead-lettered record. */
  public static final String COUNTER_CONFIG = "spanline.dead-letter.counter";

  private Consumer<Exception> counter = e -> {};

  @Override
  @SuppressWarnings("unchecked")
  public void configure(Map<String, ?> configs) {
    super.configure(configs);
    if (configs.get(COUNTER_CONFIG) instanceof Consumer<?> c) {
      counter = (Consumer<Exception>) c;
    }
  }

  @Override
  public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception e) {
    counter.accept(e);
    try (LogContext ignored = LogContext.ofRecord(context.headers(), record.key())) {
      return super.handleError(context, record, e);
    }
  }
}
