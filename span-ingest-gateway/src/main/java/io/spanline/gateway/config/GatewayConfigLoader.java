package io.spanline.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.spanline.service.admin.AdminSettings;
import io.spanline.service.config.KafkaSettings;
import io.spanline.service.config.Settings;
import io.spanline.service.config.SettingsSpec;
import io.spanline.service.tenancy.TenantLimitsSettings;
import io.spanline.service.tenancy.TenantResolver;
import io.spanline.service.tls.TlsSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Builds {@link GatewayConfig} from, in increasing precedence: defaults, the YAML file named by
 * {@code config.file} (environment {@code SPANLINE_GATEWAY_CONFIG_FILE}), environment variables
 * {@code SPANLINE_GATEWAY_<KEY>} (key upper-cased, dots and hyphens as underscores), and system
 * properties {@code spanline.gateway.<key>}. Unknown names fail (see {@link Settings}); {@code
 * kafka.client.*} passes through to the producer; the file's sections are {@code tenants}, {@code
 * redaction} and {@code api-keys} (also {@code SPANLINE_GATEWAY_API_KEYS}). Errors name the key and
 * the bad value.
 */
public final class GatewayConfigLoader {
  /** Every flat setting with its default, in README order. */
  static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

  static {
    DEFAULTS.put("bind.address", "127.0.0.1");
    DEFAULTS.put("admin.bind.address", "0.0.0.0");
    DEFAULTS.put("otlp.grpc.port", "4317");
    DEFAULTS.put("otlp.http.port", "4318");
    DEFAULTS.put("admin.port", "13133");
    DEFAULTS.putAll(TlsSettings.defaults(""));
    DEFAULTS.putAll(AdminSettings.securityDefaults());
    DEFAULTS.putAll(KafkaSettings.defaults("127.0.0.1:9092"));
    DEFAULTS.put("topic.otlp-spans", "otlp_spans");
    DEFAULTS.put("kafka.max-record-bytes", "1000000");
    DEFAULTS.put("kafka.compression.type", "lz4");
    DEFAULTS.put("kafka.linger.ms", "5");
    DEFAULTS.put("kafka.batch.size", "262144");
    DEFAULTS.put("kafka.request.timeout.ms", "5000");
    DEFAULTS.put("kafka.delivery.timeout.ms", "10000");
    DEFAULTS.put("kafka.max.block.ms", "3000");
    DEFAULTS.put("inflight.max-bytes", String.valueOf(64L << 20));
    DEFAULTS.put("retry-after.seconds", "5");
    DEFAULTS.put("auth.enabled", "false");
    DEFAULTS.put("auth.trusted-proxy", "false");
    DEFAULTS.put(
        "limits.max-request-bytes", String.valueOf(TenantLimits.DEFAULTS.maxRequestBytes()));
    DEFAULTS.put(
        "limits.max-spans-per-request", String.valueOf(TenantLimits.DEFAULTS.maxSpansPerRequest()));
    DEFAULTS.put(
        "limits.max-attributes-per-span",
        String.valueOf(TenantLimits.DEFAULTS.maxAttributesPerSpan()));
    DEFAULTS.put(
        "limits.max-attribute-value-bytes",
        String.valueOf(TenantLimits.DEFAULTS.maxAttributeValueBytes()));
    DEFAULTS.put(
        "limits.max-events-per-span", String.valueOf(TenantLimits.DEFAULTS.maxEventsPerSpan()));
    DEFAULTS.put(
        "limits.max-links-per-span", String.valueOf(TenantLimits.DEFAULTS.maxLinksPerSpan()));
    DEFAULTS.put("limits.spans-per-second", "0");
    DEFAULTS.put("limits.bytes-per-second", "0");
    DEFAULTS.put("head-sampling.percentage", "100");
    DEFAULTS.put("span.start.max-age.ms", String.valueOf(7L * 24 * 3600 * 1000));
    DEFAULTS.put("span.start.max-future.ms", String.valueOf(3600L * 1000));
    DEFAULTS.put("debug.attribute", "spanline.debug");
    DEFAULTS.put("debug.tenants", GatewayConfig.ALL_TENANTS);
    DEFAULTS.putAll(TenantLimitsSettings.defaults());
    DEFAULTS.put("tenant-limits.members.group", "spanline-gateway-members");
    DEFAULTS.put("tenant-limits.members.refresh.ms", "5000");
    DEFAULTS.put("shed.inflight-fraction", "1");
  }

