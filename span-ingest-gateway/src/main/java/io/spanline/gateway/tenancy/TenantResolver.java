package io.spanline.gateway.tenancy;

import io.spanline.gateway.config.GatewayConfig;
import io.spanline.schemas.topic.SpanlineHeaders;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Finds the tenant of a request. With authentication on, the API key (sent as {@code Authorization:
 * Bearer <key>} or {@code x-api-key}) maps to the tenant and a missing or unknown key is refused.
 * With authentication off, the tenant is the {@code X-Scope-OrgID} header (as in Grafana Tempo,
 * Loki and Mimir), else {@value #DEFAULT_TENANT}.
 */
public final class TenantResolver {
  public static final String DEFAULT_TENANT = SpanlineHeaders.DEFAULT_TENANT;
  private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private final GatewayConfig config;

  public TenantResolver(GatewayConfig config) {
    this.config = config;
  }

  /** A resolved tenant, or why there is none. */
  public record Resolution(Optional<String> tenant, String problem) {
    static Resolution of(String tenant) {
      return new Resolution(Optional.of(tenant), "");
    }

    static Resolution refused(String problem) {
      return new Resolution(Optional.empty(), problem);
    }
  }

  /**
   * @param header the request's header by lowercase name, null when absent
   */
  public Resolution resolve(Function<String, String> header) {
    if (config.authEnabled()) {
      String key = header.apply("x-api-key");
      String authorization = header.apply("authorization");
      if (key == null
          && authorization != null
          && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
        key = authorization.substring(7).trim();
      }
      if (key == null || key.isEmpty()) {
        return Resolution.refused("missing API key: send Authorization: Bearer <key> or x-api-key");
      }
      String tenant = config.apiKeys().get(key);
      return tenant == null ? Resolution.refused("unknown API key") : Resolution.of(tenant);
    }
    String orgId = header.apply("x-scope-orgid");
    if (orgId == null || orgId.isEmpty()) {
      return Resolution.of(DEFAULT_TENANT);
    }
    if (!TENANT.matcher(orgId).matches()) {
      return Resolution.refused(
          "X-Scope-OrgID '" + orgId + "' is not a tenant ID (1-64 of A-Z a-z 0-9 . _ -)");
    }
    return Resolution.of(orgId);
  }
}
