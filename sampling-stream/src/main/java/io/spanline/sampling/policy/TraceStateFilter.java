package io.spanline.sampling.policy;

import io.spanline.schemas.model.TraceView;
import java.util.Set;

/**
 * {@code trace_state}: keeps a trace with a span whose W3C {@code tracestate} has list member
 * {@code key} with one of {@code values} (W3C Trace Context §3.3: comma-separated {@code key=value}
 * members, optional spaces and tabs around them).
 */
final class TraceStateFilter implements SamplingPolicy {
  private final String key;
  private final Set<String> values;

  TraceStateFilter(String key, Set<String> values) {
    this.key = key;
    this.values = Set.copyOf(values);
  }

  @Override
  public Vote evaluate(TraceView trace, long nowEpochNanos) {
    for (int i = 0; i < trace.spanCount(); i++) {
      String ts = trace.traceState(i);
      String value = ts.isEmpty() ? null : memberValue(ts, key);
      if (value != null && values.contains(value)) {
        return Vote.SAMPLED;
      }
    }
    return Vote.NOT_SAMPLED;
  }

  /** The value of list member {@code key} in a tracestate header, or null when absent. */
  static String memberValue(String traceState, String key) {
    for (String member : traceState.split(",")) {
      String m = member.strip();
      int eq = m.indexOf('=');
      if (eq > 0 && m.substring(0, eq).equals(key)) {
        return m.substring(eq + 1);
      }
    }
    return null;
  }
}
