package io.spanline.sampling.replay;

import io.spanline.sampling.config.SamplingConfig;
import io.spanline.sampling.config.SamplingConfigLoader;
import io.spanline.sampling.policy.PolicyFileException;
import io.spanline.sampling.policy.PolicyFileParser;
import io.spanline.sampling.policy.SamplingPolicies;
import io.spanline.schemas.registry.SchemaRegistryClient;
import io.spanline.schemas.topic.SpanlineTopics;
import io.spanline.service.config.KafkaSettings;
import io.spanline.service.config.RegistrySettings;
import io.spanline.service.process.ProgressLine;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spanline-sampling-replay}: re-samples a time range of {@code spanline.traces.assembled}
 * with a policy file into a named topic, or with {@code --dry-run} prints what the policy file
 * would keep next to what the running policy kept. Kafka, schema registry and topic names come from
 * the sampling stream's settings (environment {@code SPANLINE_SAMPLING_*}), overridable here. Both
 * show a progress line on standard error, continue from a {@code --checkpoint} file and honour a
 * {@code --rate} cap; the dry run's report is a table, JSON or CSV. Exit codes: 0 done, 1 failed, 2
 * bad arguments, 3 stopped before the end of the range with the checkpoint saved.
 */
@Command(
    name = "spanline-sampling-replay",
    mixinStandardHelpOptions = true,
    description =
        "Re-sample a time range of spanline.traces.assembled with another tail-sampling policy"
            + " file.")
public final class ReplayCommand implements Callable<Integer> {
  @Option(
      names = "--policy",
      required = true,
      description = "Policy file (Collector tail_sampling syntax).")
  Path policy;

  @Option(
      names = "--from",
      required = true,
      description = "Start of the range (inclusive), ISO-8601, e.g. 2026-11-22T10:00:00Z.")
  Instant from;

  @Option(names = "--to", required = true, description = "End of the range (exclusive), ISO-8601.")
  Instant to;

  @Option(
      names = "--output-topic",
      description = "Topic for the kept traces (created when missing). Required unless --dry-run.")
  String outputTopic;

  @Option(
      names = "--application-id",
      description =
          "Kafka Streams application.id of this replay; must not have been used before. Default: spanline-replay-<output topic>-<epoch seconds>.")
  String applicationId;

  @Option(
      names = "--dry-run",
      description =
          "Print what the policy would keep next to what the running policy kept; write nothing.")
  boolean dryRun;

  @Option(
      names = "--bootstrap-servers",
      description =
          "Kafka bootstrap servers (default: the sampling stream's kafka.bootstrap.servers).")
  String bootstrapServers;

  @Option(
      names = "--schema-registry-url",
      description =
          "Schema registry URL (default: the sampling stream's schema-registry.url); the"
              + " sampling stream's registry credentials and TLS settings apply.")
  String schemaRegistryUrl;

  @Option(
      names = "--checkpoint",
      paramLabel = "FILE",
      description =
          "Save where the run is to FILE (a dry run: every --checkpoint-every records and"
              + " --checkpoint-interval; a replay: its application.id and committed offsets at each"
              + " progress refresh; both on Ctrl-C, at --max-records and at the end); when FILE"
              + " exists, continue from it. A continued run ends as an uninterrupted one would.")
  Path checkpoint;

  @Option(
      names = "--checkpoint-every",
      defaultValue = "10000",
      paramLabel = "RECORDS",
      description =
          "Dry run: save the checkpoint after this many records. Default: ${DEFAULT-VALUE}.")
  long checkpointEvery;

  @Option(
      names = "--checkpoint-interval",
      defaultValue = "PT10S",
      description =
          "Dry run: save the checkpoint at least this often (ISO-8601 duration). Default:"
              + " ${DEFAULT-VALUE}.")
  Duration checkpointInterval;

