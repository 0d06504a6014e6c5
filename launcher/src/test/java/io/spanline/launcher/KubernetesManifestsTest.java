package io.spanline.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.spanline.archive.config.ArchiveSinkConfigLoader;
import io.spanline.assembly.config.AssemblyConfigLoader;
import io.spanline.gateway.config.GatewayConfigLoader;
import io.spanline.index.config.IndexSinkConfigLoader;
import io.spanline.query.config.QueryConfigLoader;
import io.spanline.sampling.config.SamplingConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example manifests in deploy/kubernetes/ against the services' own defaults. */
class KubernetesManifestsTest {
  private static final Path MANIFESTS = Path.of("..", "deploy", "kubernetes");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** Container port name → the setting holding that port. */
  private static final Map<String, String> PORT_SETTINGS =
      Map.of(
          "admin", "admin.port",
          "otlp-grpc", "otlp.grpc.port",
          "otlp-http", "otlp.http.port",
          "http", "http.port");

  private static final Set<String> STREAMS_APPS = Set.of("assembly", "sampling");

  private static List<JsonNode> documents;

  @BeforeAll
  static void readManifests() throws IOException {
    documents = new ArrayList<>();
    try (Stream<Path> files = Files.list(MANIFESTS)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        try (MappingIterator<JsonNode> docs =
            YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
          while (docs.hasNext()) {
            JsonNode doc = docs.next();
            if (doc != null && !doc.isEmpty()) {
              documents.add(doc);
            }
          }
        }
      }
    }
  }

  @Test
  void everyServiceRunsAsAWorkloadOfTheImageWithItsSubcommand() {
    for (Service service : Service.ALL) {
      JsonNode workload = workload(service);
      String kind = workload.path("kind").asText();
      if (STREAMS_APPS.contains(service.command())) {
        assertThat(kind).as(service.command()).isEqualTo("StatefulSet");
        assertThat(workload.at("/spec/replicas").asInt()).as("standby needs two").isGreaterThan(1);
        assertThat(workload.at("/spec/volumeClaimTemplates/0/metadata/name").asText())
            .isEqualTo("state");
        assertThat(workload.at("/spec/template/spec/terminationGracePeriodSeconds").asInt())
            .as("above the 60 s Kafka Streams close limit")
            .isGreaterThan(60);
      } else {
        assertThat(kind).as(service.command()).isEqualTo("Deployment");
      }
      JsonNode container = container(workload);
      assertThat(container.path("args").get(0).asText()).isEqualTo(service.command());
      assertThat(workload.at("/spec/template/spec/securityContext/runAsNonRoot").asBoolean())
          .isTrue();
      assertThat(workload.at("/spec/template/spec/enableServiceLinks").asBoolean(true)).isFalse();
      assertThat(container.at("/resources/requests/cpu").asText()).isNotEmpty();
      assertThat(container.at("/resources/requests/memory").asText()).isNotEmpty();
    }
  }

  @Test
  void everyContainerPort_isTheServicesDefaultPort_andEveryDefaultPortIsExposed() {
    for (Service service : Service.ALL) {
      Map<String, String> defaults = service.defaults().get();
      Set<String> exposed = new HashSet<>();
      for (JsonNode port : container(workload(service)).path("ports")) {
        String setting = PORT_SETTINGS.get(port.path("name").asText());
        assertThat(setting).as("%s port %s", service.command(), port).isNotNull();
        assertThat(port.path("containerPort").asText())
            .as("%s %s", service.command(), setting)
            .isEqualTo(defaults.get(setting));
        exposed.add(setting);
      }
      assertThat(exposed)
          .as(service.command())
          .containsExactlyInAnyOrderElementsOf(
              PORT_SETTINGS.values().stream().filter(defaults::containsKey).toList());
    }
  }

  @Test
  void probes_hitTheAdminPort_healthzForLiveness_readyzForReadiness() {
    for (Service service : Service.ALL) {
      JsonNode container = container(workload(service));
      assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/healthz");
      assertThat(container.at("/livenessProbe/httpGet/port").asText()).isEqualTo("admin");
      assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/readyz");
      assertThat(container.at("/readinessProbe/httpGet/port").asText()).isEqualTo("admin");
    }
  }

  @Test
  void everyServicesConfigFile_isInTheConfigMap_andAcceptedByItsStrictLoader(@TempDir Path dir)
      throws IOException {
    JsonNode data = named("ConfigMap", "spanline-config").path("data");
    Map<String, Function<Map<String, String>, ?>> loaders =
        Map.of(
            "gateway", env -> GatewayConfigLoader.load(env, Map.of()),
            "assembly", env -> AssemblyConfigLoader.load(env, Map.of()),
            "sampling", env -> SamplingConfigLoader.load(env, Map.of()),
            "index", env -> IndexSinkConfigLoader.load(env, Map.of()),
            "archive", env -> ArchiveSinkConfigLoader.load(env, Map.of()),
            "query", env -> QueryConfigLoader.load(env, Map.of()));
    for (Service service : Service.ALL) {
      String variable = "SPANLINE_" + service.app().toUpperCase() + "_CONFIG_FILE";
      String path = env(container(workload(service)), variable).path("value").asText();
      assertThat(path).as(variable).startsWith("/etc/spanline/");
      String file = path.substring("/etc/spanline/".length());
      assertThat(data.has(file)).as("ConfigMap holds %s", file).isTrue();

      Path copy = dir.resolve(file);
      Files.writeString(copy, data.path(file).asText());
      // the container's whole environment, secrets resolved from the Secret
      JsonNode secret = named("Secret", "spanline-secrets").path("stringData");
      Map<String, String> environment = new HashMap<>();
      for (JsonNode env : container(workload(service)).path("env")) {
        JsonNode ref = env.at("/valueFrom/secretKeyRef/key");
        environment.put(
            env.path("name").asText(),
            ref.isMissingNode() ? env.path("value").asText() : secret.path(ref.asText()).asText());
      }
      environment.put(variable, copy.toString());
      assertThat(loaders.get(service.app()).apply(environment)).as(file).isNotNull();
      if (STREAMS_APPS.contains(service.command())) {
        assertThat(YAML.readTree(copy.toFile()).at("/streams/num.standby.replicas").asInt())
            .as("%s keeps a standby replica", file)
            .isGreaterThanOrEqualTo(1);
      }
    }
  }

  @Test
  void everySecretReference_namesAKeyOfTheSecret() {
    JsonNode secret = named("Secret", "spanline-secrets").path("stringData");
    for (Service service : Service.ALL) {
      for (JsonNode env : container(workload(service)).path("env")) {
        JsonNode ref = env.at("/valueFrom/secretKeyRef");
        if (!ref.isMissingNode()) {
          assertThat(ref.path("name").asText()).isEqualTo("spanline-secrets");
          assertThat(secret.has(ref.path("key").asText()))
              .as("%s: %s", service.command(), ref)
              .isTrue();
        }
      }
    }
  }

  @Test
  void theGatewayAndQueryServicesRouteToTheirNamedPorts() {
    assertThat(
            named("Service", "spanline-gateway").at("/spec/ports").findValuesAsText("targetPort"))
        .containsExactlyInAnyOrder("otlp-grpc", "otlp-http");
    assertThat(named("Service", "spanline-query").at("/spec/ports").findValuesAsText("targetPort"))
        .containsExactly("http");
  }

  private static JsonNode workload(Service service) {
    return documents.stream()
        .filter(d -> Set.of("Deployment", "StatefulSet").contains(d.path("kind").asText()))
        .filter(d -> d.at("/metadata/name").asText().equals("spanline-" + service.command()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no workload spanline-" + service.command()));
  }

  private static JsonNode named(String kind, String name) {
    return documents.stream()
        .filter(d -> d.path("kind").asText().equals(kind))
        .filter(d -> d.at("/metadata/name").asText().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
  }

  private static JsonNode container(JsonNode workload) {
    JsonNode containers = workload.at("/spec/template/spec/containers");
    assertThat(containers.size()).isEqualTo(1);
    return containers.get(0);
  }

  private static JsonNode env(JsonNode container, String name) {
    for (JsonNode env : container.path("env")) {
      if (env.path("name").asText().equals(name)) {
        return env;
      }
    }
    throw new AssertionError("no environment variable " + name);
  }
}
