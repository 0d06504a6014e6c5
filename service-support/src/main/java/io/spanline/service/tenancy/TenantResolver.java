package io.spanline.service.tenancy;

import io.spanline.service.config.Settings;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Finds the tenant of a request, the same way at the gateway and the query service. With
 * authentication on, the API key (sent as {@code Authorization: Bearer <key>} or {@code x-api-key})
 * maps to the tenant and a missing or unknown key is refused. With authentication off, the tenant
 * is the {@code X-Scope-OrgID} header (as in Grafana Tempo, Loki and Mimir), else {@value
 * #DEFAULT_TENANT}.
 */
public final class TenantResolver {
  /** The tenant of requests without {@code X-Scope-OrgID} when authentication is off. */
  public static final String DEFAULT_TENANT = "default";

  /** The header naming the tenant when authentication is off. */
  public static final String ORG_ID_HEADER = "X-Scope-OrgID";

  private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private final boolean authEnabled;
  private final Map<String, String> apiKeys;

  /**
   * @param apiKeys API key → tenant, used when {@code authEnabled}
   * @throws IllegalArgumentException if auth is on without keys, or a key maps to an invalid tenant
   */
  public TenantResolver(boolean authEnabled, Map<String, String> apiKeys) {
    this.authEnabled = authEnabled;
    this.apiKeys = Map.copyOf(apiKeys);
    if (authEnabled && apiKeys.isEmpty()) {
      throw new IllegalArgumentException("auth.enabled=true needs at least one API key");
    }
    apiKeys.forEach(
        (key, tenant) -> {
          if (!TENANT.matcher(tenant).matches()) {
            throw new IllegalArgumentException(
                "API keys must map to tenant IDs (1-64 of A-Z a-z 0-9 . _ -), not '"
                    + tenant
                    + "'");
          }
        });
  }

  /** A resolved tenant, or why there is none and whether a credential was missing or wrong. */
  public record Resolution(Optional<String> tenant, String problem, boolean unauthenticated) {
    static Resolution of(String tenant) {
      return new Resolution(Optional.of(tenant), "", false);
    }

    static Resolution unauthenticated(String problem) {
      return new Resolution(Optional.empty(), problem, true);
    }

    static Resolution malformed(String problem) {
      return new Resolution(Optional.empty(), problem, false);
    }
  }

  public boolean authEnabled() {
    return authEnabled;
  }

  /**
   * @param header the request's header by lowercase name, null when absent
   */
  public Resolution resolve(Function<String, String> header) {
    if (authEnabled) {
      String key = header.apply("x-api-key");
      String authorization = header.apply("authorization");
      if (key == null
          && authorization != null
          && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
        key = authorization.substring(7).trim();
      }
      if (key == null || key.isEmpty()) {
        return Resolution.unauthenticated(
            "missing API key: send Authorization: Bearer <key> or x-api-key");
      }
      String tenant = apiKeys.get(key);
      return tenant == null ? Resolution.unauthenticated("unknown API key") : Resolution.of(tenant);
    }
    String orgId = header.apply("x-scope-orgid");
    if (orgId == null || orgId.isEmpty()) {
      return Resolution.of(DEFAULT_TENANT);
    }
    if (!TENANT.matcher(orgId).matches()) {
      return Resolution.malformed(
          ORG_ID_HEADER + " '" + orgId + "' is not a tenant ID (1-64 of A-Z a-z 0-9 . _ -)");
    }
    return Resolution.of(orgId);
  }

  /**
   * API keys from the config file's {@code api-keys} map (key: tenant) and the environment variable
   * {@code environmentVariable} ({@code key=tenant,key2=tenant2}), the variable winning.
   *
   * @throws IllegalArgumentException if the variable holds a pair that is not {@code key=tenant}
   */
  public static Map<String, String> apiKeys(Settings settings, String environmentVariable) {
    Map<String, String> keys = new HashMap<>();
    settings
        .file()
        .path("api-keys")
        .fields()
        .forEachRemaining(e -> keys.put(e.getKey(), e.getValue().asText()));
    String fromEnv = settings.environmentVariable(environmentVariable);
    if (fromEnv != null && !fromEnv.isBlank()) {
      for (String pair : fromEnv.split(",")) {
        String[] kv = pair.split("=", 2);
        if (kv.length != 2 || kv[0].isBlank() || kv[1].isBlank()) {
          throw new IllegalArgumentException(
              "Invalid value in " + environmentVariable + ": '" + pair + "'. Must be key=tenant.");
        }
        keys.put(kv[0].trim(), kv[1].trim());
      }
    }
    return keys;
  }
}
