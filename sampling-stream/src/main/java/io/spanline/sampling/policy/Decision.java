package io.spanline.sampling.policy;

/**
 * What one policy says about one trace. The values and their names follow the OpenTelemetry
 * Collector's tail-sampling processor ({@code internal/sampling/policy.go}); since the Collector
 * removed its "invert decisions" (v0.152), {@code invert_match} yields plain {@link #SAMPLED} or
 * {@link #NOT_SAMPLED}, and so it does here. How decisions combine is in {@link SamplingPolicies}.
 */
enum Decision {
  /** The policy keeps the trace. */
  SAMPLED,
  /** The policy does not keep the trace (another policy still may). */
  NOT_SAMPLED,
  /** The trace must not be kept, whatever other policies say ({@code drop} policies). */
  DROPPED
}
