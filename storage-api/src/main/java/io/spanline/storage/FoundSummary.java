package io.spanline.storage;

import io.spanline.schemas.model.TraceId;
import java.util.List;
import java.util.Objects;

/**
 * One trace a summary search found, with the facts of its summary: the trace's root (or, while the
 * root has not arrived, its earliest span) and the totals over every fragment stored so far.
 *
 * @param rootServiceName the root span's {@code service.name}; "" when unknown
 * @param rootSpanName the root span's name
 * @param startEpochNanos the trace's earliest span start, epoch nanoseconds
 * @param durationNanos from that start to the latest span end, nanoseconds
 * @param spanCount spans stored
 * @param error whether any span has status ERROR
 * @param services the distinct service names, sorted
 * @param debug whether the trace was kept by the debug switch: its sampling decision names the
 *     policy {@code debug} (the sampling stream's debug attribute, set by the gateway's {@code
 *     spanline-debug} header or the {@code spanline.debug} baggage entry copied into spans)
 */
public record FoundSummary(
    TraceId traceId,
    String rootServiceName,
    String rootSpanName,
    long startEpochNanos,
    long durationNanos,
    int spanCount,
    boolean error,
    List<String> services,
    boolean debug) {
  public FoundSummary {
    Objects.requireNonNull(traceId, "traceId");
    Objects.requireNonNull(rootServiceName, "rootServiceName");
    Objects.requireNonNull(rootSpanName, "rootSpanName");
    services = List.copyOf(services);
  }

  /** The sampling policy name of a decision forced by the debug switch. */
  public static final String DEBUG_POLICY = "debug";
}
