package io.spanline.gateway.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.gateway.config.GatewayConfigLoader;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TenantResolverTest {
  private final TenantResolver open =
      new TenantResolver(GatewayConfigLoader.load(Map.of(), Map.of()));

  @Test
  void withoutAuthTheOrgIdHeaderNamesTheTenant() {
    assertThat(open.resolve(Map.of("x-scope-orgid", "team-1")::get).tenant()).contains("team-1");
    assertThat(open.resolve(Map.<String, String>of()::get).tenant()).contains("default");
    assertThat(open.resolve(Map.of("x-scope-orgid", "bad tenant!")::get).problem())
        .contains("is not a tenant ID");
  }
}
