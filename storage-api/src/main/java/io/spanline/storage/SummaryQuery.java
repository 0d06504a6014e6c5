package io.spanline.storage;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A search over whole traces (the native {@code /v1/traces/search}): the trace's start within the
 * range, and — unlike Jaeger's search — the duration and error conditions on the whole trace (root
 * start to last end, any span failed). Service matches any service of the trace (with an operation,
 * the service of that operation's span). Operation, attributes, span status and link target match
 * spans (all of them on one span). Times are epoch nanoseconds.
 *
 * @param error present to ask for traces with (true) or without (false) a failed span
 * @param spanStatus a span condition: a span with this status code ({@code OK}, {@code ERROR},
 *     {@code UNSET})
 * @param linkedTo a span condition: a span with a link to this trace (and span); on the same span
 *     as the operation, attribute and span status conditions
 */
public record SummaryQuery(
    Optional<String> service,
    Optional<String> operation,
    Optional<Boolean> error,
    Optional<Long> minDurationNanos,
    Optional<Long> maxDurationNanos,
    Map<String, String> attributes,
    Optional<String> spanStatus,
    Optional<LinkTarget> linkedTo,
    long fromEpochNanos,
    long toEpochNanos,
    int limit) {
  public SummaryQuery {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(error, "error");
    Objects.requireNonNull(minDurationNanos, "minDurationNanos");
    Objects.requireNonNull(maxDurationNanos, "maxDurationNanos");
    attributes = Map.copyOf(attributes);
    Objects.requireNonNull(spanStatus, "spanStatus");
    Objects.requireNonNull(linkedTo, "linkedTo");
  }

  /** A search without a link condition. */
  public SummaryQuery(
      Optional<String> service,
      Optional<String> operation,
      Optional<Boolean> error,
      Optional<Long> minDurationNanos,
      Optional<Long> maxDurationNanos,
      Map<String, String> attributes,
      Optional<String> spanStatus,
      long fromEpochNanos,
      long toEpochNanos,
      int limit) {
    this(
        service,
        operation,
        error,
        minDurationNanos,
        maxDurationNanos,
        attributes,
        spanStatus,
        Optional.empty(),
        fromEpochNanos,
        toEpochNanos,
        limit);
  }

  /**
   * Whether span-level conditions (operation, attributes, span status, link target) narrow the
   * traces first.
   */
  public boolean hasSpanConditions() {
    return operation.isPresent()
        || !attributes.isEmpty()
        || spanStatus.isPresent()
        || linkedTo.isPresent();
  }
}
