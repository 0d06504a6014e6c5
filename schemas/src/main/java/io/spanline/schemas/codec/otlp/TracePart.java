package io.spanline.schemas.codec.otlp;

import io.spanline.schemas.model.TraceId;
import java.util.Objects;

/**
 * Spans of one trace encoded as OTLP {@code TracesData} protobuf, with the resource and scope of
 * each span kept: what one {@code otlp_spans} Kafka record holds.
 */
public final class TracePart {
  private final TraceId traceId;
  private final byte[] tracesData;
  private final int spanCount;

  TracePart(TraceId traceId, byte[] tracesData, int spanCount) {
    this.traceId = Objects.requireNonNull(traceId, "traceId");
    this.tracesData = Objects.requireNonNull(tracesData, "tracesData");
    this.spanCount = spanCount;
  }

  public TraceId traceId() {
    return traceId;
  }

  /** The encoded {@code TracesData}; the array is not copied, callers must not change it. */
  public byte[] tracesData() {
    return tracesData;
  }

  public int spanCount() {
    return spanCount;
  }

  /** Size of {@link #tracesData()} in bytes. */
  public int sizeBytes() {
    return tracesData.length;
  }

  @Override
  public String toString() {
    return "TracePart[" + traceId + ", " + spanCount + " spans, " + tracesData.length + " bytes]";
  }
}
