package io.spanline.index.bulk;

import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.opensearch.client.opensearch.core.bulk.BulkOperation;

/**
 * One bulk operation still to be done, with the Kafka record it came from (for dead-lettering and
 * for dropping work of partitions this consumer no longer owns).
 *
 * @param summary true for a trace summary update, false for a span document
 */
public record PendingAction(
    ConsumerRecord<byte[], byte[]> origin,
    String index,
    String id,
    boolean summary,
    BulkOperation operation) {
  public PendingAction {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(index, "index");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(operation, "operation");
  }
}
