package io.spanline.allinone;

import io.spanline.allinone.demo.DemoWorkload;
import io.spanline.archive.ArchiveSinkApp;
import io.spanline.archive.config.ArchiveSinkConfigLoader;
import io.spanline.assembly.TraceAssemblyApp;
import io.spanline.assembly.config.AssemblyConfigLoader;
import io.spanline.gateway.Gateway;
import io.spanline.gateway.config.GatewayConfigLoader;
import io.spanline.index.IndexSinkApp;
import io.spanline.index.config.IndexSinkConfigLoader;
import io.spanline.localinfra.LocalInfra;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.s3.LocalS3;
import io.spanline.localinfra.tls.LocalCertificates;
import io.spanline.query.QueryServiceApp;
import io.spanline.query.config.QueryConfigLoader;
import io.spanline.sampling.SamplingApp;
import io.spanline.sampling.config.SamplingConfigLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Every Spanline service in this JVM on the embedded infrastructure of local-infra: Kafka (KRaft),
 * OpenSearch (a child JVM), an S3-compatible store and the schema registry, then the gateway, trace
 * assembly, sampling, index sink, archive sink and query service, in pipeline order. Topics, index
 * templates and the archive bucket are created on the way. Data stays under {@link
 * AllInOneConfig#dataDir()} across restarts.
 *
 * <p>Settings: the all-in-one points every service at the embedded servers, keeps their state under
 * the data folder, gives sampling the demo policy file ({@value #DEMO_POLICIES}) and otherwise
 * leaves each service's defaults; {@link AllInOneConfig#settings()} overrides any of them but the
 * servers' addresses.
 */
public final class AllInOne implements AutoCloseable {
  /** The sampling policies of the all-in-one, a resource of this module. */
  public static final String DEMO_POLICIES = "demo-policies.yaml";

  /** A started part, named for progress lines. */
  private record Part(String name, AutoCloseable closeable) {}

  private final LocalInfra infra;
  private final Deque<Part> started;
  private final Consumer<String> progress;
  private final Gateway gateway;
  private final SamplingApp sampling;
  private final QueryServiceApp query;
  private final Map<String, Integer> adminPorts;

  private AllInOne(
      LocalInfra infra,
      Deque<Part> started,
      Consumer<String> progress,
      Gateway gateway,
      SamplingApp sampling,
      QueryServiceApp query,
      Map<String, Integer> adminPorts) {
    this.infra = infra;
    this.started = started;
    this.progress = progress;
    this.gateway = gateway;
    this.sampling = sampling;
    this.query = query;
    this.adminPorts = Map.copyOf(adminPorts);
  }

  /**
   * Starts everything, reporting each step to {@code progress} as it begins and ends.
   *
   * @throws Exception from the first part that cannot start; what had started is stopped again
   */
  static AllInOne start(AllInOneConfig config, Consumer<String> progress) throws Exception {
    Files.createDirectories(config.dataDir());
    Deque<Part> started = new ArrayDeque<>();
    String servers = "embedded Kafka, OpenSearch, S3-compatible store and schema registry";
    LocalInfra infra =
        step(
            progress,
            servers,
            () -> {
              try {
                return LocalInfra.start(config.infra());
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    started.push(new Part(servers, infra));
    try {
      step(
          progress,
          "pipeline topics",
          () -> {
            try {
              infra.createPipelineTopics();
              return null;
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          });
      Map<String, String> props = settings(config, infra);
      Map<String, String> env = System.getenv();
      Gateway gateway =
          start(
              started,
              progress,
              "span ingest gateway",
              () -> Gateway.start(GatewayConfigLoader.load(env, props)));
      TraceAssemblyApp assembly =
          start(
              started,
              progress,
              "trace assembly stream",
              () -> TraceAssemblyApp.start(AssemblyConfigLoader.load(env, props)));
      SamplingApp sampling =
          start(
              started,
              progress,
              "sampling stream",
              () -> SamplingApp.start(SamplingConfigLoader.load(env, props)));
      IndexSinkApp index =
          start(
              started,
              progress,
              "index sink (and OpenSearch index templates)",
              () -> IndexSinkApp.start(IndexSinkConfigLoader.load(env, props)));
      ArchiveSinkApp archive =
          start(
              started,
              progress,
              "archive sink (and the S3 bucket)",
              () -> ArchiveSinkApp.start(ArchiveSinkConfigLoader.load(env, props)));
      QueryServiceApp query =
          start(
              started,
              progress,
              "query service and web UI",
              () -> QueryServiceApp.start(QueryConfigLoader.load(env, props)));
      Map<String, Integer> adminPorts = new java.util.LinkedHashMap<>();
      adminPorts.put("gateway", gateway.adminPort());
      adminPorts.put("assembly", assembly.adminPort());
      adminPorts.put("sampling", sampling.adminPort());
      adminPorts.put("index", index.adminPort());
      adminPorts.put("archive", archive.adminPort());
      adminPorts.put("query", query.adminPort());
      return new AllInOne(infra, started, progress, gateway, sampling, query, adminPorts);
    } catch (Exception | Error e) {
      closeAll(started, progress);
      throw e;
    }
  }

  private static <T extends AutoCloseable> T start(
      Deque<Part> started, Consumer<String> progress, String what, Supplier<T> start) {
    T part = step(progress, what, start);
    started.push(new Part(what, part));
    return part;
  }

  private static <T> T step(Consumer<String> progress, String what, Supplier<T> start) {
    progress.accept("Starting " + what + " …");
    long began = System.nanoTime();
    T result = start.get();
    progress.accept(String.format("Started %s in %.1f s", what, (System.nanoTime() - began) / 1e9));
    return result;
  }

  /**
   * How the services reach the embedded servers: {@code plaintext} (the default), or {@code
   * secured}, as a secured estate is joined: Kafka over the broker's SASL_SSL listener
   * (SCRAM-SHA-512 over TLS), the schema registry over HTTPS with basic auth, OpenSearch over HTTPS
   * with basic auth (a TLS-terminating front), all trusting the certificate local-infra made.
   */
  public static final String SECURITY = "spanline.security";

  /** The services' settings: the embedded servers' addresses, data folders, then overrides. */
  static Map<String, String> settings(AllInOneConfig config, LocalInfra infra) {
    String security = config.settings().getOrDefault(SECURITY, "plaintext");
    boolean secured;
    switch (security.toLowerCase(java.util.Locale.ROOT)) {
      case "plaintext" -> secured = false;
      case "secured" -> secured = true;
      default ->
          throw new IllegalArgumentException(
              "Invalid " + SECURITY + " '" + security + "': must be plaintext or secured");
    }
    if (!secured) {
      return serviceSettings(
          config,
          infra.kafka().bootstrapServers(),
          infra.registry().uri(),
          infra.openSearch().uri(),
          infra.s3().endpoint());
    }
    Map<String, String> p =
        serviceSettings(
            config,
            infra.kafka().secured().bootstrapServers(),
            infra.registry().securedUri(),
            infra.openSearchSecuredUri(),
            infra.s3().endpoint());
    p.putAll(securedSettings(infra.kafka().secured()));
    return p;
  }

  /**
   * Every Kafka client of every service over the broker's SASL_SSL listener; the registry and
   * OpenSearch clients with basic auth and the local certificate (as PEM for the registry, as a
   * PKCS12 trust store for OpenSearch: both forms in use).
   */
  static Map<String, String> securedSettings(LocalKafka.SecuredListener listener) {
    Map<String, String> p = new HashMap<>();
    LocalCertificates certificates = listener.certificates();
    for (String app : new String[] {"gateway", "assembly", "sampling", "index", "archive"}) {
      String k = "spanline." + app + ".kafka.";
      p.put(k + "security.protocol", "SASL_SSL");
      p.put(k + "sasl.mechanism", "SCRAM-SHA-512");
      p.put(k + "sasl.username", LocalKafka.SCRAM_USER);
      p.put(k + "sasl.password", listener.password());
      p.put(k + "ssl.truststore.location", certificates.trustStore().toString());
      p.put(k + "ssl.truststore.password", certificates.password());
      p.put(k + "ssl.truststore.type", "PKCS12");
    }
    for (String app : new String[] {"assembly", "sampling", "index", "archive"}) {
      String k = "spanline." + app + ".schema-registry.";
      p.put(k + "username", LocalKafka.SCRAM_USER);
      p.put(k + "password", listener.password());
      p.put(k + "ssl.truststore.location", certificates.certificatePem().toString());
      p.put(k + "ssl.truststore.type", "PEM");
    }
    for (String app : new String[] {"index", "query"}) {
      String k = "spanline." + app + ".opensearch.";
      p.put(k + "username", LocalKafka.SCRAM_USER);
      p.put(k + "password", listener.password());
      p.put(k + "ssl.truststore.location", certificates.trustStore().toString());
      p.put(k + "ssl.truststore.password", certificates.password());
      p.put(k + "ssl.truststore.type", "PKCS12");
    }
    return p;
  }

  /**
   * The settings, as system properties ({@code spanline.<app>.<key>}), with which every service
   * runs on local-infra's servers at the given addresses, whether in this JVM or each in its own
   * (the chaos suite): data folders under {@code config.dataDir()}, the demo policy file, 127.0.0.1
   * binds, one-node index replicas, then {@code config.settings()}; the servers' addresses cannot
   * be overridden.
   */
  public static Map<String, String> serviceSettings(
      AllInOneConfig config, String kafka, URI registryUri, URI openSearchUri, URI s3Endpoint) {
    Path data = config.dataDir().toAbsolutePath();
    String registry = registryUri.toString();
    String openSearch = openSearchUri.toString();
    String s3 = s3Endpoint.toString();
    Map<String, String> p = new HashMap<>();
    for (String app : new String[] {"gateway", "assembly", "sampling", "index", "archive"}) {
      p.put("spanline." + app + ".kafka.bootstrap.servers", kafka);
    }
    for (String app : new String[] {"assembly", "sampling", "index", "archive"}) {
      p.put("spanline." + app + ".schema-registry.url", registry);
    }
    p.put("spanline.gateway.bind.address", "127.0.0.1");
    p.put("spanline.gateway.otlp.grpc.port", String.valueOf(config.otlpGrpcPort()));
    p.put("spanline.gateway.otlp.http.port", String.valueOf(config.otlpHttpPort()));
    p.put("spanline.assembly.state.dir", data.resolve("assembly").toString());
    p.put("spanline.sampling.state.dir", data.resolve("sampling").toString());
    p.put("spanline.sampling.policy.file", demoPolicies(data).toString());
    p.put("spanline.index.opensearch.hosts", openSearch);
    p.put("spanline.index.index.replicas", "0"); // one OpenSearch node: replicas never assign
    // the default allowlist plus the demo's payment provider, which "What is different?" compares
    p.put(
        "spanline.index.index.attributes",
        IndexSinkConfigLoader.DEFAULT_ALLOWLIST + "," + DemoWorkload.PAYMENT_PROVIDER);
    p.put("spanline.query.opensearch.hosts", openSearch);
    for (String app : new String[] {"archive", "query"}) {
      p.put("spanline." + app + ".s3.endpoint", s3);
      p.put("spanline." + app + ".s3.region", LocalS3.REGION);
      p.put("spanline." + app + ".s3.path-style", "true");
      p.put("spanline." + app + ".s3.access-key", LocalS3.ACCESS_KEY);
      p.put("spanline." + app + ".s3.secret-key", LocalS3.SECRET_KEY);
    }
    p.put("spanline.archive.s3.create-bucket", "true");
    p.put("spanline.archive.work.dir", data.resolve("archive").toString());
    p.put("spanline.query.http.bind.address", "127.0.0.1");
    p.put("spanline.query.http.port", String.valueOf(config.queryPort()));
    for (String app :
        new String[] {"gateway", "assembly", "sampling", "index", "archive", "query"}) {
      p.put("spanline." + app + ".admin.bind.address", "127.0.0.1");
    }
    if (config.freeAdminPorts()) {
      for (String app :
          new String[] {"gateway", "assembly", "sampling", "index", "archive", "query"}) {
        p.put("spanline." + app + ".admin.port", "0");
      }
    }
    Map<String, String> merged = new HashMap<>(p);
    config.settings().forEach(merged::put);
    // the embedded servers' addresses are not for overriding
    p.forEach(
        (k, v) -> {
          if (k.endsWith("bootstrap.servers")
              || k.endsWith("schema-registry.url")
              || k.endsWith("opensearch.hosts")
              || k.endsWith("s3.endpoint")) {
            merged.put(k, v);
          }
        });
    return merged;
  }

  /** Writes the demo policy file into the data folder (kept up to date with this version). */
  private static Path demoPolicies(Path data) {
    Path file = data.resolve(DEMO_POLICIES);
    try (InputStream in = AllInOne.class.getResourceAsStream("/" + DEMO_POLICIES)) {
      if (in == null) {
        throw new IllegalStateException(DEMO_POLICIES + " is missing from the classpath");
      }
      byte[] bytes = in.readAllBytes();
      if (!Files.exists(file) || !Arrays.equals(Files.readAllBytes(file), bytes)) {
        Files.write(file, bytes);
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** OTLP/HTTP traces endpoint, e.g. {@code http://127.0.0.1:4318/v1/traces}. */
  URI otlpHttpEndpoint() {
    return URI.create("http://127.0.0.1:" + gateway.httpPort() + "/v1/traces");
  }

  /** OTLP/gRPC endpoint, e.g. {@code http://127.0.0.1:4317}. */
  URI otlpGrpcEndpoint() {
    return URI.create("http://127.0.0.1:" + gateway.grpcPort());
  }

  /** The query service: web UI at {@code /}, APIs under it. */
  URI queryUri() {
    return URI.create("http://127.0.0.1:" + query.port() + "/");
  }

  /** The sampling stream's admin port ({@code /metrics} with the RED metrics and exemplars). */
  int samplingAdminPort() {
    return sampling.adminPort();
  }

  /** Each service's admin port ({@code /metrics}), by app name: gateway, assembly, … query. */
  Map<String, Integer> adminPorts() {
    return adminPorts;
  }

  LocalInfra infra() {
    return infra;
  }

  /** Stops the services in reverse order, then the embedded servers; data stays. */
  @Override
  public void close() {
    closeAll(started, progress);
  }

  private static void closeAll(Deque<Part> started, Consumer<String> progress) {
    while (!started.isEmpty()) {
      Part part = started.pop();
      progress.accept("Stopping " + part.name() + " …");
      long began = System.nanoTime();
      try {
        part.closeable().close();
        progress.accept(
            String.format("Stopped %s in %.1f s", part.name(), (System.nanoTime() - began) / 1e9));
      } catch (Exception e) {
        progress.accept("Stopping " + part.name() + " failed: " + e);
      }
    }
  }
}
