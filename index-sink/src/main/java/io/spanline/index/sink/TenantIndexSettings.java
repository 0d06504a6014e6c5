package io.spanline.index.sink;

import io.spanline.service.tenancy.TenantLimitsFile;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * What the index sink applies per tenant from the tenant-limits file, over its own settings: the
 * attribute keys indexed ({@code indexed-attributes}, else {@code index.attributes}) and how far
 * back span starts are accepted ({@code hot-retention-days}, at most {@code retention.days}).
 * Answers are cached until the file in force changes (a reload), so a changed list applies to the
 * traces mapped after it. Thread-safe.
 */
public final class TenantIndexSettings {
  /** Tenants cached at most; beyond it the cache starts again (bounds hostile tenant IDs). */
  static final int MAX_CACHED_TENANTS = 10_000;

  private final Supplier<TenantLimitsFile> limits;
  private final Set<String> allowlist;
  private final Duration retention;
  private volatile Cache cache;

  private record Cache(TenantLimitsFile file, Map<String, Set<String>> allowlists) {}

  /**
   * @param limits the tenant limits in force (e.g. a reloading file)
   * @param allowlist the sink's {@code index.attributes}: for tenants the file gives no list
   * @param retention the sink's {@code retention.days}: the longest any tenant keeps
   */
  public TenantIndexSettings(
      Supplier<TenantLimitsFile> limits, Set<String> allowlist, Duration retention) {
    this.limits = Objects.requireNonNull(limits, "limits");
    this.allowlist = Set.copyOf(allowlist);
    this.retention = Objects.requireNonNull(retention, "retention");
  }

  /** The attribute keys indexed for {@code tenant} ({@code *} for every key). */
  public Set<String> allowlist(String tenant) {
    TenantLimitsFile file = limits.get();
    Cache c = cache;
    if (c == null || c.file() != file || c.allowlists().size() >= MAX_CACHED_TENANTS) {
      c = new Cache(file, new ConcurrentHashMap<>());
      cache = c;
    }
    return c.allowlists()
        .computeIfAbsent(tenant, t -> file.forTenant(t).indexedAttributes().orElse(allowlist));
  }

  /** Tenants whose allowlist is cached now. */
  int cachedTenants() {
    Cache c = cache;
    return c == null ? 0 : c.allowlists().size();
  }

  /** How long back span starts of {@code tenant} are indexed: its hot retention. */
  public Duration retention(String tenant) {
    long days = limits.get().forTenant(tenant).hotRetentionDays().orElse(Long.MAX_VALUE);
    return days < retention.toDays() ? Duration.ofDays(days) : retention;
  }
}
