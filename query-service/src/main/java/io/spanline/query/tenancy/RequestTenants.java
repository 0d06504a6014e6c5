package io.spanline.query.tenancy;

import com.linecorp.armeria.common.RequestHeaders;
import io.spanline.query.api.Responses.BadParameter;
import io.spanline.query.api.Responses.Unauthenticated;
import io.spanline.service.tenancy.TenantResolver;

/**
 * The tenant of an API request, by the rules of {@link TenantResolver}: the API key's tenant with
 * authentication on, else {@code X-Scope-OrgID} or {@code default}. Every query is then filtered by
 * that tenant on the server.
 */
public final class RequestTenants {
  private final TenantResolver resolver;

  public RequestTenants(TenantResolver resolver) {
    this.resolver = resolver;
  }

  /**
   * @throws Unauthenticated if auth is on and the API key is missing or unknown (answered 401)
   * @throws BadParameter if {@code X-Scope-OrgID} is not a tenant ID (answered 400)
   */
  public String tenant(RequestHeaders headers) {
    TenantResolver.Resolution resolution = resolver.resolve(headers::get);
    if (resolution.tenant().isPresent()) {
      return resolution.tenant().get();
    }
    if (resolution.unauthenticated()) {
      throw new Unauthenticated(resolution.problem());
    }
    throw new BadParameter(resolution.problem());
  }
}
