package io.spanline.storage;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A trace search, with Jaeger's semantics: every condition (service, operation, attributes, status,
 * link target, duration) must hold on one span of the trace, and that span must start within the
 * time range. Attribute values match the attribute's string form whatever its type, on the span,
 * its events, links, resource or scope. Times are epoch nanoseconds; durations nanoseconds.
 *
 * @param service the span's service; "" for any (the native API; Jaeger's requires one)
 * @param operation span name; empty for any
 * @param attributes key → value in string form; all must match on the same span
 * @param spanStatus the span's status code ({@code OK}, {@code ERROR}, {@code UNSET}); empty for
 *     any
 * @param linkedTo the span links to this trace (and span); empty for any
 * @param limit at most this many traces, the most recent (by the matching span's start) first
 */
public record TraceQuery(
    String service,
    Optional<String> operation,
    Map<String, String> attributes,
    Optional<String> spanStatus,
    Optional<LinkTarget> linkedTo,
    long startMinEpochNanos,
    long startMaxEpochNanos,
    Optional<Long> durationMinNanos,
    Optional<Long> durationMaxNanos,
    int limit) {
  /**
   * @throws IllegalArgumentException if the time range or duration range is inverted, a duration is
   *     negative or the limit is not positive
   */
  public TraceQuery {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(operation, "operation");
    attributes = Map.copyOf(attributes);
    Objects.requireNonNull(spanStatus, "spanStatus");
    Objects.requireNonNull(linkedTo, "linkedTo");
    Objects.requireNonNull(durationMinNanos, "durationMinNanos");
    Objects.requireNonNull(durationMaxNanos, "durationMaxNanos");
    if (startMinEpochNanos > startMaxEpochNanos) {
      throw new IllegalArgumentException("the start of the time range is after its end");
    }
    if (durationMinNanos.orElse(0L) < 0 || durationMaxNanos.orElse(0L) < 0) {
      throw new IllegalArgumentException("durations must not be negative");
    }
    if (durationMinNanos.isPresent()
        && durationMaxNanos.isPresent()
        && durationMinNanos.get() > durationMaxNanos.get()) {
      throw new IllegalArgumentException("the minimum duration is above the maximum");
    }
    if (limit < 1) {
      throw new IllegalArgumentException("the limit must be positive, was " + limit);
    }
  }

  /**
   * A query without a link condition.
   *
   * @throws IllegalArgumentException as the canonical constructor does
   */
  public TraceQuery(
      String service,
      Optional<String> operation,
      Map<String, String> attributes,
      Optional<String> spanStatus,
      long startMinEpochNanos,
      long startMaxEpochNanos,
      Optional<Long> durationMinNanos,
      Optional<Long> durationMaxNanos,
      int limit) {
    this(
        service,
        operation,
        attributes,
        spanStatus,
        Optional.empty(),
        startMinEpochNanos,
        startMaxEpochNanos,
        durationMinNanos,
        durationMaxNanos,
        limit);
  }

  /** Builds a query of a service's spans in a time range; the rest is optional. */
  public static final class Builder {
    private final String service;
    private final TimeRange range;
    private Optional<String> operation = Optional.empty();
    private final Map<String, String> attributes = new java.util.LinkedHashMap<>();
    private Optional<String> spanStatus = Optional.empty();
    private Optional<LinkTarget> linkedTo = Optional.empty();
    private Optional<Long> durationMinNanos = Optional.empty();
    private Optional<Long> durationMaxNanos = Optional.empty();
    private int limit = 20;

    /**
     * @param service the span's service; "" for any
     * @param range where the matching span started
     */
    public Builder(String service, TimeRange range) {
      this.service = Objects.requireNonNull(service, "service");
      this.range = Objects.requireNonNull(range, "range");
    }

    public Builder operation(String name) {
      this.operation = Optional.of(name);
      return this;
    }

    public Builder attribute(String key, String value) {
      attributes.put(key, value);
      return this;
    }

    /** {@code OK}, {@code ERROR} or {@code UNSET}. */
    public Builder spanStatus(String code) {
      this.spanStatus = Optional.of(code);
      return this;
    }

    /** The span links to this trace (and span). */
    public Builder linkedTo(LinkTarget target) {
      this.linkedTo = Optional.of(target);
      return this;
    }

    public Builder durationMin(long nanos) {
      this.durationMinNanos = Optional.of(nanos);
      return this;
    }

    public Builder durationMax(long nanos) {
      this.durationMaxNanos = Optional.of(nanos);
      return this;
    }

    /** At most this many traces; 20 unless set. */
    public Builder limit(int limit) {
      this.limit = limit;
      return this;
    }

    /**
     * @throws IllegalArgumentException as {@link TraceQuery}'s constructor does
     */
    public TraceQuery build() {
      return new TraceQuery(
          service,
          operation,
          attributes,
          spanStatus,
          linkedTo,
          range.fromEpochNanos(),
          range.toEpochNanos(),
          durationMinNanos,
          durationMaxNanos,
          limit);
    }
  }
}
