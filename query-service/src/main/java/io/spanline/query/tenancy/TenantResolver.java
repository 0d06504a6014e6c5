package io.spanline.query.tenancy;

import com.linecorp.armeria.common.RequestHeaders;

/**
 * The tenant of a request. With authentication off (the only mode so far), the {@code
 * X-Scope-OrgID} header names it, as Tempo, Loki and Mimir do; without the header the tenant is
 * {@code default}. Every query is filtered by the tenant on the server.
 */
public final class TenantResolver {
  public static final String HEADER = "X-Scope-OrgID";
  public static final String DEFAULT_TENANT = "default";

  /**
   * @throws IllegalArgumentException if the header is blank or longer than 256 chars
   */
  public String tenant(RequestHeaders headers) {
    String value = headers.get(HEADER);
    if (value == null) {
      return DEFAULT_TENANT;
    }
    String tenant = value.strip();
    if (tenant.isEmpty() || tenant.length() > 256) {
      throw new IllegalArgumentException(HEADER + " must name a tenant of 1-256 characters");
    }
    return tenant;
  }
}
