package io.spanline.query.tenancy;

import com.linecorp.armeria.common.RequestContext;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.netty.util.AttributeKey;
import io.spanline.query.api.Responses.BadParameter;
import io.spanline.query.api.Responses.Unauthenticated;
import io.spanline.service.logging.LogContext;
import io.spanline.service.tenancy.TenantResolver;
import java.util.List;

/**
 * The tenant of an API request, by the rules of {@link TenantResolver}: the API key's tenant with
 * authentication on, else {@code X-Scope-OrgID} or {@code default}. Every query is then filtered by
 * that tenant on the server.
 */
public final class RequestTenants {
  /** The tenant resolved for the current request, for its log lines. */
  private static final AttributeKey<String> TENANT =
      AttributeKey.valueOf(RequestTenants.class, "tenant");

  /** Path parameters that name a trace in the native, Jaeger and Tempo APIs. */
  private static final List<String> TRACE_ID_PARAMS = List.of("traceId", "trace_id", "traceID");

  private final TenantResolver resolver;

  public RequestTenants(TenantResolver resolver) {
    this.resolver = resolver;
  }

  /**
   * The log scope of the current request ({@link LogContext}): its tenant once {@link #tenant}
   * resolved it, and the trace ID of a trace lookup's path. Empty outside a request.
   */
  public static LogContext logContext() {
    ServiceRequestContext ctx = ServiceRequestContext.currentOrNull();
    if (ctx == null) {
      return LogContext.of(null, null);
    }
    String traceId = null;
    for (String name : TRACE_ID_PARAMS) {
      String value = ctx.pathParam(name);
      if (value != null
          && value.matches("[0-9a-fA-F]{1,32}")) { // a client's text: never logged raw
        traceId = value;
        break;
      }
    }
    return LogContext.of(ctx.attr(TENANT), traceId);
  }

  /**
   * @throws Unauthenticated if auth is on and the API key is missing or unknown (answered 401)
   * @throws BadParameter if {@code X-Scope-OrgID} is not a tenant ID (answered 400)
   */
  public String tenant(RequestHeaders headers) {
    TenantResolver.Resolution resolution = resolver.resolve(headers::get);
    if (resolution.tenant().isPresent()) {
      RequestContext ctx = RequestContext.currentOrNull();
      if (ctx != null) {
        ctx.setAttr(TENANT, resolution.tenant().get());
      }
      return resolution.tenant().get();
    }
    if (resolution.unauthenticated()) {
      throw new Unauthenticated(resolution.problem());
    }
    throw new BadParameter(resolution.problem());
  }
}
