package io.spanline.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.spanline.archive.GenerationArchiver;
import io.spanline.archive.config.ArchiveSinkConfig;
import io.spanline.index.GenerationIndexer;
import io.spanline.index.config.IndexSinkConfig;
import io.spanline.sampling.SamplingReplay;
import io.spanline.sampling.config.SamplingConfig;
import io.spanline.service.consumer.TopicCatchUp;
import io.spanline.service.process.ProgressLine;
import io.spanline.service.retention.DailyRetention;
import io.spanline.storage.archive.ArchiveCompactor;
import io.spanline.storage.archive.ArchiveGenerations;
import io.spanline.storage.archive.ArchiveLayout;
import io.spanline.storage.archive.S3Clients;
import io.spanline.storage.opensearch.IndexGenerations;
import io.spanline.storage.opensearch.IndexLayout;
import io.spanline.storage.opensearch.OpenSearchConnection;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code spanline generation create|compare|promote|discard}: re-samples whole UTC days of the
 * assembled traces with another policy file into a new index generation ({@link IndexGenerations}),
 * compares it with the live days, then makes it live atomically or deletes it.
 *
 * <p>{@code create} is three resumable steps: the sampling stream's replay ({@code spanline
 * replay}, with its progress line, checkpoint and {@code --rate}) of the range into the topic
 * {@code <sampled-traces topic>.gen-<name>}, then the index sink's consumer and write path over
 * that topic into the generation's indices, then (unless {@code --no-archive}) the archive sink's
 * over the same topic into the generation's archive prefix ({@link ArchiveGenerations#layout});
 * then the generation is recorded complete. Running it again after a crash or Ctrl-C continues all
 * three. {@code promote} switches the index aliases in one request, then replaces the archive's
 * hours of the generation's days with the generation's, one atomic commit per tenant hour. Kafka,
 * registry and topics: the sampling stream's settings ({@code SPANLINE_SAMPLING_*}); OpenSearch,
 * index prefix and bulk settings: the index sink's ({@code SPANLINE_INDEX_*}); S3, bucket and
 * prefix: the archive sink's ({@code SPANLINE_ARCHIVE_*}). Exit codes: 0 done, 1 failed, 2 bad
 * arguments, 3 stopped before the end (run the same command again to continue).
 */
@Command(
    name = "generation",
    mixinStandardHelpOptions = true,
    description =
        "Re-sample whole UTC days into a new index generation, compare it with the live days,"
            + " promote it atomically or discard it. Kafka and registry: the sampling stream's"
            + " settings (SPANLINE_SAMPLING_*); OpenSearch: the index sink's (SPANLINE_INDEX_*);"
            + " S3: the archive sink's (SPANLINE_ARCHIVE_*).",
    subcommands = {
      GenerationCommand.Create.class,
      GenerationCommand.Compare.class,
      GenerationCommand.Promote.class,
      GenerationCommand.Discard.class
    })
final class GenerationCommand implements Runnable {
  /** Exit code of a create that stopped before the end; run it again to continue. */
  static final int STOPPED = 3;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Supplier<SamplingConfig> sampling;
  private final Supplier<IndexSinkConfig> index;
  private final Supplier<ArchiveSinkConfig> archive;
  private final PrintStream out;
  private final PrintStream err;
  private final Clock clock;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /**
   * @param sampling the sampling stream's settings, read only when a subcommand runs
   * @param index the index sink's settings, read only when a subcommand runs
   * @param archive the archive sink's settings, read only when a subcommand uses the archive
   * @param clock what "now" is for the range checks of {@code create}
   */
  GenerationCommand(
      Supplier<SamplingConfig> sampling,
      Supplier<IndexSinkConfig> index,
      Supplier<ArchiveSinkConfig> archive,
      PrintStream out,
      PrintStream err,
      Clock clock) {
    this.sampling = sampling;
    this.index = index;
    this.archive = archive;
    this.out = out;
    this.err = err;
    this.clock = clock;
  }

