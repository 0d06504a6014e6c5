package io.spanline.sampling.policy;

import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.TraceView;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * {@code string_attribute}: keeps a trace where a resource or span attribute {@code key} holds a
 * string equal to one of {@code values}, or, with {@code enabled_regex_matching}, containing a
 * match of one of them (Go's {@code regexp.MatchString} semantics: a match anywhere, anchor with
 * {@code ^…$} for a whole-value match). With {@code invert_match} a trace is kept when no resource
 * or span matches (a trace without the key is kept).
 */
final class StringAttribute implements SamplingPolicy {
  private final String key;
  private final Predicate<AnyValue> test;
  private final boolean invert;

  StringAttribute(String key, List<String> values, boolean regex, boolean invert) {
    this.key = key;
    this.invert = invert;
    if (regex) {
      List<Pattern> patterns = values.stream().map(Pattern::compile).toList();
      this.test =
          v ->
              v instanceof AnyValue.StringValue s
                  && patterns.stream().anyMatch(p -> p.matcher(s.value()).find());
    } else {
      Set<String> set = Set.copyOf(values);
      this.test = v -> v instanceof AnyValue.StringValue s && set.contains(s.value());
    }
  }

  @Override
  public Vote evaluate(TraceView trace, long nowEpochNanos) {
    boolean match = trace.anyAttribute(key, test);
    return Vote.of(match != invert);
  }
}
