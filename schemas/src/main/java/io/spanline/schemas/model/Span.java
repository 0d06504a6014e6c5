package io.spanline.schemas.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One span with every field of OTLP's {@code trace.v1.Span}, plus the {@link Resource} and {@link
 * InstrumentationScope} it was reported under, so a span stands alone once a request is split.
 * Immutable; lists are copied on construction. The model does not judge the data (an end before the
 * start is kept as sent); validation belongs to the gateway.
 *
 * @param parentSpanId the parent's ID, or {@code null} for a root span (OTLP sends an empty
 *     parent_span_id; an all-zero one is read as empty too)
 * @param traceState W3C tracestate; "" when absent
 * @param flags OTLP span flags (fixed32 bit pattern): W3C trace flags in bits 0-7, the
 *     parent-is-remote bits in 8-9
 * @param startEpochNanos start, epoch nanoseconds
 * @param endEpochNanos end, epoch nanoseconds
 * @param droppedAttributesCount attributes the sender dropped (OTLP uint32 bit pattern); likewise
 *     the events and links counts
 */
public record Span(
    TraceId traceId,
    SpanId spanId,
    SpanId parentSpanId,
    String traceState,
    int flags,
    String name,
    SpanKind kind,
    long startEpochNanos,
    long endEpochNanos,
    List<Attribute> attributes,
    int droppedAttributesCount,
    List<SpanEvent> events,
    int droppedEventsCount,
    List<SpanLink> links,
    int droppedLinksCount,
    Status status,
    Resource resource,
    InstrumentationScope scope) {

  public Span {
    Objects.requireNonNull(traceId, "traceId");
    Objects.requireNonNull(spanId, "spanId");
    Objects.requireNonNull(traceState, "traceState");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    attributes = List.copyOf(attributes);
    events = List.copyOf(events);
    links = List.copyOf(links);
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(scope, "scope");
  }

  /** The parent span ID, empty for a root span. */
  public Optional<SpanId> parent() {
    return Optional.ofNullable(parentSpanId);
  }

  /** True when the span has no parent. */
  public boolean isRoot() {
    return parentSpanId == null;
  }

  /** {@code endEpochNanos - startEpochNanos}, in nanoseconds. */
  public long durationNanos() {
    return endEpochNanos - startEpochNanos;
  }

  /** The resource's {@code service.name}, or "" when it has none. */
  public String serviceName() {
    return resource.serviceName();
  }

  public static Builder builder(TraceId traceId, SpanId spanId) {
    return new Builder(traceId, spanId);
  }

  /** A builder starting from this span's values. */
  public Builder toBuilder() {
    Builder b = new Builder(traceId, spanId);
    b.parentSpanId = parentSpanId;
    b.traceState = traceState;
    b.flags = flags;
    b.name = name;
    b.kind = kind;
    b.startEpochNanos = startEpochNanos;
    b.endEpochNanos = endEpochNanos;
    b.attributes.addAll(attributes);
    b.droppedAttributesCount = droppedAttributesCount;
    b.events.addAll(events);
    b.droppedEventsCount = droppedEventsCount;
    b.links.addAll(links);
    b.droppedLinksCount = droppedLinksCount;
    b.status = status;
    b.resource = resource;
    b.scope = scope;
    return b;
  }

  /** Mutable builder; defaults are OTLP's (empty text, zero counts, UNSPECIFIED kind, UNSET). */
  public static final class Builder {
    private TraceId traceId;
    private SpanId spanId;
    private SpanId parentSpanId;
    private String traceState = "";
    private int flags;
    private String name = "";
    private SpanKind kind = SpanKind.UNSPECIFIED;
    private long startEpochNanos;
    private long endEpochNanos;
    private final List<Attribute> attributes = new ArrayList<>();
    private int droppedAttributesCount;
    private final List<SpanEvent> events = new ArrayList<>();
    private int droppedEventsCount;
    private final List<SpanLink> links = new ArrayList<>();
    private int droppedLinksCount;
    private Status status = Status.UNSET;
    private Resource resource = Resource.EMPTY;
    private InstrumentationScope scope = InstrumentationScope.EMPTY;

    private Builder(TraceId traceId, SpanId spanId) {
      this.traceId = traceId;
      this.spanId = spanId;
    }

    public Builder traceId(TraceId traceId) {
      this.traceId = traceId;
      return this;
    }

    public Builder spanId(SpanId spanId) {
      this.spanId = spanId;
      return this;
    }

    public Builder parentSpanId(SpanId parentSpanId) {
      this.parentSpanId = parentSpanId;
      return this;
    }

    public Builder traceState(String traceState) {
      this.traceState = traceState;
      return this;
    }

    public Builder flags(int flags) {
      this.flags = flags;
      return this;
    }

    public Builder name(String name) {
      this.name = name;
      return this;
    }

    public Builder kind(SpanKind kind) {
      this.kind = kind;
      return this;
    }

    /** Start and end, epoch nanoseconds. */
    public Builder time(long startEpochNanos, long endEpochNanos) {
      this.startEpochNanos = startEpochNanos;
      this.endEpochNanos = endEpochNanos;
      return this;
    }

    public Builder addAttribute(Attribute attribute) {
      this.attributes.add(attribute);
      return this;
    }

    /** Replaces the attributes. */
    public Builder attributes(List<Attribute> attributes) {
      this.attributes.clear();
      this.attributes.addAll(attributes);
      return this;
    }

    public Builder droppedAttributesCount(int count) {
      this.droppedAttributesCount = count;
      return this;
    }

    public Builder addEvent(SpanEvent event) {
      this.events.add(event);
      return this;
    }

    /** Replaces the events. */
    public Builder events(List<SpanEvent> events) {
      this.events.clear();
      this.events.addAll(events);
      return this;
    }

    public Builder droppedEventsCount(int count) {
      this.droppedEventsCount = count;
      return this;
    }

    public Builder addLink(SpanLink link) {
      this.links.add(link);
      return this;
    }

    /** Replaces the links. */
    public Builder links(List<SpanLink> links) {
      this.links.clear();
      this.links.addAll(links);
      return this;
    }

    public Builder droppedLinksCount(int count) {
      this.droppedLinksCount = count;
      return this;
    }

    public Builder status(Status status) {
      this.status = status;
      return this;
    }

    public Builder resource(Resource resource) {
      this.resource = resource;
      return this;
    }

    public Builder scope(InstrumentationScope scope) {
      this.scope = scope;
      return this;
    }

    /**
     * @throws NullPointerException if a required value is missing
     */
    public Span build() {
      return new Span(
          traceId,
          spanId,
          parentSpanId,
          traceState,
          flags,
          name,
          kind,
          startEpochNanos,
          endEpochNanos,
          attributes,
          droppedAttributesCount,
          events,
          droppedEventsCount,
          links,
          droppedLinksCount,
          status,
          resource,
          scope);
    }
  }
}
