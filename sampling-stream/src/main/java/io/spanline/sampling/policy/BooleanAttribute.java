package io.spanline.sampling.policy;

import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.TraceView;

/**
 * {@code boolean_attribute}: keeps a trace where a resource or span attribute {@code key} is the
 * boolean {@code value}. With {@code invert_match} a trace is kept when no resource or span
 * matches.
 */
final class BooleanAttribute implements SamplingPolicy {
  private final String key;
  private final boolean value;
  private final boolean invert;

  BooleanAttribute(String key, boolean value, boolean invert) {
    this.key = key;
    this.value = value;
    this.invert = invert;
  }

  @Override
  public Vote evaluate(TraceView trace, long nowEpochNanos) {
    boolean match =
        trace.anyAttribute(key, v -> v instanceof AnyValue.BoolValue b && b.value() == value);
    return Vote.of(match != invert);
  }
}
