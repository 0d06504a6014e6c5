package io.spanline.storage.opensearch.internal.document;

import io.spanline.schemas.model.TraceId;
import java.util.Map;
import java.util.Objects;

/**
 * What one fragment of a trace adds to the trace's summary document; applied by {@link
 * SummaryScript} as a scripted upsert, so fragments merge in any order and a fragment applied twice
 * changes nothing.
 *
 * @param id deterministic summary document ID
 * @param fragment 0 for the trace as first closed, 1, 2, … for late fragments
 * @param startEpochNanos the fragment's earliest span start, epoch nanoseconds
 * @param params the script's parameters (see {@link SummaryScript})
 */
public record TraceSummaryUpdate(
    String id,
    String tenant,
    TraceId traceId,
    int fragment,
    long startEpochNanos,
    Map<String, Object> params) {
  public TraceSummaryUpdate {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(traceId, "traceId");
    Objects.requireNonNull(params, "params");
  }
}