  /** What the gateway's settings may contain. */
  static final SettingsSpec SPEC =
      SettingsSpec.builder("gateway")
          .settings(DEFAULTS)
          .passThrough(KafkaSettings.CLIENT_PREFIX)
          .sections("tenants", "redaction", TenantResolver.API_KEYS)
          .environmentVariables(TenantResolver.API_KEYS)
          .build();

  /** The limits a {@code tenants.<tenant>} entry may set. */
  private static final Set<String> TENANT_LIMITS =
      Set.of(
          "max-request-bytes",
          "max-spans-per-request",
          "max-attributes-per-span",
          "max-attribute-value-bytes",
          "max-events-per-span",
          "max-links-per-span",
          "spans-per-second",
          "bytes-per-second");

  /** The fields of a {@code redaction} rule. */
  private static final Set<String> RULE_FIELDS = Set.of("key", "action", "pattern", "replacement");

  private GatewayConfigLoader() {}

  /**
   * Every flat setting key with its default value, in README order (unmodifiable): what {@code
   * spanline <app> --help} lists. Pass-through prefixes and environment-only variables are not in
   * it.
   */
  public static Map<String, String> settingDefaults() {
    return Collections.unmodifiableMap(DEFAULTS);
  }

  /** From the process environment and system properties. */
  public static GatewayConfig load() {
    return from(Settings.load(SPEC));
  }

  /**
   * @throws IllegalArgumentException naming the key and value of a bad setting
   */
  public static GatewayConfig load(Map<String, String> env, Map<String, String> systemProperties) {
    return from(Settings.load(SPEC, env, systemProperties));
  }

  private static GatewayConfig from(Settings s) {
    TenantResolver.requireSafeBind(
        "bind.address",
        s.get("bind.address"),
        s.bool("auth.enabled"),
        s.bool("auth.trusted-proxy"));
    TenantLimits defaults =
        new TenantLimits(
            s.longValue("limits.max-request-bytes"),
            s.intValue("limits.max-spans-per-request"),
            s.intValue("limits.max-attributes-per-span"),
            s.intValue("limits.max-attribute-value-bytes"),
            s.intValue("limits.max-events-per-span"),
            s.intValue("limits.max-links-per-span"),
            s.longValue("limits.spans-per-second"),
            s.longValue("limits.bytes-per-second"));
    Map<String, String> apiKeys = TenantResolver.apiKeys(s, "SPANLINE_GATEWAY_API_KEYS");
    return new GatewayConfig(
        s.get("bind.address"),
        s.port("otlp.grpc.port"),
        s.port("otlp.http.port"),
        TlsSettings.from(s, ""),
        AdminSettings.from(s),
        KafkaSettings.from(s),
        s.get("topic.otlp-spans"),
        s.intValue("kafka.max-record-bytes"),
        s.get("kafka.compression.type"),
        s.intDurationAtLeast("kafka.linger.ms", TimeUnit.MILLISECONDS, 0),
        s.intValue("kafka.batch.size"),
        s.intDurationAtLeast("kafka.request.timeout.ms", TimeUnit.MILLISECONDS, 0),
        s.intDurationAtLeast("kafka.delivery.timeout.ms", TimeUnit.MILLISECONDS, 0),
        s.intDurationAtLeast("kafka.max.block.ms", TimeUnit.MILLISECONDS, 0),
        s.longValue("inflight.max-bytes"),
        Duration.ofSeconds(s.durationAtLeast("retry-after.seconds", TimeUnit.SECONDS, 0)),
        s.bool("auth.enabled"),
        apiKeys,
        defaults,
        tenantLimits(s, defaults),
        redaction(s),
        s.doubleValue("head-sampling.percentage"),
        s.millis("span.start.max-age.ms"),
        s.millis("span.start.max-future.ms"),
        s.get("debug.attribute").strip(),
        debugTenants(s.get("debug.tenants")),
        TenantLimitsSettings.from(s),
        s.get("tenant-limits.members.group"),
        s.millis("tenant-limits.members.refresh.ms"),
        s.doubleValue("shed.inflight-fraction"));
  }

