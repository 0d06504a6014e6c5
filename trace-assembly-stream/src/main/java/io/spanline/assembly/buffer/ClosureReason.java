package io.spanline.assembly.buffer;

import java.util.Locale;

/** Why a trace (or late fragment) was closed; the {@code reason} tag of the closure metrics. */
public enum ClosureReason {
  /** No span arrived for {@code trace.idle.timeout.ms}. */
  IDLE,
  /** {@code trace.max.duration.ms} passed since its first span arrived. */
  MAX_DURATION,
  /** It reached {@code trace.max.spans}. */
  MAX_SPANS,
  /** Its buffered bytes reached {@code trace.max.bytes}. */
  MAX_BYTES,
  /** The instance held more than {@code trace.max.open} open traces; it was due soonest. */
  OVERLOAD,
  /**
   * Its tenant held more than its {@code max-open-traces} or {@code max-buffered-bytes} (the
   * tenant-limits file) on the instance; it was the tenant's trace due soonest.
   */
  TENANT_LIMIT;

  /** The metric tag value, e.g. {@code max_duration}. */
  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
