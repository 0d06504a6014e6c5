package io.spanline.allinone;

import io.spanline.allinone.demo.DemoSettings;
import io.spanline.allinone.demo.DemoWorkload;
import io.spanline.localinfra.LocalInfraConfig;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.service.logging.LogSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code spanline} command: {@code spanline up [--demo]} runs the whole pipeline on embedded
 * infrastructure until Ctrl-C ({@link AllInOne}); with {@code --demo} also the demo workload
 * ({@link DemoWorkload}). Ports and the data folder are local-infra's settings ({@link
 * LocalInfraConfig}); service settings are system properties {@code spanline.<app>.<key>}.
 */
@Command(
    name = "spanline",
    mixinStandardHelpOptions = true,
    subcommands = {SpanlineMain.Up.class},
    description = "Spanline, a Kafka-native tracing backend.")
public final class SpanlineMain implements Runnable {
  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  public static void main(String[] args) {
    quietLibraryLogging();
    System.exit(new CommandLine(new SpanlineMain()).execute(args));
  }

  /**
   * Raises the default log levels (Logback, through service-support's LogSettings) for the
   * all-in-one's console (unless a system property already sets them); call before anything logs.
   */
  public static void quietLibraryLogging() {
    // The progress lines tell what happens; libraries' start-up chatter (Kafka's above all) would
    // drown them. SPANLINE_LOG_LEVELS=root=info (or -Dspanline.log.levels=root=info) brings it
    // back: levels given there apply after these.
    //
    // The embedded broker logs every refused produce request at ERROR, also the retriable ones a
    // client simply sends again: at start-up a transactional producer's pipelined batch can reach a
    // partition before the producer's first batch there has been verified (transactions v2,
    // KAFKA-18202), and is refused as out of order until it has; the client retries it and nothing
    // is lost. Refusals that matter reach the client that sent the request, which logs them.
    // Every service registers Armeria's shared blocking executor's meters: a warning each time.
    quietByDefault(
        "root=warn,org.apache.kafka=error,kafka.server.ReplicaManager=off,io.micrometer=error");
  }

  /** Sets {@code levels} before the levels the user gave (environment, then system property). */
  private static void quietByDefault(String levels) {
    StringBuilder all = new StringBuilder(levels);
    for (String given :
        new String[] {
          System.getenv(LogSettings.LEVELS_VARIABLE),
          System.getProperty(LogSettings.LEVELS_PROPERTY)
        }) {
      if (given != null && !given.isBlank()) {
        all.append(',').append(given);
      }
    }
    System.setProperty(LogSettings.LEVELS_PROPERTY, all.toString());
  }

  @Command(
      name = "up",
      mixinStandardHelpOptions = true,
      description =
          "Starts embedded Kafka, OpenSearch, S3-compatible store and schema registry and every"
              + " Spanline service in this JVM; Ctrl-C stops everything. Data stays in the data"
              + " folder (SPANLINE_DATA_DIR, default ./data).")
  /** {@code spanline up [--demo]}: the whole pipeline on embedded infrastructure until Ctrl-C. */
  public static final class Up implements Callable<Integer> {
    @Option(names = "--demo", description = "Also run the demo workload (simulated shop).")
    boolean demo;

    @Option(
        names = "--demo-rate",
        defaultValue = "5",
        description = "Demo shop requests per second (default ${DEFAULT-VALUE}).")
    double demoRate;

    @Option(
        names = "--demo-error-rate",
        defaultValue = "0.05",
        description = "Share of demo payments that fail, 0 to 1 (default ${DEFAULT-VALUE}).")
    double demoErrorRate;

    @Option(
        names = "--demo-slow-rate",
        defaultValue = "0.05",
        description = "Share of demo payments slowed by 1.2 s, 0 to 1 (default ${DEFAULT-VALUE}).")
    double demoSlowRate;

    @Option(
        names = "--demo-tenant",
        defaultValue = "default",
        description = "Tenant of the demo's spans (default ${DEFAULT-VALUE}).")
    String demoTenant;

    @Override
    public Integer call() throws Exception {
      DemoSettings demoSettings =
          demo
              ? new DemoSettings(
                  demoRate,
                  demoErrorRate,
                  demoSlowRate,
                  Duration.ofMillis(1200),
                  DemoSettings.defaults().maxJitter(),
                  demoTenant)
              : null;
      LocalInfraConfig infra = LocalInfraConfig.fromEnvironment();
      Map<String, String> settings = new HashMap<>();
      System.getProperties()
          .forEach(
              (k, v) -> {
                if (k.toString().startsWith("spanline.")) {
                  settings.put(k.toString(), v.toString());
                }
              });
      String security = System.getenv("SPANLINE_SECURITY");
      if (security != null) {
        settings.putIfAbsent(AllInOne.SECURITY, security);
      }
      Path data = infra.dataDir().toAbsolutePath();
      System.out.println("Spanline all-in-one; data in " + data);
      long began = System.nanoTime();
      AllInOne all =
          AllInOne.start(
              AllInOneConfig.defaults(infra, settings), line -> System.out.println(line));
      DemoWorkload workload =
          demo
              ? DemoWorkload.start(
                  demoSettings,
                  all.otlpHttpEndpoint(),
                  all.infra().kafka().bootstrapServers(),
                  null)
              : null;
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    System.out.println("Stopping Spanline …");
                    if (workload != null) {
                      System.out.println("Stopping the demo workload …");
                      workload.close();
                    }
                    all.close();
                    System.out.println("Stopped; data stays in " + data);
                    stopped.countDown();
                  },
                  "spanline-shutdown"));
      System.out.printf(
          "%nSpanline is up (%.1f s).%n"
              + "  OTLP/gRPC         %s%n"
              + "  OTLP/HTTP         %s%n"
              + "  Web UI and APIs   %s%n"
              + "  Kafka             %s (SASL_SSL %s)%n"
              + "  OpenSearch        %s (HTTPS, basic auth: %s)%n"
              + "  S3 endpoint       %s%n"
              + "  Schema registry   %s (HTTPS, basic auth: %s)%n"
              + "  Secured endpoints user %s, password in %s, trust store %s (or PEM beside it)%n"
              + "%s"
              + "Ctrl-C stops everything.%n",
          (System.nanoTime() - began) / 1e9,
          all.otlpGrpcEndpoint(),
          all.otlpHttpEndpoint(),
          all.queryUri(),
          all.infra().kafka().bootstrapServers(),
          all.infra().kafka().secured().bootstrapServers(),
          all.infra().openSearch().uri(),
          all.infra().openSearchSecuredUri(),
          all.infra().s3().endpoint(),
          all.infra().registry().uri(),
          all.infra().registry().securedUri(),
          LocalKafka.SCRAM_USER,
          all.infra().kafka().secured().certificates().keyStore().resolveSibling("scram-password"),
          all.infra().kafka().secured().certificates().trustStore(),
          demo
              ? String.format(
                  "  Demo workload     %.1f requests/s over %s; traces appear in the UI after"
                      + " the assembly idle timeout (10 s)%n",
                  demoRate, String.join(", ", DemoWorkload.SERVICES))
              : "");
      stopped.await();
      return 0;
    }
  }
}
