package io.spanline.service.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanline.service.config.Settings;
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

    Settings settings = Settings.load("test", Map.of(), env, Map.of());

    assertThat(TenantResolver.apiKeys(settings, "SPANLINE_TEST_KEYS"))
        .isEqualTo(Map.of("k1", "env", "k2", "b", "k3", "c"));
    Settings broken = Settings.load("test", Map.of(), Map.of("SPANLINE_TEST_KEYS", "x"), Map.of());
    assertThatThrownBy(() -> TenantResolver.apiKeys(broken, "SPANLINE_TEST_KEYS"))
        .hasMessageContaining("Must be key=tenant");
  }
}
