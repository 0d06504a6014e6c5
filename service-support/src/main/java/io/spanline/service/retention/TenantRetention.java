package io.spanline.service.retention;

import io.spanline.service.tenancy.TenantLimitsFile;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A {@link DailyRetention} that the tenant-limits file may shorten per tenant ({@code
 * hot-retention-days} or {@code cold-retention-days}): a tenant keeps {@code min(its days, the
 * global days)} whole UTC days, today included. The global retention is the maximum: a tenant's
 * longer value is lowered to it, since the stores delete whole days at the global retention anyway.
 * Reads the file anew on each call, so a reload applies at the next run.
 */
public final class TenantRetention {
  private final DailyRetention global;
  private final Supplier<TenantLimitsFile> limits;
  private final Function<TenantLimitsFile.Limits, OptionalLong> days;

  /**
   * @param global the service's own retention ({@code retention.days}), at least one day
   * @param limits the tenant limits in force
   * @param days the key of the file that shortens it, e.g. {@code Limits::hotRetentionDays}
   * @throws IllegalArgumentException if the global retention is shorter than a day
   */
  public TenantRetention(
      Duration global,
      Clock clock,
      Supplier<TenantLimitsFile> limits,
      Function<TenantLimitsFile.Limits, OptionalLong> days) {
    this.global = new DailyRetention(global, clock);
    this.limits = Objects.requireNonNull(limits, "limits");
    this.days = Objects.requireNonNull(days, "days");
  }

  /** The global retention's first day kept: every tenant's data of earlier days has expired. */
  public LocalDate firstDayKept() {
    return global.firstDayKept();
  }

  /** The first day {@code tenant} keeps: never earlier than {@link #firstDayKept()}. */
  public LocalDate firstDayKept(String tenant) {
    return firstDayKept(days.apply(limits.get().forTenant(tenant)));
  }

  /**
   * What a run deletes beyond the global retention, from the file in force now.
   *
   * @return the plan; empty maps and no {@code others} when no tenant keeps less than the global
   */
  public Plan plan() {
    TenantLimitsFile file = limits.get();
    LocalDate globalFirst = firstDayKept();
    Map<String, LocalDate> shortened = new LinkedHashMap<>();
    Set<String> ownValue = new LinkedHashSet<>();
    file.overrides()
        .forEach(
            (tenant, own) -> {
              OptionalLong d = days.apply(own);
              if (d.isPresent()) {
                ownValue.add(tenant);
                LocalDate first = firstDayKept(d);
                if (first.isAfter(globalFirst)) {
                  shortened.put(tenant, first);
                }
              }
            });
    LocalDate othersFirst = firstDayKept(days.apply(file.defaults()));
    return new Plan(
        globalFirst,
        shortened,
        othersFirst.isAfter(globalFirst) ? Optional.of(othersFirst) : Optional.empty(),
        ownValue);
  }

  private LocalDate firstDayKept(OptionalLong tenantDays) {
    LocalDate globalFirst = global.firstDayKept();
    if (tenantDays.isEmpty() || tenantDays.getAsLong() >= global.retention().toDays()) {
      return globalFirst;
    }
    return globalFirst.plusDays(global.retention().toDays() - tenantDays.getAsLong());
  }

  /**
   * One run's deletions beyond the global retention.
   *
   * @param globalFirstKept days before it go whole (indices, every tenant's folders)
   * @param shortened tenant → its first day kept, for each tenant whose own override keeps fewer
   *     days than the global
   * @param others the first day kept of every tenant without its own value, when the file's {@code
   *     defaults} keep fewer days than the global
   * @param ownValue the tenants whose override sets the key themselves (with a shorter, equal or
   *     longer value): not among {@code others}
   */
  public record Plan(
      LocalDate globalFirstKept,
      Map<String, LocalDate> shortened,
      Optional<LocalDate> others,
      Set<String> ownValue) {
    public Plan {
      shortened = Map.copyOf(shortened);
      ownValue = Set.copyOf(ownValue);
    }
  }
}
