package io.spanline.assembly.buffer;

import io.spanline.assembly.config.ShedSettings;
import io.spanline.schemas.model.TraceShedding;
import java.util.Map;

/**
 * The shedding level of the assembly stream, shared by the trace buffers of every task on the
 * instance. While a bound fills past {@code shed.open-fraction} — the instance's {@code
 * trace.max.open} or {@code trace.max.open.bytes}, or a tenant's {@code max-open-traces} or {@code
 * max-buffered-bytes} — a new trace (its first span arriving) is shed unless {@link
 * TraceShedding#keeps} keeps it at the level ({@link TraceShedding#level(double, double)} of the
 * fill), or it has an error span or a debug mark. The fill of a bound is measured as the overload
 * guard enforces it ({@link OpenTraceBounds#fill}): a task sheds only while the instance is past
 * the fraction and the task holds past that fraction of its fair share, so a burst on one partition
 * sheds that partition's new traces. A tenant's level is the larger of the instance's and its own.
 * Each task holds a raised level for an idle timeout before letting it fall by one ({@link
 * HeldLevel}). Thread-safe.
 */
final class TraceShedder {
  private final ShedSettings settings;
  private final OpenTraceBounds bounds;
  private final TenantBounds tenantBounds;

  TraceShedder(ShedSettings settings, OpenTraceBounds bounds, TenantBounds tenantBounds) {
    this.settings = settings;
    this.bounds = bounds;
    this.tenantBounds = tenantBounds;
  }

  boolean enabled() {
    return settings.enabled();
  }

  String debugAttribute() {
    return settings.debugAttribute();
  }

  /**
   * The level the instance's bounds call for now, for a task holding {@code taskOpen} traces of
   * {@code taskBytes} bytes; 0 when shedding is off.
   */
  int instanceLevel(long taskOpen, long taskBytes) {
    return settings.enabled()
        ? TraceShedding.level(bounds.fill(taskOpen, taskBytes), settings.openFraction())
        : 0;
  }

  /**
   * The level {@code tenant}'s own bounds call for now, for a task holding {@code tenantOpen} of
   * its traces of {@code tenantBytes} bytes; 0 when shedding is off or the tenant has no bound.
   */
  int tenantLevel(String tenant, long tenantOpen, long tenantBytes) {
    return settings.enabled()
        ? TraceShedding.level(
            tenantBounds.fill(tenant, tenantOpen, tenantBytes), settings.openFraction())
        : 0;
  }

  /**
   * The instance's level, for a task holding its fair share: the {@code
   * spanline_assembly_shed_level} gauge.
   */
  int instanceLevel() {
    return settings.enabled()
        ? TraceShedding.level(bounds.instanceFill(), settings.openFraction())
        : 0;
  }

  /**
   * One line for {@code /readyz}, "" when nothing is shed: the instance's level with its figures,
   * then each tenant shedding at a higher level than the instance.
   */
  String describe() {
    if (!settings.enabled()) {
      return "";
    }
    int level = instanceLevel();
    StringBuilder out = new StringBuilder();
    if (level > 0) {
      out.append("shedding: keeping 1/")
          .append(TraceShedding.adjustedCount(level))
          .append(" of new traces (and every trace with an error span or a debug mark); ")
          .append(bounds.openTraces())
          .append(" of ")
          .append(bounds.maxOpen())
          .append(" open traces, ")
          .append(bounds.bufferedBytes())
          .append(" of ")
          .append(bounds.maxBytes())
          .append(" buffered bytes");
    }
    for (Map.Entry<String, Double> t : tenantBounds.instanceFills().entrySet()) {
      int own = TraceShedding.level(t.getValue(), settings.openFraction());
      if (own > level) {
        out.append(out.length() == 0 ? "shedding: " : "; ")
            .append("tenant ")
            .append(t.getKey())
            .append(" keeping 1/")
            .append(TraceShedding.adjustedCount(own))
            .append(" of new traces (")
            .append(Math.round(t.getValue() * 100))
            .append(" % of its max-open-traces or max-buffered-bytes)");
      }
    }
    return out.toString();
  }
}
