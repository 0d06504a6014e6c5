package io.spanline.assembly.config;

import java.util.Objects;

/**
 * Overload shedding in the assembly stream ({@code shed.*}): while the instance, or a tenant, fills
 * more than {@code openFraction} of its open-trace or buffered-byte bound, new traces are shed by
 * the shared trace-ID rule ({@code TraceShedding} in schemas), keeping every trace with an error
 * span or a debug mark.
 *
 * @param enabled {@code shed.enabled}: whether new traces are shed at all (if not, the bounds are
 *     only enforced by closing traces early)
 * @param openFraction {@code shed.open-fraction}: the share of a bound from which shedding starts,
 *     in (0, 1)
 * @param debugAttribute {@code debug.attribute}: the span or resource attribute that marks a trace
 *     for debugging (never shed)
 */
public record ShedSettings(boolean enabled, double openFraction, String debugAttribute) {
  public ShedSettings {
    Objects.requireNonNull(debugAttribute, "debugAttribute");
    if (!(openFraction > 0 && openFraction < 1)) {
      throw new IllegalArgumentException(
          "Invalid value for property shed.open-fraction="
              + openFraction
              + ". Must be above 0 and below 1.");
    }
    if (debugAttribute.isBlank()) {
      throw new IllegalArgumentException(
          "Invalid value for property debug.attribute=\""
              + debugAttribute
              + "\". Must not be empty.");
    }
  }

  /** Shedding off (the default). */
  public static ShedSettings off() {
    return new ShedSettings(false, 0.8, "spanline.debug");
  }
}
