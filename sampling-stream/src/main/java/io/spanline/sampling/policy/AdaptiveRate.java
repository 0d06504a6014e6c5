package io.spanline.sampling.policy;

import java.util.List;

/**
 * What one key of an {@code adaptive} policy looks like at one moment: a read-only snapshot for
 * reports (e.g. a dry run).
 *
 * @param policy the policy's name in the policy file (for a tenant's own set, {@code
 *     <tenant>/<name>})
 * @param key the key's parts in the order of the policy's {@code key} list ("" for a part the trace
 *     lacks); {@link #OTHER} for the key shared by every key past {@code max_keys}
 * @param probability the probability a trace of this key is kept with now, in (0, 1]
 * @param observedTracesPerSecond the key's moving-average rate of offered traces, traces per second
 *     of record time
 */
public record AdaptiveRate(
    String policy, List<String> key, double probability, double observedTracesPerSecond) {
  /** The key of the keys past {@code max_keys}, which share one rate. */
  public static final List<String> OTHER = List.of("(other)");

  public AdaptiveRate {
    key = List.copyOf(key);
  }
}
