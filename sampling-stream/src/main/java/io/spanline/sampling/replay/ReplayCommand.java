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
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spanline-sampling-replay}: re-samples a time range of {@code spanline.traces.assembled}
 * with a policy file into a named topic, or with {@code --dry-run} prints what the policy file
 * would keep next to what the running policy kept. Kafka, schema registry and topic names come from
 * the sampling stream's settings (environment {@code SPANLINE_SAMPLING_*}), overridable here. Exit
 * codes: 0 done, 1 failed, 2 bad arguments.
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
      names = "--timeout",
      defaultValue = "PT1H",
      description = "Give up after this long (ISO-8601 duration). Default: ${DEFAULT-VALUE}.")
  Duration timeout;

  private final SamplingConfig settings;
  private final PrintStream out;

  ReplayCommand(SamplingConfig settings, PrintStream out) {
    this.settings = settings;
    this.out = out;
  }

  public static void main(String[] args) {
    System.exit(run(SamplingConfigLoader.load(), System.out, args));
  }

  /** Runs the command with the given base settings; returns its exit code. */
  public static int run(SamplingConfig settings, PrintStream out, String... args) {
    return new CommandLine(new ReplayCommand(settings, out)).execute(args);
  }

  /**
   * As {@link #run(SamplingConfig, PrintStream, String...)}, named {@code commandName} in its usage
   * and error messages (the launcher's {@code spanline replay}).
   */
  public static int runAs(
      String commandName, SamplingConfig settings, PrintStream out, String... args) {
    return new CommandLine(new ReplayCommand(settings, out))
        .setCommandName(commandName)
        .execute(args);
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
    if (dryRun) {
      SpanlineTopics topics = new SpanlineTopics(settings.topics(), registry);
      DryRun.run(kafka, topics, policies, from, to).print(out, from, to);
      return 0;
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
    String appId =
        applicationId != null
            ? applicationId
            : "spanline-replay-" + outputTopic + "-" + Instant.now().getEpochSecond();
    SamplingConfig config =
        withKafka(settings, kafka, registrySettings).forReplay(appId, policy, outputTopic);
    Replay.Result r = Replay.run(config, registry, policies, from, to, timeout);
    out.printf(
        java.util.Locale.ROOT,
        "Replayed %,d records of %s in [%s, %s): %,d decided, %,d kept, written to %s (application.id %s)%n",
        r.recordsInRange(),
        config.topics().assembledTraces(),
        from,
        to,
        r.traces(),
        r.kept(),
        outputTopic,
        appId);
    return 0;
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
