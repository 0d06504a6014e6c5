package io.spanline.launcher;

import io.spanline.allinone.SpanlineMain;
import io.spanline.archive.config.ArchiveSinkConfigLoader;
import io.spanline.gateway.GatewayBackfill;
import io.spanline.index.config.IndexSinkConfigLoader;
import io.spanline.localinfra.LocalInfraConfig;
import io.spanline.localinfra.LocalInfraMain;
import io.spanline.sampling.SamplingReplay;
import io.spanline.sampling.config.SamplingConfigLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * The {@code spanline} command: {@code up [--demo]} (everything in one JVM on embedded
 * infrastructure), one subcommand per service ({@code gateway}, {@code assembly}, {@code sampling},
 * {@code index-sink}, {@code archive-sink}, {@code query}), {@code replay} (the sampling stream's
 * replay and dry-run), {@code generation} (re-sample days into a new index generation, compare,
 * promote, discard), {@code backfill} (the gateway's loader of OTLP files and topics) and {@code
 * local-infra} (the embedded servers alone). {@code --help} on each lists its settings with their
 * defaults. Exit codes: 0 done, 1 failed, 2 bad arguments.
 */
@Command(
    name = "spanline",
    mixinStandardHelpOptions = true,
    versionProvider = Launcher.Version.class,
    description = "Spanline, a Kafka-native tracing backend.",
    footer = {
      "%nEach service reads its settings from defaults, a YAML file, the environment and system"
          + " properties: `spanline <command> --help` lists them. JVM options: SPANLINE_JAVA_OPTS."
    })
public final class Launcher implements Runnable {
  private Launcher() {}

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("up")) {
      SpanlineMain.quietLibraryLogging();
    }
    System.exit(commandLine().execute(args));
  }

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  /** The command with every subcommand, as {@link #main} runs it. */
  static CommandLine commandLine() {
    CommandLine line = new CommandLine(new Launcher());
    CommandLine up = new CommandLine(new SpanlineMain.Up());
    up.setUsageHelpWidth(120);
    up.getCommandSpec()
        .usageMessage()
        .footer(
            escape(
                "%nService settings: system properties spanline.<app>.<key> in SPANLINE_JAVA_OPTS"
                    + " (app: gateway assembly sampling index archive query; keys: `spanline"
                    + " <service> --help`).%n"
                    + SettingsHelp.forLocalInfra(LocalInfraConfig.settingDefaults())));
    line.addSubcommand("up", up);
    for (Service service : Service.ALL) {
      line.addSubcommand(service.command(), new ServiceCommand(service).commandLine());
    }
    line.addSubcommand("replay", new Replay());
    line.addSubcommand("backfill", new Backfill());
    line.addSubcommand(
        "generation",
        new GenerationCommand(
                SamplingConfigLoader::load,
                IndexSinkConfigLoader::load,
                ArchiveSinkConfigLoader::load,
                System.out,
                System.err,
                java.time.Clock.systemUTC())
            .commandLine());
    CommandLine localInfra = new CommandLine(new LocalInfra());
    localInfra.setUsageHelpWidth(120);
    localInfra
        .getCommandSpec()
        .usageMessage()
        .footer(escape("%n" + SettingsHelp.forLocalInfra(LocalInfraConfig.settingDefaults())));
    line.addSubcommand("local-infra", localInfra);
    return line;
  }

  /** Text for picocli's usage, which formats it: {@code %n} stays, other {@code %} are literal. */
  static String escape(String text) {
    return text.replace("%", "%%").replace("%%n", "%n");
  }

  /** {@code spanline replay …}: every argument goes to the sampling stream's replay command. */
  @Command(
      name = "replay",
      description =
          "Re-sample a time range of the assembled traces with another policy file, or --dry-run"
              + " to compare; `spanline replay --help` lists its options. Kafka and registry"
              + " settings: the sampling stream's (SPANLINE_SAMPLING_*).")
  static final class Replay implements Callable<Integer> {
    @Unmatched List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
      return SamplingReplay.run("spanline replay", System.out, args.toArray(String[]::new));
    }
  }

  /** {@code spanline backfill …}: every argument goes to the gateway's backfill command. */
  @Command(
      name = "backfill",
      description =
          "Load spans from OTLP files (the Collector file exporter's formats) or another Kafka"
              + " topic into otlp_spans through the gateway's validation, limits and redaction;"
              + " `spanline backfill --help` lists its options. Kafka, topic and limits: the"
              + " gateway's settings (SPANLINE_GATEWAY_*).")
  static final class Backfill implements Callable<Integer> {
    @Unmatched List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
      return GatewayBackfill.run(
          "spanline backfill", System.out, System.err, args.toArray(String[]::new));
    }
  }

  /** {@code spanline local-infra}: the embedded servers alone, until Ctrl-C. */
  @Command(
      name = "local-infra",
      mixinStandardHelpOptions = true,
      versionProvider = Version.class,
      description =
          "Starts Kafka, OpenSearch, an S3-compatible store and a schema registry on 127.0.0.1"
              + " for local runs (not for production); Ctrl-C stops them.")
  static final class LocalInfra implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      LocalInfraMain.main(new String[0]);
      return 0;
    }
  }

  /** The version from the jar's manifest (the build's project version). */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Launcher.class.getPackage().getImplementationVersion();
      return new String[] {"Spanline " + (version == null ? "(development build)" : version)};
    }
  }
}