  @Option(
      names = "--max-records",
      defaultValue = "0",
      description =
          "Stop after this many records of the assembled topic in this run (0: no limit), save the"
              + " checkpoint and exit with code 3. Default: ${DEFAULT-VALUE}.")
  long maxRecords;

  @Option(
      names = "--rate",
      defaultValue = "0",
      paramLabel = "PER_SECOND",
      description =
          "Read at most this many records (or spans, --rate-unit) of the assembled topic a second"
              + " (0: no cap). Default: ${DEFAULT-VALUE}.")
  long rate;

  @Option(
      names = "--rate-unit",
      defaultValue = "RECORDS",
      description = "What --rate counts: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
  RateCap.Unit rateUnit;

  @Option(
      names = "--output",
      defaultValue = "TABLE",
      description =
          "Dry run: the report on standard output as ${COMPLETION-CANDIDATES}. Default:"
              + " ${DEFAULT-VALUE}.")
  ReportFormat output;

  @Option(
      names = "--report",
      paramLabel = "FILE",
      description = "Dry run: also write the report to FILE, as JSON (.json) or CSV (.csv).")
  Path report;

  @Option(
      names = "--progress",
      defaultValue = "AUTO",
      description =
          "Progress on standard error: ${COMPLETION-CANDIDATES} (AUTO: TERMINAL when run from a"
              + " terminal, else PLAIN). Default: ${DEFAULT-VALUE}.")
  ProgressLine.Mode progress;

  @Option(
      names = "--progress-interval",
      defaultValue = "PT1S",
      description = "Refresh the progress line this often. Default: ${DEFAULT-VALUE}.")
  Duration progressInterval;

  @Option(
      names = "--timeout",
      defaultValue = "PT1H",
      description = "Give up after this long (ISO-8601 duration). Default: ${DEFAULT-VALUE}.")
  Duration timeout;

  /** Report formats of {@code --output}. */
  enum ReportFormat {
    TABLE,
    JSON,
    CSV
  }

  /** Exit code of a dry run that stopped before the end of its range with its checkpoint saved. */
  static final int STOPPED = 3;

  private final SamplingConfig settings;
  private final PrintStream out;
  private final PrintStream err;

  ReplayCommand(SamplingConfig settings, PrintStream out) {
    this(settings, out, System.err);
  }

  ReplayCommand(SamplingConfig settings, PrintStream out, PrintStream err) {
    this.settings = settings;
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    System.exit(run(SamplingConfigLoader.load(), System.out, args));
  }

  /** Runs the command with the given base settings; returns its exit code. */
  public static int run(SamplingConfig settings, PrintStream out, String... args) {
    return commandLine(new ReplayCommand(settings, out)).execute(args);
  }

  /**
   * As {@link #run(SamplingConfig, PrintStream, String...)}, progress and warnings to {@code err}.
   */
  static int run(SamplingConfig settings, PrintStream out, PrintStream err, String... args) {
    return commandLine(new ReplayCommand(settings, out, err)).execute(args);
  }

  /**
   * As {@link #run(SamplingConfig, PrintStream, String...)}, named {@code commandName} in its usage
   * and error messages (the launcher's {@code spanline replay}).
   */
  public static int runAs(
      String commandName, SamplingConfig settings, PrintStream out, String... args) {
    return commandLine(new ReplayCommand(settings, out)).setCommandName(commandName).execute(args);
  }

  /**
   * As {@link #runAs(String, SamplingConfig, PrintStream, String...)}, progress and warnings to
   * {@code err} (a command that runs a replay as one of its steps).
   */
  public static int runAs(
      String commandName,
      SamplingConfig settings,
      PrintStream out,
      PrintStream err,
      String... args) {
    return commandLine(new ReplayCommand(settings, out, err))
        .setCommandName(commandName)
        .execute(args);
  }

  /** The command line of {@code command}; enum values (--output json) in any case. */
  private static CommandLine commandLine(ReplayCommand command) {
    return new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true);
  }

