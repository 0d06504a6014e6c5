package io.spanline.storage;

import io.spanline.schemas.model.TraceId;
import java.util.List;
import java.util.Objects;

/**
 * A condition on one span, in model terms, for {@link TraceSearch#findCandidateTraceIds}: what a
 * query language (TraceQL) pushes down to a store before it evaluates the rest on whole traces.
 * Every condition is exact; a caller that cannot express part of its query leaves it out (or uses
 * {@link #ANY}) and so asks for a superset.
 */
public sealed interface SpanCondition
    permits SpanCondition.Any,
        SpanCondition.AllOf,
        SpanCondition.AnyOf,
        SpanCondition.Compare,
        SpanCondition.Root,
        SpanCondition.AttributeEquals,
        SpanCondition.HasAttribute,
        SpanCondition.LinksTo {

  /** Every span. */
  SpanCondition ANY = new Any();

  /** Every span. */
  record Any() implements SpanCondition {}

  /** All of the conditions hold on the span; none given holds always. */
  record AllOf(List<SpanCondition> conditions) implements SpanCondition {
    public AllOf {
      conditions = List.copyOf(conditions);
    }
  }

  /** At least one of the conditions holds on the span; none given never holds. */
  record AnyOf(List<SpanCondition> conditions) implements SpanCondition {
    public AnyOf {
      conditions = List.copyOf(conditions);
    }
  }

  /** The span's own fields that a condition can compare. */
  enum Field {
    /** The span name, a string. */
    NAME,
    /** {@code service.name} of the span's resource, a string. */
    SERVICE,
    /** The span kind as {@link io.spanline.schemas.model.SpanKind#name()}, e.g. {@code SERVER}. */
    KIND,
    /**
     * The status code as {@link io.spanline.schemas.model.StatusCode#name()}, e.g. {@code ERROR}.
     */
    STATUS,
    /** End minus start, nanoseconds, a {@link Long}. */
    DURATION_NANOS,
    /** The span ID, 16 lowercase hex characters. */
    SPAN_ID,
    /** The parent span ID, 16 lowercase hex characters; a root span has none. */
    PARENT_SPAN_ID,
    /** The trace ID, 32 lowercase hex characters. */
    TRACE_ID
  }

  /** How a field compares with a value: strings compare by their UTF-16 code units. */
  enum Operator {
    EQ,
    NE,
    GT,
    GE,
    LT,
    LE
  }

  /**
   * The span's field compares with the value as the operator says. A span without the field (the
   * parent of a root span) matches no comparison.
   *
   * @param value a {@link Long} for {@link Field#DURATION_NANOS}, else a {@link String}
   * @throws IllegalArgumentException if the value's type does not fit the field
   */
  record Compare(Field field, Operator operator, Object value) implements SpanCondition {
    public Compare {
      Objects.requireNonNull(field, "field");
      Objects.requireNonNull(operator, "operator");
      Objects.requireNonNull(value, "value");
      boolean numeric = field == Field.DURATION_NANOS;
      if (numeric != (value instanceof Long) || (!numeric && !(value instanceof String))) {
        throw new IllegalArgumentException(
            field + " compares with a " + (numeric ? "Long" : "String") + ", not " + value);
      }
    }
  }

  /** The span has no parent. */
  record Root() implements SpanCondition {}

  /**
   * The span, its events, links, resource or scope carry the attribute with this value in its
   * string form ({@link io.spanline.schemas.model.AnyValue#asText()}). Only keys a store lists in
   * {@link TraceSearch#attributeKeys} can match.
   */
  record AttributeEquals(String key, String text) implements SpanCondition {
    public AttributeEquals {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(text, "text");
    }
  }

  /**
   * The span, its events, links, resource or scope carry the attribute, whatever its value. Only
   * keys a store lists in {@link TraceSearch#attributeKeys} can match.
   */
  record HasAttribute(String key) implements SpanCondition {
    public HasAttribute {
      Objects.requireNonNull(key, "key");
    }
  }

  /** The span has a link to this trace. */
  record LinksTo(TraceId traceId) implements SpanCondition {
    public LinksTo {
      Objects.requireNonNull(traceId, "traceId");
    }
  }
}
