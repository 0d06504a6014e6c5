package io.spanline.sampling.policy;

import io.spanline.schemas.model.TraceView;

/**
 * One tail-sampling policy of the OpenTelemetry Collector's {@code tail_sampling} syntax (or one of
 * Spanline's extensions). Implementations are thread-safe: one instance serves every stream thread
 * of a process, so rate limits are per process.
 */
interface SamplingPolicy {
  /**
   * Decides on a whole trace (or a late fragment decided on its own).
   *
   * @param trace the trace with every span closed so far
   * @param nowEpochNanos the time rate limits count in: the trace record's timestamp, so a replay
   *     rate-limits as the live run did
   */
  Vote evaluate(TraceView trace, long nowEpochNanos);
}