  /** {@code debug.tenants}: comma-separated tenants, {@code *} for all, empty for none. */
  private static Set<String> debugTenants(String value) {
    Set<String> out = new java.util.HashSet<>();
    for (String t : value.split(",", -1)) {
      String tenant = t.strip();
      if (!tenant.isEmpty()) {
        out.add(tenant);
      }
    }
    return out;
  }

  private static Map<String, TenantLimits> tenantLimits(Settings s, TenantLimits defaults) {
    Map<String, TenantLimits> out = new HashMap<>();
    JsonNode tenants = s.section("tenants");
    if (!tenants.isMissingNode() && !tenants.isObject()) {
      throw new IllegalArgumentException(
          "Invalid value for property tenants in the YAML file. Must be a map of tenant to limits.");
    }
    Iterator<Map.Entry<String, JsonNode>> it = tenants.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode t = e.getValue();
      s.requireKnownFields(t, "tenants." + e.getKey(), TENANT_LIMITS);
      String where = "tenants." + e.getKey() + ".";
      out.put(
          e.getKey(),
          new TenantLimits(
              longOr(t, where, "max-request-bytes", defaults.maxRequestBytes()),
              (int) longOr(t, where, "max-spans-per-request", defaults.maxSpansPerRequest()),
              (int) longOr(t, where, "max-attributes-per-span", defaults.maxAttributesPerSpan()),
              (int)
                  longOr(t, where, "max-attribute-value-bytes", defaults.maxAttributeValueBytes()),
              (int) longOr(t, where, "max-events-per-span", defaults.maxEventsPerSpan()),
              (int) longOr(t, where, "max-links-per-span", defaults.maxLinksPerSpan()),
              longOr(t, where, "spans-per-second", defaults.spansPerSecond()),
              longOr(t, where, "bytes-per-second", defaults.bytesPerSecond())));
    }
    return out;
  }

  private static long longOr(JsonNode node, String where, String key, long fallback) {
    JsonNode value = node.get(key);
    if (value == null) {
      return fallback;
    }
    if (!value.canConvertToLong()) {
      throw new IllegalArgumentException(
          "Invalid value for property " + where + key + "=" + value.asText() + ". Must be a long.");
    }
    return value.asLong();
  }

  private static List<RedactionRule> redaction(Settings s) {
    JsonNode rules = s.section("redaction");
    if (!rules.isMissingNode() && !rules.isArray()) {
      throw new IllegalArgumentException(
          "Invalid value for property redaction in the YAML file. Must be a list of rules.");
    }
    List<RedactionRule> out = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      JsonNode r = rules.get(i);
      String where = "redaction[" + i + "]";
      s.requireKnownFields(r, where, RULE_FIELDS);
      String key = r.path("key").asText(null);
      String action = r.path("action").asText("");
      if (key == null || key.isBlank()) {
        throw new IllegalArgumentException(where + " needs a key");
      }
      RedactionRule.Action parsed;
      try {
        parsed = RedactionRule.Action.valueOf(action.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "Invalid value for property "
                + where
                + ".action="
                + action
                + ". Must be drop, mask or hash.");
      }
      Pattern pattern = null;
      if (r.has("pattern")) {
        try {
          pattern = Pattern.compile(r.get("pattern").asText());
        } catch (PatternSyntaxException e) {
          throw new IllegalArgumentException(
              "Invalid value for property " + where + ".pattern: " + e.getDescription());
        }
      }
      out.add(new RedactionRule(key, parsed, pattern, r.path("replacement").asText(null)));
    }
    return out;
  }
}
