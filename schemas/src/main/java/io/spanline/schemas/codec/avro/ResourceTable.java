package io.spanline.schemas.codec.avro;

import io.spanline.schemas.model.Resource;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The distinct resources of one trace's spans, numbered in the order the spans first name them:
 * {@code AssembledTrace.resources}, which each span points into with {@code Span.resourceIndex}.
 * Two resources are the same entry when their Avro bytes are equal, the rule every writer of the
 * schema follows (the OTLP transcoder compares bytes too), so all writers number alike. Not
 * thread-safe; one per trace written.
 */
final class ResourceTable {
  private final Map<Resource, Integer> indexByInstance = new IdentityHashMap<>();
  private final Map<ByteBuffer, Integer> indexByBytes = new HashMap<>();
  private final List<byte[]> entries = new ArrayList<>();

  /**
   * The entry of {@code resource}, added at the end when no equal one is there yet. Spans of one
   * export share their resource instance, so each instance is encoded and compared once.
   */
  int indexOf(Resource resource) {
    Integer index = indexByInstance.get(resource);
    if (index == null) {
      byte[] bytes = AvroTraceWriter.encode(resource);
      index = indexByBytes.putIfAbsent(ByteBuffer.wrap(bytes), entries.size());
      if (index == null) {
        index = entries.size();
        entries.add(bytes);
      }
      indexByInstance.put(resource, index);
    }
    return index;
  }

  /** The entries' Avro bytes ({@code Resource} records), in index order. */
  List<byte[]> entries() {
    return entries;
  }
}
