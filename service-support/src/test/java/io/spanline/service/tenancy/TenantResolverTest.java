package io.spanline.service.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanline.service.config.Settings;
import io.spanline.service.config.SettingsSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TenantResolverTest {
  private final TenantResolver open = new TenantResolver(false, Map.of());
  private final TenantResolver keyed = new TenantResolver(true, Map.of("k-acme", "acme"));

  @Test
  void withoutAuth_theOrgIdHeaderNamesTheTenant() {
    assertThat(open.resolve(Map.of("x-scope-orgid", "team-1")::get).tenant()).contains("team-1");
    assertThat(open.resolve(Map.<String, String>of()::get).tenant()).contains("default");
    TenantResolver.Resolution bad = open.resolve(Map.of("x-scope-orgid", "bad tenant!")::get);
    assertThat(bad.tenant()).isEmpty();
    assertThat(bad.problem()).contains("is not a tenant ID");
    assertThat(bad.unauthenticated()).isFalse();
  }

  @Test
  void withAuth_theApiKeyNamesTheTenant_andTheOrgIdHeaderIsIgnored() {
    assertThat(keyed.resolve(Map.of("authorization", "Bearer k-acme")::get).tenant())
        .contains("acme");
    assertThat(keyed.resolve(Map.of("x-api-key", "k-acme", "x-scope-orgid", "other")::get).tenant())
        .contains("acme");
    TenantResolver.Resolution unknown = keyed.resolve(Map.of("x-api-key", "nope")::get);
    assertThat(unknown.tenant()).isEmpty();
    assertThat(unknown.unauthenticated()).isTrue();
    assertThat(keyed.resolve(Map.of("x-scope-orgid", "acme")::get).problem())
        .contains("missing API key");
  }

  @Test
  void refusesAuthWithoutKeys_andKeysOfInvalidTenants() {
    assertThatThrownBy(() -> new TenantResolver(true, Map.of()))
        .hasMessageContaining("at least one API key");
    assertThatThrownBy(() -> new TenantResolver(true, Map.of("k", "bad tenant")))
        .hasMessageContaining("tenant IDs");
  }

  @Test
  void readsKeysFromTheFileAndTheEnvironment_theEnvironmentWinning(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, "api-keys:\n  k1: file-tenant\n  k2: b\n");
    Map<String, String> env =
        Map.of("SPANLINE_TEST_CONFIG_FILE", file.toString(), "SPANLINE_TEST_KEYS", "k1=env,k3=c");

    SettingsSpec spec =
        SettingsSpec.builder("test")
            .sections(TenantResolver.API_KEYS)
            .environmentVariables("keys")
            .build();
    Settings settings = Settings.load(spec, env, Map.of());

    assertThat(TenantResolver.apiKeys(settings, "SPANLINE_TEST_KEYS"))
        .isEqualTo(Map.of("k1", "env", "k2", "b", "k3", "c"));
    Settings broken = Settings.load(spec, Map.of("SPANLINE_TEST_KEYS", "x"), Map.of());
    assertThatThrownBy(() -> TenantResolver.apiKeys(broken, "SPANLINE_TEST_KEYS"))
        .hasMessageContaining("pair 1 is not key=tenant");
  }

  @Test
  void aKeyMayBeConfiguredAsItsSha256_andIsMatchedByTheKeyClientsSend() {
    // sha256("k-globex") in hex
    String digest = java.util.HexFormat.of().formatHex(sha256("k-globex"));
    TenantResolver hashed =
        new TenantResolver(
            true, Map.of("sha256:" + digest.toUpperCase(), "globex", "k-acme", "acme"));
    assertThat(hashed.resolve(Map.of("x-api-key", "k-globex")::get).tenant()).contains("globex");
    assertThat(hashed.resolve(Map.of("x-api-key", "k-acme")::get).tenant()).contains("acme");
    // the digest itself is not a key
    assertThat(hashed.resolve(Map.of("x-api-key", "sha256:" + digest)::get).tenant()).isEmpty();
    assertThat(hashed.resolve(Map.of("x-api-key", digest)::get).tenant()).isEmpty();
  }

  @Test
  void aMalformedDigest_isRefused_withoutRepeatingIt() {
    assertThatThrownBy(() -> new TenantResolver(true, Map.of("sha256:abc123secret", "acme")))
        .hasMessageContaining("acme")
        .hasMessageContaining("64 hex digits")
        .hasMessageNotContaining("abc123secret");
  }

  @Test
  void aBadPairInTheEnvironment_isRefused_withoutRepeatingTheKey() {
    Settings s =
        Settings.load(
            SettingsSpec.builder("gateway")
                .sections(TenantResolver.API_KEYS)
                .environmentVariables(TenantResolver.API_KEYS)
                .build(),
            Map.of("SPANLINE_GATEWAY_API_KEYS", "k-good=acme,k-secret-without-tenant"),
            Map.of());
    assertThatThrownBy(() -> TenantResolver.apiKeys(s, "SPANLINE_GATEWAY_API_KEYS"))
        .hasMessageContaining("pair 2")
        .hasMessageNotContaining("k-secret");
  }

  @Test
  void withoutAuth_onlyLoopbackIsServed_unlessATrustedProxyIsDeclared() {
    TenantResolver.requireSafeBind("bind.address", "127.0.0.1", false, false);
    TenantResolver.requireSafeBind("bind.address", "::1", false, false);
    TenantResolver.requireSafeBind("bind.address", "0.0.0.0", true, false);
    TenantResolver.requireSafeBind("bind.address", "0.0.0.0", false, true);
    assertThatThrownBy(
            () -> TenantResolver.requireSafeBind("bind.address", "0.0.0.0", false, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bind.address=0.0.0.0")
        .hasMessageContaining("auth.enabled")
        .hasMessageContaining("auth.trusted-proxy=true");
  }

  private static byte[] sha256(String s) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256")
          .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
