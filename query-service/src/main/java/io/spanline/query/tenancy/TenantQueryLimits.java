package io.spanline.query.tenancy;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.RequestContext;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.SimpleDecoratingHttpService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.AttributeKey;
import io.spanline.query.api.Responses;
import io.spanline.service.tenancy.TenantLimitsFile;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The query side of the tenant-limits file, as an Armeria decorator of the API routes ({@code
 * /v1/}, {@code /api/}, {@code /jaeger/api/}; the web UI's static files are not limited):
 *
 * <ul>
 *   <li>{@code query-concurrency}: API requests of one tenant running at once on this instance; one
 *       more is answered 429 with a JSON error body (counted in {@code
 *       spanline_query_requests_refused_total{tenant,reason="concurrency"}});
 *   <li>{@code query-max-results}: the most traces one search returns; a larger {@code limit}
 *       parameter (native, Jaeger, Tempo searches and the insights' per-side limit) is lowered to
 *       it, as is the default ({@link #capResults}; counted in {@code
 *       spanline_query_results_capped_total{tenant}}).
 * </ul>
 *
 * A request whose tenant cannot be resolved (no or a bad key, a bad {@code X-Scope-OrgID}) passes
 * through to be refused by the API itself. The file is read at each request, so a reload applies to
 * the next request; a changed concurrency starts a new count for the tenant (requests running keep
 * their permit on the old one).
 */
public final class TenantQueryLimits {
  private static final AttributeKey<Long> MAX_RESULTS =
      AttributeKey.valueOf(TenantQueryLimits.class, "maxResults");
  private static final AttributeKey<Counter> CAPPED =
      AttributeKey.valueOf(TenantQueryLimits.class, "capped");

  private static final List<String> API_PREFIXES = List.of("/v1/", "/api/", "/jaeger/api/");

  private record Permits(long limit, Semaphore semaphore) {}

  private final RequestTenants tenants;
  private final Supplier<TenantLimitsFile> file;
  private final MeterRegistry registry;
  private final Map<String, Permits> permits = new ConcurrentHashMap<>();

  public TenantQueryLimits(
      RequestTenants tenants, Supplier<TenantLimitsFile> file, MeterRegistry registry) {
    this.tenants = tenants;
    this.file = file;
    this.registry = registry;
  }

  /** The decorator to install on the server. */
  public Function<? super HttpService, ? extends HttpService> decorator() {
    return delegate ->
        new SimpleDecoratingHttpService(delegate) {
          @Override
          public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) throws Exception {
            return limit((HttpService) unwrap(), ctx, req);
          }
        };
  }

  private HttpResponse limit(HttpService delegate, ServiceRequestContext ctx, HttpRequest req)
      throws Exception {
    String path = ctx.path();
    if (API_PREFIXES.stream().noneMatch(path::startsWith)) {
      return delegate.serve(ctx, req);
    }
    String tenant;
    try {
      tenant = tenants.tenant(req.headers());
    } catch (RuntimeException e) {
      return delegate.serve(ctx, req); // the API answers 401 / 400 itself
    }
    TenantLimitsFile.Limits limits = file.get().forTenant(tenant);
    if (limits.queryMaxResults().isPresent()) {
      ctx.setAttr(MAX_RESULTS, limits.queryMaxResults().getAsLong());
      ctx.setAttr(CAPPED, registry.counter("spanline.query.results.capped", "tenant", tenant));
    }
    OptionalLong concurrency = limits.queryConcurrency();
    if (concurrency.isEmpty()) {
      return delegate.serve(ctx, req);
    }
    long limit = concurrency.getAsLong();
    Permits p =
        permits.compute(
            tenant,
            (t, old) ->
                old != null && old.limit() == limit
                    ? old
                    : new Permits(limit, new Semaphore((int) Math.min(Integer.MAX_VALUE, limit))));
    Semaphore semaphore = p.semaphore();
    if (!semaphore.tryAcquire()) {
      registry
          .counter("spanline.query.requests.refused", "tenant", tenant, "reason", "concurrency")
          .increment();
      return Responses.error(
          HttpStatus.TOO_MANY_REQUESTS,
          "tenant "
              + tenant
              + " has "
              + limit
              + " queries running, its query-concurrency; retry when one has finished");
    }
    // released when the request's log completes: answered, failed or cancelled
    ctx.log().whenComplete().thenRun(semaphore::release);
    return delegate.serve(ctx, req);
  }

  /**
   * {@code requested} traces, at most the current request's tenant's {@code query-max-results}
   * (unchanged outside a request or without the key). Units: traces.
   */
  public static int capResults(int requested) {
    RequestContext ctx = RequestContext.currentOrNull();
    if (ctx == null) {
      return requested;
    }
    Long max = ctx.attr(MAX_RESULTS);
    if (max == null || requested <= max) {
      return requested;
    }
    Counter capped = ctx.attr(CAPPED);
    if (capped != null) {
      capped.increment();
    }
    return (int) (long) max;
  }
}