  @Override
  public Integer call() throws Exception {
    SamplingPolicies policies;
    try {
      policies = PolicyFileParser.parse(Files.readString(policy, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--policy " + policy + " cannot be read: " + e.getMessage());
    } catch (PolicyFileException e) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--policy " + policy + " is invalid at " + e.getMessage());
    }
    if (!to.isAfter(from)) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--to must be after --from");
    }
    KafkaSettings kafka =
        bootstrapServers != null
            ? new KafkaSettings(bootstrapServers, settings.kafka().clientProperties())
            : settings.kafka();
    RegistrySettings registrySettings = settings.registry();
    if (schemaRegistryUrl != null) {
      RegistrySettings r = registrySettings;
      registrySettings =
          new RegistrySettings(
              URI.create(schemaRegistryUrl),
              r.username(),
              r.password(),
              r.bearerToken(),
              r.tls(),
              r.timeout());
    }
    SchemaRegistryClient registry = registrySettings.connect();
    if (rate < 0) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--rate must not be negative");
    }
    RateCap cap = rate > 0 ? RateCap.of(rate, rateUnit) : RateCap.NONE;
    if (dryRun) {
      return dryRun(kafka, registry, policies, cap);
    }
    String policySha256 = sha256(policy);
    ReplayCheckpoint saved = checkpoint == null ? null : ReplayCheckpoint.readIfExists(checkpoint);
    if (saved != null) {
      if (!Instant.parse(saved.from()).equals(from)
          || !Instant.parse(saved.to()).equals(to)
          || !saved.policySha256().equals(policySha256)
          || (outputTopic != null && !outputTopic.equals(saved.outputTopic()))
          || (applicationId != null && !applicationId.equals(saved.applicationId()))) {
        throw new CommandLine.ParameterException(
            new CommandLine(this),
            "--checkpoint "
                + checkpoint
                + " belongs to another replay (application.id "
                + saved.applicationId()
                + ", output topic "
                + saved.outputTopic()
                + ", ["
                + saved.from()
                + ", "
                + saved.to()
                + ") or another policy file); delete it or choose another --checkpoint");
      }
      outputTopic = saved.outputTopic();
    }
    if (outputTopic == null) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--output-topic is required unless --dry-run");
    }
    if (outputTopic.equals(settings.topics().sampledTraces())) {
      throw new CommandLine.ParameterException(
          new CommandLine(this),
          "--output-topic must not be the live sampled-traces topic " + outputTopic);
    }
    if (rate > 0 && rateUnit == RateCap.Unit.SPANS) {
      throw new CommandLine.ParameterException(
          new CommandLine(this),
          "--rate-unit SPANS works with --dry-run only; a replay caps records");
    }
    String appId =
        saved != null
            ? saved.applicationId()
            : applicationId != null
                ? applicationId
                : "spanline-replay-" + outputTopic + "-" + Instant.now().getEpochSecond();
    ReplayCheckpoint state =
        saved != null
            ? saved
            : new ReplayCheckpoint(
                1, appId, outputTopic, from.toString(), to.toString(), policySha256, Map.of());
    if (checkpoint != null) {
      state.write(checkpoint);
    }
    SamplingConfig config =
        withKafka(settings, kafka, registrySettings).forReplay(appId, policy, outputTopic);
    Replay.Result r;
    try (StopOnSignal signal = new StopOnSignal()) {
      r =
          Replay.run(
              config,
              registry,
              policies,
              from,
              to,
              timeout,
              new Replay.Options(
                  saved != null,
                  maxRecords,
                  cap,
                  progress,
                  progressInterval,
                  err,
                  signal::stopRequested,
                  offsets -> {
                    if (checkpoint != null) {
                      try {
                        state.withCommitted(offsets).write(checkpoint);
                      } catch (IOException e) {
                        throw new UncheckedIOException(
                            "cannot write the checkpoint " + checkpoint + ": " + e.getMessage(), e);
                      }
                    }
                  }));
    }
    if (!r.complete()) {
      err.printf(
          Locale.ROOT,
          "stopped with %,d traces decided by this run; %s%n",
          r.traces(),
          checkpoint == null
              ? "without --checkpoint it cannot be continued (application.id " + appId + " is used)"
              : "run the same command again to continue from " + checkpoint);
      return STOPPED;
    }
    out.printf(
        Locale.ROOT,
        "Replayed %,d records of %s in [%s, %s): %,d decided, %,d kept%s, written to %s"
            + " (application.id %s)%n",
        r.recordsInRange(),
        config.topics().assembledTraces(),
        from,
        to,
        r.traces(),
        r.kept(),
        saved != null ? " by this run" : "",
        outputTopic,
        appId);
    return 0;
  }

  /**
   * While open, Ctrl-C (or any JVM shutdown) asks the run to stop and waits up to 60 s for it to
   * save its checkpoint and close.
   */
  private static final class StopOnSignal implements AutoCloseable {
    private final AtomicBoolean stop = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook =
        new Thread(
            () -> {
              stop.set(true);
              try {
                finished.await(60, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "spanline-replay-stop");

    StopOnSignal() {
      Runtime.getRuntime().addShutdownHook(hook);
    }

    boolean stopRequested() {
      return stop.get();
    }

    @Override
    public void close() {
      finished.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running: it returns now that the run has stopped
      }
    }
  }

  private int dryRun(
      KafkaSettings kafka, SchemaRegistryClient registry, SamplingPolicies policies, RateCap cap)
      throws IOException, InterruptedException {
    if (report != null && formatOf(report) == null) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--report " + report + " must end in .json or .csv");
    }
    if (checkpointEvery <= 0) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--checkpoint-every must be positive");
    }
    SpanlineTopics topics = new SpanlineTopics(settings.topics(), registry);
    try (StopOnSignal signal = new StopOnSignal()) {
      DryRun.Outcome outcome =
          DryRun.run(
              kafka,
              topics,
              policies,
              sha256(policy),
              from,
              to,
              new DryRun.Options(
                  checkpoint,
                  checkpointEvery,
                  checkpointInterval,
                  maxRecords,
                  cap,
                  progress,
                  progressInterval,
                  err,
                  signal::stopRequested));
      if (!outcome.complete()) {
        err.printf(
            Locale.ROOT,
            "stopped after %,d records%s%n",
            outcome.recordsThisRun(),
            checkpoint == null
                ? " (no --checkpoint: a new run starts over)"
                : "; run the same command again to continue from " + checkpoint);
        return STOPPED;
      }
      DryRun.Report r = outcome.report();
      switch (output) {
        case JSON:
          out.print(r.toJson(from, to));
          break;
        case CSV:
          out.print(r.toCsv());
          break;
        default:
          r.print(out, from, to);
      }
      if (report != null) {
        Files.writeString(
            report,
            formatOf(report) == ReportFormat.JSON ? r.toJson(from, to) : r.toCsv(),
            StandardCharsets.UTF_8);
      }
      return 0;
    }
  }

  private static ReportFormat formatOf(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".json")) {
      return ReportFormat.JSON;
    }
    return name.endsWith(".csv") ? ReportFormat.CSV : null;
  }

  private static String sha256(Path file) throws IOException {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static SamplingConfig withKafka(
      SamplingConfig c, KafkaSettings kafka, RegistrySettings registry) {
    return new SamplingConfig(
        c.applicationId(),
        kafka,
        registry,
        c.topics(),
        c.deadLetterTopic(),
        c.policyFile(),
        c.policyReloadInterval(),
        c.decisionTtl(),
        c.metricsWindow(),
        c.metricsFlushInterval(),
        c.metricsMaxSeries(),
        c.streamThreads(),
        c.stateDir() + "-replay",
        c.tuning(),
        c.admin(),
        c.streamsOverrides());
  }
}
