package io.spanline.service.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Strict settings: unknown names refused with a suggestion, nested YAML, sections, durations. */
class SettingsStrictTest {
  private static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

  static {
    DEFAULTS.put("kafka.sasl.username", "");
    DEFAULTS.put("kafka.sasl.password", "");
    DEFAULTS.put("trace.max.open", "1");
    DEFAULTS.put("trace.max.open.bytes", "2");
    DEFAULTS.put("retry.backoff.ms", "250");
    DEFAULTS.put("retry-after.seconds", "5");
    DEFAULTS.put("retention.days", "7");
    DEFAULTS.put("admin.port", "13133");
  }

  private static final SettingsSpec SPEC =
      SettingsSpec.builder("gateway")
          .settings(DEFAULTS)
          .passThrough("kafka.client.", "streams.")
          .sections("tenants", "redaction", "api-keys")
          .environmentVariables("api-keys")
          .build();

  @TempDir Path dir;

  private Settings fromYaml(String yaml) throws Exception {
    Path file = Files.writeString(dir.resolve("gateway.yaml"), yaml);
    return Settings.load(SPEC, Map.of("SPANLINE_GATEWAY_CONFIG_FILE", file.toString()), Map.of());
  }

  private String yamlSource() {
    return "YAML file " + dir.resolve("gateway.yaml");
  }

  private static Settings fromProperties(Map<String, String> keys) {
    Map<String, String> props = new HashMap<>();
    keys.forEach((k, v) -> props.put("spanline.gateway." + k, v));
    return Settings.load(SPEC, Map.of(), props);
  }

  // --- unknown names -------------------------------------------------------------------------

