package io.spanline.assembly.buffer;

import io.spanline.service.tenancy.TenantLimitsFile;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Per-tenant bounds of one assembly instance from the tenant-limits file: {@code max-open-traces}
 * and {@code max-buffered-bytes} per tenant on the instance, on top of the instance-wide {@link
 * OpenTraceBounds}; {@code max-spans-per-trace} and {@code max-bytes-per-trace}, which lower {@code
 * trace.max.spans} and {@code trace.max.bytes} for a tenant (never raise them: the producer's
 * largest request derives from {@code trace.max.bytes}).
 *
 * <p>Enforced by fair shares as {@link OpenTraceBounds}: while a tenant holds more than its bound
 * on the instance, a task holding more than the bound divided by the tasks running of that tenant's
 * traces closes that tenant's traces due soonest early ({@link ClosureReason#TENANT_LIMIT}). So a
 * noisy tenant's burst closes its own traces early, never another tenant's. Thread-safe: counts are
 * shared by every task of the instance, the file is read at each check (it is reloaded while the
 * stream runs).
 */
final class TenantBounds {
  private final Supplier<TenantLimitsFile> file;
  private final Map<String, AtomicLong[]> byTenant = new ConcurrentHashMap<>();
  private final AtomicInteger tasks;

  /**
   * @param tasks the tasks running on the instance (shared with {@link OpenTraceBounds})
   */
  TenantBounds(Supplier<TenantLimitsFile> file, AtomicInteger tasks) {
    this.file = file;
    this.tasks = tasks;
  }

  /** Counts {@code traces} opened (or closed, negative) and {@code bytes} buffered by a tenant. */
  void add(String tenant, long traces, long bytes) {
    AtomicLong[] c =
        byTenant.computeIfAbsent(
            tenant, t -> new AtomicLong[] {new AtomicLong(), new AtomicLong()});
    c[0].addAndGet(traces);
    c[1].addAndGet(bytes);
  }

  /** Open traces of {@code tenant} on the instance. */
  long openTraces(String tenant) {
    AtomicLong[] c = byTenant.get(tenant);
    return c == null ? 0 : c[0].get();
  }

  /** Buffered OTLP bytes of {@code tenant} on the instance. */
  long bufferedBytes(String tenant) {
    AtomicLong[] c = byTenant.get(tenant);
    return c == null ? 0 : c[1].get();
  }

  /**
   * Whether a task holding {@code taskOpen} traces of {@code taskBytes} bytes of {@code tenant}
   * must close that tenant's trace due soonest now.
   */
  boolean mustShed(String tenant, long taskOpen, long taskBytes) {
    TenantLimitsFile.Limits limits = file.get().forTenant(tenant);
    if (limits.maxOpenTraces().isEmpty() && limits.maxBufferedBytes().isEmpty()) {
      return false;
    }
    int n = Math.max(1, tasks.get());
    return OpenTraceBounds.mustShed(
        taskOpen,
        taskBytes,
        openTraces(tenant),
        bufferedBytes(tenant),
        n,
        limits.maxOpenTraces().orElse(Long.MAX_VALUE),
        limits.maxBufferedBytes().orElse(Long.MAX_VALUE));
  }

  /**
   * How full {@code tenant}'s bounds are for a task holding {@code taskOpen} of its traces of
   * {@code taskBytes} bytes, as {@link OpenTraceBounds#fill(long, long)}; 0 when the file sets no
   * bound for the tenant.
   */
  double fill(String tenant, long taskOpen, long taskBytes) {
    TenantLimitsFile.Limits limits = file.get().forTenant(tenant);
    if (limits.maxOpenTraces().isEmpty() && limits.maxBufferedBytes().isEmpty()) {
      return 0;
    }
    return OpenTraceBounds.fill(
        taskOpen,
        taskBytes,
        openTraces(tenant),
        bufferedBytes(tenant),
        Math.max(1, tasks.get()),
        limits.maxOpenTraces().orElse(Long.MAX_VALUE),
        limits.maxBufferedBytes().orElse(Long.MAX_VALUE));
  }

  /**
   * How full each tenant with a bound is on the instance, whatever the tasks hold (for {@code
   * /readyz}), by tenant; tenants without a bound or without open traces are left out.
   */
  Map<String, Double> instanceFills() {
    Map<String, Double> out = new java.util.TreeMap<>();
    byTenant.forEach(
        (tenant, c) -> {
          TenantLimitsFile.Limits limits = file.get().forTenant(tenant);
          if (c[0].get() > 0
              && (limits.maxOpenTraces().isPresent() || limits.maxBufferedBytes().isPresent())) {
            out.put(
                tenant,
                Math.max(
                    (double) c[0].get() / limits.maxOpenTraces().orElse(Long.MAX_VALUE),
                    (double) c[1].get() / limits.maxBufferedBytes().orElse(Long.MAX_VALUE)));
          }
        });
    return out;
  }

  /** The spans at which a trace of {@code tenant} closes: the file's, at most {@code instance}. */
  int maxSpans(String tenant, int instance) {
    long own = file.get().forTenant(tenant).maxSpansPerTrace().orElse(instance);
    return (int) Math.min(instance, own);
  }

  /**
   * The OTLP bytes at which a trace of {@code tenant} closes: the file's, at most {@code instance}.
   */
  long maxBytes(String tenant, long instance) {
    return Math.min(instance, file.get().forTenant(tenant).maxBytesPerTrace().orElse(instance));
  }
}
