package io.spanline.sampling.policy;

import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.TraceView;

/**
 * {@code numeric_attribute}: keeps a trace where a resource or span attribute {@code key} holds an
 * integer (or double) within {@code [min_value, max_value]}, both inclusive; an unset bound is
 * open. With {@code invert_match} a trace is kept when no resource or span matches.
 */
final class NumericAttribute implements SamplingPolicy {
  private final String key;
  private final double min;
  private final double max;
  private final boolean invert;

  NumericAttribute(String key, double min, double max, boolean invert) {
    this.key = key;
    this.min = min;
    this.max = max;
    this.invert = invert;
  }

  @Override
  public Vote evaluate(TraceView trace, long nowEpochNanos) {
    boolean match = trace.anyAttribute(key, this::inRange);
    return Vote.of(match != invert);
  }

  private boolean inRange(AnyValue v) {
    if (v instanceof AnyValue.LongValue l) {
      return l.value() >= min && l.value() <= max;
    }
    if (v instanceof AnyValue.DoubleValue d) {
      return d.value() >= min && d.value() <= max;
    }
    return false;
  }
}