  @Test
  void anUnknownYamlKey_failsStartUp_namingTheFileAndTheClosestKey() {
    assertThatThrownBy(() -> fromYaml("kafka.sasl.pasword: secret\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "unknown setting kafka.sasl.pasword ("
                + yamlSource()
                + "); did you mean kafka.sasl.password?")
        .hasMessageNotContaining("secret");
  }

  @Test
  void anUnknownNestedYamlKey_isNamedByItsFullPath() {
    assertThatThrownBy(() -> fromYaml("kafka:\n  sasl:\n    pasword: secret\n"))
        .hasMessage(
            "unknown setting kafka.sasl.pasword ("
                + yamlSource()
                + "); did you mean kafka.sasl.password?");
    assertThatThrownBy(() -> fromYaml("kafak:\n  sasl:\n    password: secret\n"))
        .hasMessageStartingWith("unknown setting kafak (");
  }

  @Test
  void anUnknownSystemProperty_failsStartUp_withTheClosestKey() {
    assertThatThrownBy(() -> fromProperties(Map.of("kafka.sasl.pasword", "secret")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "unknown setting kafka.sasl.pasword (system property"
                + " spanline.gateway.kafka.sasl.pasword); did you mean kafka.sasl.password?");
  }

  @Test
  void anUnknownEnvironmentVariable_failsStartUp_withTheClosestVariableAndItsKey() {
    assertThatThrownBy(
            () ->
                Settings.load(
                    SPEC, Map.of("SPANLINE_GATEWAY_KAFKA_SASL_PASWORD", "secret"), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "unknown setting SPANLINE_GATEWAY_KAFKA_SASL_PASWORD (environment variable); did you"
                + " mean SPANLINE_GATEWAY_KAFKA_SASL_PASSWORD (kafka.sasl.password)?");
  }

  @Test
  void environmentVariables_areMatchedByTheirLossyNames() {
    Settings s =
        Settings.load(
            SPEC,
            Map.of(
                "SPANLINE_GATEWAY_RETRY_AFTER_SECONDS", "7",
                "SPANLINE_GATEWAY_API_KEYS", "k=acme",
                "SPANLINE_GATEWAY_KAFKA_CLIENT_MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION", "1",
                "SPANLINE_GATEWAY_STREAMS_NUM_STANDBY_REPLICAS", "1"),
            Map.of());

    assertThat(s.get("retry-after.seconds")).isEqualTo("7");
    assertThat(s.environmentVariable("SPANLINE_GATEWAY_API_KEYS")).isEqualTo("k=acme");
    assertThat(s.withPrefix("kafka.client."))
        .containsExactly(Map.entry("max.in.flight.requests.per.connection", "1"));
    assertThat(s.withPrefix("streams.")).containsExactly(Map.entry("num.standby.replicas", "1"));
    // the environment-only variable is not a key of the file or a system property
    assertThatThrownBy(() -> fromProperties(Map.of("api-keys", "k=acme")))
        .hasMessageContaining("api-keys can be given only as a section of the YAML file or as")
        .hasMessageContaining("SPANLINE_GATEWAY_API_KEYS");
  }

  @Test
  void otherAppsAndOtherSpanlineNames_areLeftAlone() {
    Settings s =
        Settings.load(
            SPEC,
            Map.of(
                "SPANLINE_QUERY_NO_SUCH_KEY", "x",
                "SPANLINE_DATA_DIR", "/tmp/d",
                "SPANLINE_KAFKA_LISTENER", "sasl_ssl",
                "PATH", "/bin",
                // Kubernetes service links of a Service named spanline-gateway
                "SPANLINE_GATEWAY_SERVICE_HOST", "10.0.0.1",
                "SPANLINE_GATEWAY_SERVICE_PORT_OTLP_GRPC", "4317",
                "SPANLINE_GATEWAY_PORT", "tcp://10.0.0.1:4317",
                "SPANLINE_GATEWAY_PORT_4317_TCP_ADDR", "10.0.0.1"),
            Map.of(
                "spanline.query.no.such.key", "x",
                "spanline.kafka.listener", "sasl_ssl",
                "spanline.gatewayx.admin.port", "1",
                "user.dir", "/"));

    assertThat(s.port("admin.port")).isEqualTo(13133);
  }

  @Test
  void everyUnknownName_isListedInOneError() {
    Path file = dir.resolve("gateway.yaml");
    assertThatThrownBy(
            () -> {
              Files.writeString(file, "admin.prot: 1\n");
              Settings.load(
                  SPEC,
                  Map.of(
                      "SPANLINE_GATEWAY_CONFIG_FILE",
                      file.toString(),
                      "SPANLINE_GATEWAY_RETRY_AFTER_SECOND",
                      "1"),
                  Map.of("spanline.gateway.retention.dyas", "1"));
            })
        .hasMessageContaining("unknown setting admin.prot (")
        .hasMessageContaining("did you mean admin.port?")
        .hasMessageContaining("did you mean SPANLINE_GATEWAY_RETRY_AFTER_SECONDS")
        .hasMessageContaining("did you mean retention.days?");
  }

  @Test
  void aMisspeltPassThroughPrefix_suggestsTheKeyBelowTheRightPrefix() {
    assertThatThrownBy(() -> fromProperties(Map.of("kafka.clinet.acks", "all")))
        .hasMessageEndingWith("did you mean kafka.client.acks?");
    assertThatThrownBy(() -> fromProperties(Map.of("kafka.client.", "all")))
        .hasMessageContaining("unknown setting kafka.client.");
  }

  @Test
  void configFile_isKnownToEveryApp_butNotInsideTheFile() {
    assertThatThrownBy(() -> fromYaml("config.file: /other.yaml\n"))
        .hasMessageStartingWith("unknown setting config.file (");
  }

  // --- pass-through prefixes -----------------------------------------------------------------

  @Test
  void passThroughKeys_areAcceptedFromEverySource_flatOrNested() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("gateway.yaml"),
            """
            kafka:
              client:
                sasl.jaas.config: jaas
                acks: all
            streams:
              num:
                standby:
                  replicas: 1
            streams.commit.interval.ms: 100
            """);
    Settings s =
        Settings.load(
            SPEC,
            Map.of(
                "SPANLINE_GATEWAY_CONFIG_FILE",
                file.toString(),
                "SPANLINE_GATEWAY_KAFKA_CLIENT_LINGER_MS",
                "5"),
            Map.of("spanline.gateway.kafka.client.acks", "1"));

    assertThat(s.withPrefix("kafka.client."))
        .containsEntry("sasl.jaas.config", "jaas")
        .containsEntry("acks", "1")
        .containsEntry("linger.ms", "5")
        .hasSize(3);
    assertThat(s.withPrefix("streams."))
        .containsEntry("num.standby.replicas", "1")
        .containsEntry("commit.interval.ms", "100")
        .hasSize(2);
  }

  @Test
  void anUndeclaredPrefixOrSection_isAProgrammingError() {
    Settings s = fromProperties(Map.of());
    assertThatThrownBy(() -> s.withPrefix("consumer."))
        .hasMessageContaining("consumer. is not declared");
    assertThatThrownBy(() -> s.section("limits")).hasMessageContaining("limits is not declared");
    assertThatThrownBy(() -> s.environmentVariable("SPANLINE_GATEWAY_OTHER"))
        .hasMessageContaining("not declared");
  }

  // --- nested YAML ---------------------------------------------------------------------------

  @Test
  void nestedYaml_isTheSameAsFlatKeys_andMayMixBothForms() throws Exception {
    Settings s =
        fromYaml(
            """
            kafka:
              sasl:
                username: spanline
              sasl.password: secret
            trace:
              max:
                open: 5
                open.bytes: 6
            retry-after.seconds: 9
            """);

    assertThat(s.get("kafka.sasl.username")).isEqualTo("spanline");
    assertThat(s.get("kafka.sasl.password")).isEqualTo("secret");
    assertThat(s.longValue("trace.max.open")).isEqualTo(5);
    assertThat(s.longValue("trace.max.open.bytes")).isEqualTo(6);
    assertThat(s.get("retry-after.seconds")).isEqualTo("9");
  }

  @Test
  void oneKeyInBothForms_isRefused_namingIt() {
    assertThatThrownBy(
            () ->
                fromYaml(
                    """
                    kafka.sasl.username: a
                    kafka:
                      sasl:
                        username: b
                    """))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Setting kafka.sasl.username is given twice in the "
                + yamlSource()
                + " (flat and nested forms); keep one of them.");
  }

  @Test
  void oneKeyTwiceInOneMap_isRefused() {
    assertThatThrownBy(() -> fromYaml("admin.port: 1\nadmin.port: 2\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("admin.port");
  }

  @Test
  void aMapOrListWhereAValueBelongs_isRefused() {
    assertThatThrownBy(() -> fromYaml("kafka:\n  sasl:\n    password:\n      - a\n"))
        .hasMessageContaining("kafka.sasl.password")
        .hasMessageContaining("Must be a single value, not a list.");
    assertThatThrownBy(() -> fromYaml("- admin.port\n")).hasMessageContaining("must be a map");
  }

  @Test
  void aSecondYamlDocument_isRefused_ratherThanIgnored() throws Exception {
    assertThatThrownBy(() -> fromYaml("admin.port: 1\n---\nadmin.port: 2\n"))
        .hasMessageContaining("holds 2 YAML documents");
    assertThat(fromYaml("").port("admin.port")).isEqualTo(13133);
    assertThat(fromYaml("# only a comment\n").port("admin.port")).isEqualTo(13133);
  }

  @Test
  void anEmptyValue_isTheEmptyString() throws Exception {
    assertThat(fromYaml("kafka.sasl.username:\n").get("kafka.sasl.username")).isEmpty();
  }

  // --- sections ------------------------------------------------------------------------------

  @Test
  void sections_areReadWhole_andAMapSectionAlsoEntryByEntry() throws Exception {
    Settings s =
        fromYaml(
            """
            tenants:
              acme:
                spans-per-second: 500
            tenants.globex:
              spans-per-second: 7
            redaction:
              - key: user.email
                action: hash
            api-keys:
              k.with.dots: acme
            """);

    JsonNode tenants = s.section("tenants");
    assertThat(tenants.path("acme").path("spans-per-second").asInt()).isEqualTo(500);
    assertThat(tenants.path("globex").path("spans-per-second").asInt()).isEqualTo(7);
    assertThat(s.section("redaction").isArray()).isTrue();
    assertThat(s.section("api-keys").path("k.with.dots").asText()).isEqualTo("acme");
    assertThat(s.file().path("tenants")).isEqualTo(tenants);
    assertThat(fromProperties(Map.of()).section("tenants").isMissingNode()).isTrue();
  }

  @Test
  void oneSectionEntryInBothForms_isRefused() {
    assertThatThrownBy(
            () ->
                fromYaml(
                    """
                    tenants:
                      acme: {spans-per-second: 1}
                    tenants.acme: {spans-per-second: 2}
                    """))
        .hasMessageStartingWith("Setting tenants.acme is given twice");
  }

  @Test
  void aSectionAsASystemProperty_isRefused() {
    assertThatThrownBy(() -> fromProperties(Map.of("tenants", "x")))
        .hasMessageContaining("tenants can be given only as a section of the YAML file");
  }

  @Test
  void requireKnownFields_namesTheUnknownFieldAndTheClosestOne() throws Exception {
    Settings s = fromYaml("tenants:\n  acme:\n    spans-per-secnd: 5\n");

    assertThatThrownBy(
            () ->
                s.requireKnownFields(
                    s.section("tenants").path("acme"),
                    "tenants.acme",
                    Set.of("spans-per-second", "bytes-per-second")))
        .hasMessage(
            "unknown setting tenants.acme.spans-per-secnd (YAML file); did you mean"
                + " tenants.acme.spans-per-second?");
  }

  // --- durations -----------------------------------------------------------------------------

  @Test
  void millis_acceptsPlainMillisecondsAndUnitSuffixes() {
    Map<String, Duration> forms =
        Map.of(
            "250", Duration.ofMillis(250),
            "500ms", Duration.ofMillis(500),
            "10s", Duration.ofSeconds(10),
            "5m", Duration.ofMinutes(5),
            "1h", Duration.ofHours(1),
            "2d", Duration.ofDays(2));
    forms.forEach(
        (text, expected) ->
            assertThat(fromProperties(Map.of("retry.backoff.ms", text)).millis("retry.backoff.ms"))
                .as(text)
                .isEqualTo(expected));
  }

  @Test
  void badDurations_nameTheKeyTheValueAndTheAcceptedForms() {
    for (String bad : new String[] {"10 s", "1.5s", "10x", "ms", "10S", "", "99999999999999999d"}) {
      Settings s = fromProperties(Map.of("retry.backoff.ms", bad));
      assertThatThrownBy(() -> s.millis("retry.backoff.ms"))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("retry.backoff.ms=" + bad.strip())
          .hasMessageContaining("500ms, 10s, 5m, 1h");
    }
    for (String notPositive : new String[] {"0", "-5", "0s"}) {
      Settings s = fromProperties(Map.of("retry.backoff.ms", notPositive));
      assertThatThrownBy(() -> s.millis("retry.backoff.ms"))
          .hasMessageContaining("retry.backoff.ms=" + notPositive)
          .hasMessageContaining("Must be a positive duration");
    }
  }

  @Test
  void durationsInOtherUnits_convertSuffixes_andRefuseFractions() {
    assertThat(
            fromProperties(Map.of("retry-after.seconds", "2000ms"))
                .durationAtLeast("retry-after.seconds", TimeUnit.SECONDS, 0))
        .isEqualTo(2);
    assertThat(
            fromProperties(Map.of("retry-after.seconds", "3"))
                .durationAtLeast("retry-after.seconds", TimeUnit.SECONDS, 0))
        .isEqualTo(3);
    assertThat(
            fromProperties(Map.of("retention.days", "48h"))
                .durationAtLeast("retention.days", TimeUnit.DAYS, 1))
        .isEqualTo(2);
    assertThat(
            fromProperties(Map.of("retention.days", "7d"))
                .durationAtLeast("retention.days", TimeUnit.DAYS, 1))
        .isEqualTo(7);

    Settings fraction = fromProperties(Map.of("retention.days", "36h"));
    assertThatThrownBy(() -> fraction.durationAtLeast("retention.days", TimeUnit.DAYS, 1))
        .hasMessageContaining("retention.days=36h")
        .hasMessageContaining("Must be a whole number of days");
    Settings tooSmall = fromProperties(Map.of("retention.days", "0"));
    assertThatThrownBy(() -> tooSmall.durationAtLeast("retention.days", TimeUnit.DAYS, 1))
        .hasMessageContaining("Must be at least 1 days");
    Settings tooLarge = fromProperties(Map.of("retry.backoff.ms", "30d"));
    assertThatThrownBy(
            () -> tooLarge.intDurationAtLeast("retry.backoff.ms", TimeUnit.MILLISECONDS, 0))
        .hasMessageContaining("Must be at most 2147483647 milliseconds");
  }

  @Test
  void durationsFromYaml_mayBeNumbersOrText() throws Exception {
    Settings s = fromYaml("retry.backoff.ms: 750\nretry-after.seconds: 1m\n");
    assertThat(s.millis("retry.backoff.ms")).isEqualTo(Duration.ofMillis(750));
    assertThat(s.durationAtLeast("retry-after.seconds", TimeUnit.SECONDS, 0)).isEqualTo(60);
  }

  // --- the spec itself -----------------------------------------------------------------------

  @Test
  void appNames_areLettersAndDigits_soNoAppsPrefixIsTheStartOfAnothers() {
    assertThatThrownBy(() -> SettingsSpec.builder("index-sink"))
        .hasMessageContaining("lower-case letters and digits");
    assertThatThrownBy(() -> SettingsSpec.builder("index_sink"))
        .hasMessageContaining("lower-case letters and digits");
  }

  @Test
  void aFlatKeyInsideASection_isADeclarationError() {
    assertThatThrownBy(
            () ->
                SettingsSpec.builder("app")
                    .settings(Map.of("tenants.default", "x"))
                    .sections("tenants")
                    .build())
        .hasMessageContaining("flat key tenants.default is inside section tenants");
  }

  @Test
  void twoKeysWithOneEnvironmentName_areADeclarationError() {
    assertThatThrownBy(
            () -> SettingsSpec.of("app", Map.of("max.poll-records", "1", "max.poll.records", "1")))
        .hasMessageContaining("one environment variable name");
  }
}
