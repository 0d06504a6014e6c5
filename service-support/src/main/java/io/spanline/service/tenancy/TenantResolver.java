package io.spanline.service.tenancy;

import io.spanline.service.config.Settings;
import io.spanline.service.internal.tenancy.KeyDigests;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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

  /**
   * The name of the API keys, both as the config file's section ({@code api-keys: {key: tenant}})
   * and as the environment variable {@code SPANLINE_<APP>_API_KEYS}; an app that reads them
   * declares it as both in its {@link io.spanline.service.config.SettingsSpec}.
   */
  public static final String API_KEYS = "api-keys";

  private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** The prefix of an API key given as the hex SHA-256 of the key rather than the key. */
  public static final String SHA256_PREFIX = KeyDigests.SHA256_PREFIX;

  private final boolean authEnabled;

  /** SHA-256 of each key, with its tenant: keys are never held or compared in the clear. */
  private final List<Map.Entry<byte[], String>> keyDigests;

  /**
   * @param apiKeys API key → tenant, used when {@code authEnabled}; a key written {@code sha256:<64
   *     hex digits>} is the SHA-256 of the key clients send, so the key file need not hold the key
   *     itself
   * @throws IllegalArgumentException if auth is on without keys, or a key maps to an invalid tenant
   *     (the message never contains a key)
   */
  public TenantResolver(boolean authEnabled, Map<String, String> apiKeys) {
    this.authEnabled = authEnabled;
    if (authEnabled && apiKeys.isEmpty()) {
      throw new IllegalArgumentException("auth.enabled=true needs at least one API key");
    }
    List<Map.Entry<byte[], String>> digests = new ArrayList<>();
    apiKeys.forEach(
        (key, tenant) -> {
          if (!TENANT.matcher(tenant).matches()) {
            throw new IllegalArgumentException(
                "API keys must map to tenant IDs (1-64 of A-Z a-z 0-9 . _ -), not '"
                    + tenant
                    + "'");
          }
          digests.add(
              Map.entry(
                  KeyDigests.ofConfigured(key, "The API key of tenant '" + tenant + "'"), tenant));
        });
    this.keyDigests = List.copyOf(digests);
  }

  /**
   * The tenant of a presented key: its SHA-256 compared with every configured digest in constant
   * time ({@link MessageDigest#isEqual}), all of them every time, so the answer's timing tells
   * nothing about which key or how much of it matched.
   */
  private Optional<String> tenantOf(String presented) {
    byte[] digest = KeyDigests.sha256(presented);
    String found = null;
    for (Map.Entry<byte[], String> e : keyDigests) {
      if (KeyDigests.same(digest, e.getKey())) {
        found = e.getValue();
      }
    }
    return Optional.ofNullable(found);
  }

  /**
   * Secure by default: a service without authentication listens on loopback only, unless a trusted
   * proxy in front authenticates clients and sets {@code X-Scope-OrgID} ({@code trustedProxy}).
   *
   * @param bindKey the setting that names the address, for the message
   * @throws IllegalArgumentException when {@code bindAddress} is not a loopback address while
   *     authentication is off and no trusted proxy is declared, naming the three ways out
   */
  public static void requireSafeBind(
      String bindKey, String bindAddress, boolean authEnabled, boolean trustedProxy) {
    if (authEnabled || trustedProxy) {
      return;
    }
    boolean loopback;
    try {
      loopback = InetAddress.getByName(bindAddress).isLoopbackAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(
          "Invalid value for property " + bindKey + "=" + bindAddress + ". Must be an address.");
    }
    if (!loopback) {
      throw new IllegalArgumentException(
          bindKey
              + "="
              + bindAddress
              + " is not a loopback address while auth.enabled=false: anyone who reaches it"
              + " could read or write any tenant's traces by naming it in X-Scope-OrgID. Turn on"
              + " auth.enabled with API keys, bind to 127.0.0.1, or set auth.trusted-proxy=true"
              + " when a proxy in front authenticates clients and sets X-Scope-OrgID itself.");
    }
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

  boolean authEnabled() {
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
      return tenantOf(key)
          .map(Resolution::of)
          .orElseGet(() -> Resolution.unauthenticated("unknown API key"));
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
   * {@code environmentVariable} ({@code key=tenant,key2=tenant2}), the variable winning. The
   * settings' spec declares {@link #API_KEYS} as a section and as an environment variable.
   *
   * @throws IllegalArgumentException if the variable holds a pair that is not {@code key=tenant},
   *     or the section or variable is not declared
   */
  public static Map<String, String> apiKeys(Settings settings, String environmentVariable) {
    Map<String, String> keys = new HashMap<>();
    settings
        .section(API_KEYS)
        .fields()
        .forEachRemaining(e -> keys.put(e.getKey(), e.getValue().asText()));
    String fromEnv = settings.environmentVariable(environmentVariable);
    if (fromEnv != null && !fromEnv.isBlank()) {
      String[] pairs = fromEnv.split(",");
      for (int i = 0; i < pairs.length; i++) {
        String[] kv = pairs[i].split("=", 2);
        if (kv.length != 2 || kv[0].isBlank() || kv[1].isBlank()) {
          // the pair is not repeated: it may hold a key
          throw new IllegalArgumentException(
              "Invalid value in "
                  + environmentVariable
                  + ": pair "
                  + (i + 1)
                  + " is not key=tenant.");
        }
        keys.put(kv[0].trim(), kv[1].trim());
      }
    }
    return keys;
  }
}
