package io.spanline.allinone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanline.archive.config.ArchiveSinkConfigLoader;
import io.spanline.assembly.config.AssemblyConfigLoader;
import io.spanline.gateway.config.GatewayConfigLoader;
import io.spanline.index.config.IndexSinkConfigLoader;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.tls.LocalCertificates;
import io.spanline.query.config.QueryConfigLoader;
import io.spanline.sampling.config.SamplingConfigLoader;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The all-in-one hands every service the same system properties ({@code spanline.<app>.*} of all
 * six, plus {@code spanline.security}); strict settings must let each service read its own and
 * leave the others' alone, and still refuse a misspelt key of its own.
 */
class AllInOneSettingsTest {
  private static Map<String, String> settings(Path data, Map<String, String> overrides) {
    return AllInOne.serviceSettings(
        AllInOneConfig.freePorts(data, overrides),
        "127.0.0.1:9092",
        URI.create("http://127.0.0.1:8081"),
        URI.create("http://127.0.0.1:9200"),
        URI.create("http://127.0.0.1:9000"));
  }

  @Test
  void everyServiceAcceptsTheSharedSettings_readingOnlyItsOwn(@TempDir Path data) {
    Map<String, String> overrides = new HashMap<>();
    overrides.put(AllInOne.SECURITY, "plaintext");
    overrides.put("spanline.assembly.trace.idle.timeout.ms", "3s");
    overrides.put("spanline.index.index.refresh-interval", "1s");
    Map<String, String> props = settings(data, overrides);
    Map<String, String> env = Map.of("SPANLINE_DATA_DIR", data.toString());

    GatewayConfigLoader.load(env, props);
    assertThat(AssemblyConfigLoader.load(env, props).idleTimeout().toMillis()).isEqualTo(3000);
    SamplingConfigLoader.load(env, props);
    IndexSinkConfigLoader.load(env, props);
    ArchiveSinkConfigLoader.load(env, props);
    QueryConfigLoader.load(env, props);
  }

  @Test
  void everyServiceAcceptsTheSecuredSettings_andOpensTheirTrustStores(@TempDir Path data)
      throws Exception {
    LocalCertificates certificates = LocalCertificates.inDirectory(data.resolve("tls"));
    Map<String, String> props = settings(data, Map.of());
    props.putAll(
        AllInOne.securedSettings(
            new LocalKafka.SecuredListener(9094, certificates, "scram-password")));

    assertThat(AssemblyConfigLoader.load(Map.of(), props).kafka().clientProperties())
        .containsEntry("security.protocol", "SASL_SSL");
    assertThat(SamplingConfigLoader.load(Map.of(), props).registry().tls().trustStore())
        .hasValueSatisfying(t -> assertThat(t.type()).isEqualTo("PEM"));
    assertThat(IndexSinkConfigLoader.load(Map.of(), props).openSearch().username())
        .isEqualTo(LocalKafka.SCRAM_USER);
    assertThat(ArchiveSinkConfigLoader.load(Map.of(), props).registry().username())
        .isEqualTo(LocalKafka.SCRAM_USER);
    assertThat(QueryConfigLoader.load(Map.of(), props).openSearch().tls().configured()).isTrue();
    GatewayConfigLoader.load(Map.of(), props);
  }

  @Test
  void aMisspeltKey_failsTheServiceItBelongsTo(@TempDir Path data) {
    Map<String, String> props = settings(data, Map.of("spanline.archive.roll.max.age", "2000"));

    GatewayConfigLoader.load(Map.of(), props);
    assertThatThrownBy(() -> ArchiveSinkConfigLoader.load(Map.of(), props))
        .hasMessageContaining("unknown setting roll.max.age (system property")
        .hasMessageContaining("did you mean roll.max.age.ms?");
  }
}