  /** The command line, subcommands created with this command's settings and streams. */
  CommandLine commandLine() {
    CommandLine line =
        new CommandLine(
            this,
            new CommandLine.IFactory() {
              @Override
              public <K> K create(Class<K> type) throws Exception {
                if (type.getEnclosingClass() == GenerationCommand.class) {
                  var c = type.getDeclaredConstructor(GenerationCommand.class);
                  return c.newInstance(GenerationCommand.this);
                }
                return CommandLine.defaultFactory().create(type);
              }
            });
    line.setCaseInsensitiveEnumValuesAllowed(true);
    line.setOut(new java.io.PrintWriter(out, true));
    line.setErr(new java.io.PrintWriter(err, true));
    line.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          if (e instanceof IllegalStateException
              || e instanceof IllegalArgumentException
              || e instanceof IOException
              || e instanceof UncheckedIOException) {
            err.println(cmd.getCommandName() + ": " + e.getMessage());
            return 1;
          }
          throw e;
        });
    return line;
  }

  @Override
  public void run() {
    spec.commandLine().usage(out);
  }

  /** Report formats of {@code compare --output}. */
  enum Format {
    TABLE,
    JSON
  }

  /** {@code <sampled-traces topic>.gen-<name>}: the replay's output topic of a generation. */
  static String topicOf(SamplingConfig sampling, String name) {
    return sampling.topics().sampledTraces() + ".gen-" + name;
  }

  /** The replay's Kafka Streams application.id of a generation. */
  static String replayApplicationId(IndexLayout live, String name) {
    return "spanline-generation-" + live.prefix() + "-" + name;
  }

  /** The consumer group indexing a generation. */
  static String indexGroupId(IndexLayout live, String name) {
    return "spanline-generation-index-" + live.prefix() + "-" + name;
  }

  /** The consumer group archiving a generation. */
  static String archiveGroupId(IndexLayout live, String name) {
    return "spanline-generation-archive-" + live.prefix() + "-" + name;
  }

  private static ArchiveGenerations archiveGenerations(S3Client s3, ArchiveSinkConfig config) {
    ArchiveSinkConfig.Compaction c = config.compaction();
    return new ArchiveGenerations(
        s3,
        config.bucket(),
        config.layout(),
        new ArchiveCompactor.Settings(
            c.targetFileBytes(),
            config.rowGroupBytes(),
            config.pageBytes(),
            config.multipartThreshold(),
            config.multipartPartBytes(),
            config.workDir().resolve("generation-promotion"),
            c.minAge()),
        Clock.systemUTC(),
        (step, folder) -> {});
  }

  private static Path defaultCheckpoint(String name) {
    return Path.of("spanline-generation-" + name + ".checkpoint");
  }

  private IndexGenerations generations(OpenSearchConnection connection, IndexSinkConfig config) {
    return new IndexGenerations(connection.client(), config.layout(), Clock.systemUTC());
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description =
          "Replay whole UTC days of the assembled traces through --policy into the generation's"
              + " own indices (<prefix>-gen-<name>-spans-YYYY-MM-DD …) and archive prefix"
              + " (<s3.prefix>-gen-<name>/); the live indices and archive are not touched. Run it"
              + " again to continue after Ctrl-C or a crash.")
  final class Create implements Callable<Integer> {
    @Parameters(
        index = "0",
        paramLabel = "NAME",
        description = "The generation's name: 1-32 chars of a-z, 0-9, '_'.")
    String name;

    @Option(names = "--policy", required = true, description = "The new policy file.")
    Path policy;

    @Option(
        names = "--from",
        required = true,
        description =
            "First day replaced: midnight UTC, e.g. 2026-11-22T00:00:00Z; within the index"
                + " sink's hot retention.")
    Instant from;

    @Option(
        names = "--to",
        required = true,
        description = "End of the last day replaced (exclusive): midnight UTC, not in the future.")
    Instant to;

    @Option(
        names = "--checkpoint",
        paramLabel = "FILE",
        description = "The replay's checkpoint. Default: spanline-generation-<name>.checkpoint.")
    Path checkpoint;

    @Option(
        names = "--rate",
        defaultValue = "0",
        paramLabel = "PER_SECOND",
        description =
            "Replay at most this many records of the assembled topic a second (0: no cap)."
                + " Default: ${DEFAULT-VALUE}.")
    long rate;

    @Option(
        names = "--archive",
        negatable = true,
        defaultValue = "true",
        description =
            "Also archive the generation under its own S3 prefix, so that promotion replaces the"
                + " archive's days as well (--no-archive: the index only; the archive keeps the"
                + " live days' traces). Default: archive.")
    boolean archiveToo;

    @Option(
        names = "--max-records",
        defaultValue = "0",
        description =
            "Replay: stop after this many records in this run (0: no limit), exit 3. Default:"
                + " ${DEFAULT-VALUE}.")
    long maxRecords;

    @Option(
        names = "--progress",
        defaultValue = "AUTO",
        description =
            "Progress on standard error: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    ProgressLine.Mode progress;

    @Option(
        names = "--progress-interval",
        defaultValue = "PT1S",
        description = "Refresh the progress line this often. Default: ${DEFAULT-VALUE}.")
    Duration progressInterval;

    @Option(
        names = "--timeout",
        defaultValue = "PT6H",
        description = "Give up each step after this long. Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (!isMidnight(from) || !isMidnight(to)) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "a generation replaces whole UTC days: --from and --to must be midnight UTC (e.g."
                + " 2026-11-22T00:00:00Z), not "
                + from
                + " and "
                + to);
      }
      if (!to.isAfter(from)) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--to must be after --from");
      }
      if (!Files.isReadable(policy)) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--policy " + policy + " cannot be read");
      }
      if (to.isAfter(clock.instant())) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "--to "
                + to
                + " is in the future: only days that are over can be replaced (what the live"
                + " index sink wrote to a day after its replay would be lost at promotion)");
      }
      SamplingConfig samplingConfig = sampling.get();
      IndexSinkConfig indexConfig = index.get();
      LocalDate firstKept = new DailyRetention(indexConfig.retention(), clock).firstDayKept();
      if (LocalDate.ofInstant(from, ZoneOffset.UTC).isBefore(firstKept)) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "--from "
                + from
                + " is past the hot retention ("
                + indexConfig.retention().toDays()
                + " days: the first day kept is "
                + firstKept
                + "); the index sink would index nothing of it");
      }
      IndexLayout live = indexConfig.layout();
      IndexLayout layout;
      try {
        layout = live.generation(name);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
      LocalDate firstDay = LocalDate.ofInstant(from, ZoneOffset.UTC);
      LocalDate lastDay = LocalDate.ofInstant(to, ZoneOffset.UTC).minusDays(1);
      String topic = topicOf(samplingConfig, name);
      try (OpenSearchConnection connection = OpenSearchConnection.open(indexConfig.openSearch())) {
        IndexGenerations generations = generations(connection, indexConfig);
        IndexGenerations.Generation g =
            generations.begin(name, firstDay, lastDay, sha256(policy), indexConfig.templates());
        if (g.state() == IndexGenerations.State.COMPLETE) {
          out.printf(
              Locale.ROOT,
              "Generation %s (%s .. %s) is complete already; compare, promote or discard it.%n",
              name,
              firstDay,
              lastDay);
          return 0;
        }
        List<String> replay =
            new ArrayList<>(
                List.of(
                    "--policy",
                    policy.toString(),
                    "--from",
                    from.toString(),
                    "--to",
                    to.toString(),
                    "--output-topic",
                    topic,
                    "--application-id",
                    replayApplicationId(live, name),
                    "--checkpoint",
                    (checkpoint != null ? checkpoint : defaultCheckpoint(name)).toString(),
                    "--rate",
                    String.valueOf(rate),
                    "--max-records",
                    String.valueOf(maxRecords),
                    "--progress",
                    progress.name(),
                    "--progress-interval",
                    progressInterval.toString(),
                    "--timeout",
                    timeout.toString()));
        int replayed =
            SamplingReplay.run(
                "spanline generation create " + name,
                samplingConfig,
                out,
                err,
                replay.toArray(String[]::new));
        if (replayed != 0) {
          return replayed;
        }
        GenerationIndexer.Result indexed =
            GenerationIndexer.run(
                indexConfig,
                indexConfig.registry().connect(),
                topic,
                layout,
                indexGroupId(live, name),
                new SimpleMeterRegistry(),
                new GenerationIndexer.Options(
                    progress, progressInterval, err, () -> false, timeout));
        if (!indexed.complete()) {
          err.println("indexing stopped; run the same command again to continue");
          return STOPPED;
        }
        String archived = "";
        if (archiveToo) {
          ArchiveSinkConfig archiveConfig = archive.get();
          ArchiveLayout archiveLayout = ArchiveGenerations.layout(archiveConfig.layout(), name);
          GenerationArchiver.Result result =
              GenerationArchiver.run(
                  archiveConfig,
                  archiveConfig.registry().connect(),
                  topic,
                  archiveLayout,
                  archiveGroupId(live, name),
                  new SimpleMeterRegistry(),
                  new TopicCatchUp.Options(progress, progressInterval, err, () -> false, timeout));
          if (!result.complete()) {
            err.println("archiving stopped; run the same command again to continue");
            return STOPPED;
          }
          try (S3Client s3 = S3Clients.create(archiveConfig.s3())) {
            archiveGenerations(s3, archiveConfig).markComplete(name);
          }
          archived =
              String.format(
                  Locale.ROOT,
                  " and archived under s3://%s/%s",
                  archiveConfig.bucket(),
                  archiveLayout.root());
        }
        generations.complete(name);
        out.printf(
            Locale.ROOT,
            "Generation %s complete: %s .. %s indexed into %s-*%s from %s (%,d offsets)%s;"
                + " compare it with `spanline generation compare %s`.%n",
            name,
            firstDay,
            lastDay,
            layout.prefix(),
            archived,
            topic,
            indexed.offsets(),
            indexed.deadLettered() > 0
                ? String.format(
                    Locale.ROOT,
                    " (%,d dead-lettered to %s)",
                    indexed.deadLettered(),
                    indexConfig.consumer().deadLetterTopic())
                : "",
            name);
        return 0;
      }
    }
  }

  @Command(
      name = "compare",
      mixinStandardHelpOptions = true,
      description =
          "Traces and spans kept over the generation's days, live against the generation: in"
              + " total, by sampling policy, by root service and by tenant.")
  final class Compare implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "The generation's name.")
    String name;

    @Option(
        names = "--output",
        defaultValue = "TABLE",
        description = "${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    Format output;

    @Override
    public Integer call() throws Exception {
      IndexSinkConfig indexConfig = index.get();
      try (OpenSearchConnection connection = OpenSearchConnection.open(indexConfig.openSearch())) {
        IndexGenerations.Comparison c = generations(connection, indexConfig).compare(name);
        if (output == Format.JSON) {
          out.println(JSON.writeValueAsString(json(c)));
        } else {
          print(c);
        }
        return 0;
      }
    }

    private ObjectNode json(IndexGenerations.Comparison c) {
      ObjectNode root = JSON.createObjectNode();
      IndexGenerations.Generation g = c.generation();
      root.put("generation", g.name());
      root.put("state", g.state().name());
      root.put("firstDay", g.firstDay().toString());
      root.put("lastDay", g.lastDay().toString());
      root.set("live", side(c.live()));
      root.set("generationCounts", side(c.candidate()));
      return root;
    }

    private ObjectNode side(IndexGenerations.Breakdown b) {
      ObjectNode n = JSON.createObjectNode();
      n.put("traces", b.total().traces());
      n.put("spans", b.total().spans());
      n.set("byPolicy", counts(b.byPolicy()));
      n.set("byRootService", counts(b.byRootService()));
      n.set("byTenant", counts(b.byTenant()));
      return n;
    }

    private ObjectNode counts(Map<String, IndexGenerations.Counts> m) {
      ObjectNode n = JSON.createObjectNode();
      new java.util.TreeMap<>(m)
          .forEach(
              (k, v) -> {
                ObjectNode e = n.putObject(k);
                e.put("traces", v.traces());
                e.put("spans", v.spans());
              });
      return n;
    }

    private void print(IndexGenerations.Comparison c) {
      IndexGenerations.Generation g = c.generation();
      out.printf(
          Locale.ROOT,
          "Generation %s (%s, %s .. %s) against the live indices of the same days%n%n",
          g.name(),
          g.state(),
          g.firstDay(),
          g.lastDay());
      String row = "%-12s %-28s %12s %12s %12s %12s %12s %12s%n";
      out.printf(
          Locale.ROOT,
          row,
          "by",
          "key",
          "live traces",
          "gen traces",
          "Δ traces",
          "live spans",
          "gen spans",
          "Δ spans");
      line(row, "total", "", c.live().total(), c.candidate().total());
      section(row, "policy", c.live().byPolicy(), c.candidate().byPolicy());
      section(row, "root service", c.live().byRootService(), c.candidate().byRootService());
      section(row, "tenant", c.live().byTenant(), c.candidate().byTenant());
    }

    private void section(
        String row,
        String by,
        Map<String, IndexGenerations.Counts> live,
        Map<String, IndexGenerations.Counts> candidate) {
      TreeSet<String> keys = new TreeSet<>(live.keySet());
      keys.addAll(candidate.keySet());
      IndexGenerations.Counts none = new IndexGenerations.Counts(0, 0);
      for (String k : keys) {
        line(row, by, k, live.getOrDefault(k, none), candidate.getOrDefault(k, none));
      }
    }

    private void line(
        String row,
        String by,
        String key,
        IndexGenerations.Counts live,
        IndexGenerations.Counts candidate) {
      out.printf(
          Locale.ROOT,
          row,
          by,
          key,
          String.format(Locale.ROOT, "%,d", live.traces()),
          String.format(Locale.ROOT, "%,d", candidate.traces()),
          String.format(Locale.ROOT, "%+,d", candidate.traces() - live.traces()),
          String.format(Locale.ROOT, "%,d", live.spans()),
          String.format(Locale.ROOT, "%,d", candidate.spans()),
          String.format(Locale.ROOT, "%+,d", candidate.spans() - live.spans()));
    }
  }

  @Command(
      name = "promote",
      mixinStandardHelpOptions = true,
      description =
          "Make a complete generation's days live in one atomic alias request: each live day"
              + " index is deleted and its name becomes an alias of the generation's index. Then"
              + " the archive's hours of those days are replaced by the generation's, one atomic"
              + " commit per tenant hour (hours it dropped are emptied). Promoting again changes"
              + " nothing; after a crash it finishes the archive.")
  final class Promote implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "The generation's name.")
    String name;

    @Override
    public Integer call() throws Exception {
      IndexSinkConfig indexConfig = index.get();
      try (OpenSearchConnection connection = OpenSearchConnection.open(indexConfig.openSearch())) {
        IndexGenerations generations = generations(connection, indexConfig);
        IndexGenerations.Promotion p = generations.promote(name);
        IndexGenerations.Generation g = generations.find(name).orElseThrow();
        if (p.actions() == 0) {
          out.printf(
              Locale.ROOT,
              "Generation %s is live already (%s .. %s); nothing changed.%n",
              name,
              g.firstDay(),
              g.lastDay());
        } else {
          out.printf(
              Locale.ROOT,
              "Generation %s promoted: %s .. %s are live (%d alias actions in one request;"
                  + " replaced %d indices: %s).%n",
              name,
              g.firstDay(),
              g.lastDay(),
              p.actions(),
              p.replacedIndices().size(),
              String.join(", ", p.replacedIndices()));
        }
        ArchiveSinkConfig archiveConfig = archive.get();
        try (S3Client s3 = S3Clients.create(archiveConfig.s3())) {
          ArchiveGenerations archiveGenerations = archiveGenerations(s3, archiveConfig);
          ArchiveGenerations.State state = archiveGenerations.state(name);
          if (state == ArchiveGenerations.State.ABSENT) {
            out.printf(
                Locale.ROOT,
                "Generation %s has no archive copy (created with --no-archive): the archive keeps"
                    + " the live traces of %s .. %s.%n",
                name,
                g.firstDay(),
                g.lastDay());
          } else {
            boolean already = state == ArchiveGenerations.State.PROMOTED;
            ArchiveGenerations.Promotion a =
                archiveGenerations.promote(name, g.firstDay(), g.lastDay());
            out.printf(
                Locale.ROOT,
                already
                    ? "Generation %s is live in the archive already (s3://%s/%s).%n"
                    : "Generation %s promoted in the archive s3://%s/%s: %d tenant hours replaced"
                        + " (%d files by %d, %,d span rows).%n",
                name,
                archiveConfig.bucket(),
                archiveConfig.layout().root(),
                a.hoursReplaced(),
                a.filesReplaced(),
                a.filesWritten(),
                a.rows());
          }
        }
        return 0;
      }
    }
  }

  @Command(
      name = "discard",
      mixinStandardHelpOptions = true,
      description =
          "Delete a generation that is not promoted: its indices, templates and record, its"
              + " archive prefix, replay topic, consumer groups and checkpoint. The live indices"
              + " and archive are not touched.")
  final class Discard implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "The generation's name.")
    String name;

    @Option(
        names = "--checkpoint",
        paramLabel = "FILE",
        description =
            "The replay's checkpoint to delete. Default: spanline-generation-<name>.checkpoint.")
    Path checkpoint;

    @Override
    public Integer call() throws Exception {
      SamplingConfig samplingConfig = sampling.get();
      IndexSinkConfig indexConfig = index.get();
      IndexLayout live = indexConfig.layout();
      List<String> deleted;
      try (OpenSearchConnection connection = OpenSearchConnection.open(indexConfig.openSearch())) {
        deleted = generations(connection, indexConfig).discard(name);
      }
      ArchiveSinkConfig archiveConfig = archive.get();
      int archiveObjects;
      try (S3Client s3 = S3Clients.create(archiveConfig.s3())) {
        archiveObjects = archiveGenerations(s3, archiveConfig).discard(name);
      }
      String topic = topicOf(samplingConfig, name);
      String applicationId = replayApplicationId(live, name);
      try (Admin admin = Admin.create(samplingConfig.kafka().clientConfig())) {
        List<String> topics = new ArrayList<>();
        for (String t : admin.listTopics().names().get(30, TimeUnit.SECONDS)) {
          if (t.equals(topic) || t.startsWith(applicationId + "-")) {
            topics.add(t);
          }
        }
        ignoreMissing(() -> admin.deleteTopics(topics).all().get(30, TimeUnit.SECONDS));
        for (String group :
            List.of(applicationId, indexGroupId(live, name), archiveGroupId(live, name))) {
          ignoreMissing(
              () -> admin.deleteConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS));
        }
      }
      Files.deleteIfExists(checkpoint != null ? checkpoint : defaultCheckpoint(name));
      out.printf(
          Locale.ROOT,
          "Generation %s discarded: deleted %d indices, %d archive objects, topic %s and its"
              + " consumer groups; the live indices and archive are untouched.%n",
          name,
          deleted.size(),
          archiveObjects,
          topic);
      return 0;
    }
  }

  private interface KafkaCall {
    void run() throws InterruptedException, ExecutionException, TimeoutException;
  }

  private static void ignoreMissing(KafkaCall call) throws InterruptedException {
    try {
      call.run();
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
          && !(e.getCause() instanceof GroupIdNotFoundException)) {
        throw new IllegalStateException("Kafka refused: " + e.getCause(), e);
      }
    } catch (TimeoutException e) {
      throw new IllegalStateException("Kafka did not answer in 30 s", e);
    }
  }

  private static boolean isMidnight(Instant t) {
    return t.atOffset(ZoneOffset.UTC).toLocalTime().toNanoOfDay() == 0;
  }

  private static String sha256(Path file) throws IOException {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
