package io.spanline.assembly.errors;

import io.spanline.assembly.metrics.AssemblyMetrics;
import java.util.Map;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Kafka Streams' log-and-continue processing exception handler, counting each record it sends to
 * the dead-letter topic ({@code errors.dead.letter.queue.topic.name}; Kafka Streams writes the raw
 * input record there with the exception, topic, partition and offset in {@code __streams.errors.*}
 * headers). The log line names topic, partition and offset, never the payload.
 */
public final class DeadLetteringHandler extends LogAndContinueProcessingExceptionHandler {
  /** Streams config key under which the {@link AssemblyMetrics} instance is handed over. */
  public static final String METRICS_CONFIG = "spanline.assembly.metrics";

  private AssemblyMetrics metrics;

  @Override
  public void configure(Map<String, ?> configs) {
    super.configure(configs);
    Object m = configs.get(METRICS_CONFIG);
    metrics = m instanceof AssemblyMetrics am ? am : AssemblyMetrics.detached();
  }

  @Override
  public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception e) {
    metrics.deadLettered(e);
    return super.handleError(context, record, e);
  }
}
