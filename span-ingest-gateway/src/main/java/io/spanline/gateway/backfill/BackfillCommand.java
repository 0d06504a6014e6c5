package io.spanline.gateway.backfill;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.spanline.gateway.config.GatewayConfig;
import io.spanline.gateway.ingest.IngestOutcome;
import io.spanline.gateway.ingest.TraceIngestor;
import io.spanline.gateway.kafka.InFlightBudget;
import io.spanline.gateway.kafka.SpanRecordWriter;
import io.spanline.gateway.tenancy.TenantRateLimiter;
import io.spanline.service.config.KafkaSettings;
import io.spanline.service.process.ProgressLine;
import io.spanline.service.tenancy.TenantResolver;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code spanline backfill}: loads spans from outside into {@code otlp_spans} through the gateway's
 * own core ({@link TraceIngestor}: the same validation, limits, redaction, head sampling and tenant
 * rate limits as OTLP/gRPC and OTLP/HTTP), keeping the spans' own timestamps. Sources: files in the
 * OpenTelemetry Collector file exporter's formats ({@link FileSource}), or a Kafka topic of OTLP
 * records on this or another cluster ({@link TopicSource}). A request the core refuses (malformed,
 * too large) is named by its position and skipped; one refused for the moment (rate limit, Kafka
 * busy) is retried after the advised delay. Exit codes: 0 done (refusals are listed on standard
 * error), 1 failed, 2 bad arguments.
 */
@Command(
    name = "spanline-backfill",
    mixinStandardHelpOptions = true,
    description =
        "Load spans from OTLP files (the OpenTelemetry Collector file exporter's JSON lines or"
            + " length-prefixed protobuf) or another Kafka topic into otlp_spans, through the"
            + " gateway's validation, limits and redaction, with their original timestamps.")
public final class BackfillCommand implements Callable<Integer> {
  /** Values of {@code --format}. */
  enum FormatOption {
    JSON,
    PROTO,
    PROTO_DELIMITED
  }

  @Parameters(
      arity = "0..*",
      paramLabel = "FILE",
      description = "Files to load, in order (or --source-topic).")
  List<Path> files = new ArrayList<>();

  @Option(
      names = "--format",
      description =
          "Format of the files or topic records: JSON (one OTLP/JSON request a line; the file"
              + " exporter's format: json), PROTO (each protobuf request after its length as 4"
              + " bytes big-endian; the file exporter's format: proto; for a topic, one request a"
              + " record), PROTO_DELIMITED (each after a varint length). Default: JSON for .json"
              + " and .jsonl files, else PROTO.")
  FormatOption format;

  @Option(
      names = "--source-topic",
      description = "Read the requests from this Kafka topic (all of it, as it is at the start).")
  String sourceTopic;

  @Option(
      names = "--source-bootstrap-servers",
      description =
          "Bootstrap servers of the source topic's cluster. Default: the gateway's"
              + " kafka.bootstrap.servers and client settings.")
  String sourceBootstrapServers;

  @Option(
      names = "--source-property",
      paramLabel = "KEY=VALUE",
      description =
          "A Kafka client property of the source cluster (security.protocol, sasl.*, ssl.*);"
              + " repeatable.")
  Map<String, String> sourceProperties = new HashMap<>();

  @Option(
      names = "--tenant",
      defaultValue = TenantResolver.DEFAULT_TENANT,
      description =
          "Tenant of the spans (of records without --tenant-header). Default: ${DEFAULT-VALUE}.")
  String tenant;

  @Option(
      names = "--tenant-header",
      description = "Source topic: take each record's tenant from this header when it has one.")
  String tenantHeader;

  @Option(
      names = "--bootstrap-servers",
      description = "Kafka to write to. Default: the gateway's kafka.bootstrap.servers.")
  String bootstrapServers;

  @Option(
      names = "--topic",
      description = "Topic to write to. Default: the gateway's topic.otlp-spans.")
  String topic;

  @Option(
      names = "--max-age",
      description =
          "Accept spans that started up to this long ago (ISO-8601 duration, e.g. P30D). Default:"
              + " the gateway's span.start.max-age.ms.")
  Duration maxAge;

  @Option(
      names = "--in-flight",
      defaultValue = "32",
      description =
          "Requests awaiting Kafka's acknowledgement at once (the gateway's"
              + " kafka.max-inflight-bytes still bounds their bytes). Default: ${DEFAULT-VALUE}.")
  int inFlight;

  @Option(
      names = "--progress",
      defaultValue = "AUTO",
      description =
          "Progress on standard error: ${COMPLETION-CANDIDATES} (AUTO: TERMINAL from a terminal,"
              + " else PLAIN). Default: ${DEFAULT-VALUE}.")
  ProgressLine.Mode progress;

  @Option(
      names = "--progress-interval",
      defaultValue = "PT1S",
      description = "Refresh the progress line this often. Default: ${DEFAULT-VALUE}.")
  Duration progressInterval;

  private final GatewayConfig settings;
  private final PrintStream out;
  private final PrintStream err;

  BackfillCommand(GatewayConfig settings, PrintStream out, PrintStream err) {
    this.settings = settings;
    this.out = out;
    this.err = err;
  }

  /**
   * Runs the command, named {@code commandName} in its usage, with the gateway's settings; returns
   * its exit code.
   */
  public static int run(
      String commandName,
      GatewayConfig settings,
      PrintStream out,
      PrintStream err,
      String... args) {
    return new CommandLine(new BackfillCommand(settings, out, err))
        .setCommandName(commandName)
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setOut(new java.io.PrintWriter(out, true))
        .setErr(new java.io.PrintWriter(err, true))
        .setExecutionExceptionHandler(
            (e, line, parsed) -> {
              line.getErr().println(line.getCommandName() + ": " + e.getMessage());
              return 1;
            })
        .execute(args);
  }

  @Override
  public Integer call() throws Exception {
    CommandLine self = new CommandLine(this);
    if (files.isEmpty() == (sourceTopic == null)) {
      throw new CommandLine.ParameterException(
          self, "give either files or --source-topic, not both and not neither");
    }
    for (Path f : files) {
      if (!Files.isReadable(f)) {
        throw new CommandLine.ParameterException(self, "file " + f + " cannot be read");
      }
    }
    if (inFlight < 1) {
      throw new CommandLine.ParameterException(self, "--in-flight must be at least 1");
    }
    if (tenant.isBlank()) {
      throw new CommandLine.ParameterException(self, "--tenant must not be blank");
    }
    if (maxAge != null && (maxAge.isNegative() || maxAge.isZero())) {
      throw new CommandLine.ParameterException(self, "--max-age must be positive");
    }
    GatewayConfig config = forBackfill(settings);
    BackfillProgress.BackfillCounts counts = new BackfillProgress.BackfillCounts();
    BackfillProgress shown =
        new BackfillProgress(err, progress, progressInterval, System::nanoTime);
    try (SpanRecordWriter writer = new SpanRecordWriter(config, new SimpleMeterRegistry())) {
      TraceIngestor ingestor =
          new TraceIngestor(
              config,
              writer,
              new InFlightBudget(config.maxInflightBytes()),
              new TenantRateLimiter(config),
              new SimpleMeterRegistry());
      if (sourceTopic != null) {
        Map<String, Object> client = new HashMap<>();
        KafkaSettings source =
            sourceBootstrapServers == null
                ? settings.kafka()
                : new KafkaSettings(sourceBootstrapServers, Map.of());
        client.putAll(source.clientConfig());
        client.putAll(sourceProperties);
        TraceIngestor.Encoding encoding =
            format == FormatOption.JSON
                ? TraceIngestor.Encoding.JSON
                : TraceIngestor.Encoding.PROTOBUF;
        try (TopicSource s = new TopicSource(client, sourceTopic, tenantHeader, encoding)) {
          load(ingestor, config, s, counts, shown);
        }
      } else {
        for (Path f : files) {
          FileSource.Format fileFormat =
              format != null
                  ? FileSource.Format.valueOf(format.name())
                  : FileSource.formatOf(f) != null
                      ? FileSource.formatOf(f)
                      : FileSource.Format.PROTO;
          try (FileSource s = new FileSource(f, fileFormat)) {
            load(ingestor, config, s, counts, shown);
          }
        }
      }
    }
    out.printf(
        Locale.ROOT,
        "Backfilled %,d spans from %,d requests to %s (%,d spans rejected, %,d requests refused,"
            + " %,d retries)%n",
        counts.spans,
        counts.requests,
        config.topic(),
        counts.rejectedSpans,
        counts.refusedRequests,
        counts.retries);
    return 0;
  }

  /**
   * Offers every request of {@code source} to the core, up to {@code --in-flight} awaiting Kafka at
   * once, and settles their outcomes in the order read; a request refused for the moment is offered
   * again (alone) after the advised delay.
   */
  private void load(
      TraceIngestor ingestor,
      GatewayConfig config,
      BackfillSource source,
      BackfillProgress.BackfillCounts counts,
      BackfillProgress shown)
      throws IOException, InterruptedException {
    ArrayDeque<Offered> pending = new ArrayDeque<>();
    BackfillSource.Request r;
    while ((r = source.next()) != null) {
      counts.requests++;
      String t = r.tenant() != null ? r.tenant() : tenant;
      pending.add(new Offered(r, t, ingestor.ingest(t, r.body(), r.encoding())));
      while (pending.size() >= inFlight) {
        settle(ingestor, config, pending.poll(), counts);
      }
      shown.show(counts, source.done(), source.total(), false);
    }
    while (!pending.isEmpty()) {
      settle(ingestor, config, pending.poll(), counts);
    }
    shown.show(counts, source.done(), source.total(), true);
  }

  /** A request offered to the core, with its tenant and the outcome to come. */
  private record Offered(
      BackfillSource.Request request, String tenant, CompletableFuture<IngestOutcome> outcome) {}

  /** Waits for one offered request's outcome and counts it, offering it again while retryable. */
  private void settle(
      TraceIngestor ingestor,
      GatewayConfig config,
      Offered offered,
      BackfillProgress.BackfillCounts counts)
      throws InterruptedException {
    BackfillSource.Request r = offered.request();
    CompletableFuture<IngestOutcome> future = offered.outcome();
    while (true) {
      IngestOutcome outcome;
      try {
        outcome = future.get();
      } catch (ExecutionException e) {
        throw new IllegalStateException(
            r.position() + ": the gateway core failed: " + e.getCause(), e.getCause());
      }
      if (outcome instanceof IngestOutcome.Accepted) {
        IngestOutcome.Accepted a = (IngestOutcome.Accepted) outcome;
        counts.spans += a.acceptedSpans();
        counts.rejectedSpans += a.rejectedSpans();
        if (a.rejectedSpans() > 0) {
          err.println(r.position() + ": " + a.rejectedSpans() + " spans rejected: " + a.message());
        }
        return;
      }
      IngestOutcome.Refused refused = (IngestOutcome.Refused) outcome;
      if (refused.reason() == IngestOutcome.Reason.RATE_LIMITED
          || refused.reason() == IngestOutcome.Reason.UNAVAILABLE) {
        counts.retries++;
        Thread.sleep(config.retryAfter().toMillis());
        future = ingestor.ingest(offered.tenant(), r.body(), r.encoding());
        continue;
      }
      counts.refusedRequests++;
      err.println(
          r.position()
              + ": refused ("
              + refused.reason().name().toLowerCase(Locale.ROOT)
              + "): "
              + refused.message());
      return;
    }
  }

  /** The gateway's settings with this command's Kafka, topic and span age. */
  private GatewayConfig forBackfill(GatewayConfig c) {
    KafkaSettings kafka =
        bootstrapServers != null
            ? new KafkaSettings(bootstrapServers, c.kafka().clientProperties())
            : c.kafka();
    return new GatewayConfig(
        c.bindAddress(),
        c.grpcPort(),
        c.httpPort(),
        c.tls(),
        c.admin(),
        kafka,
        topic != null ? topic : c.topic(),
        c.maxRecordBytes(),
        c.compressionType(),
        c.lingerMs(),
        c.batchSize(),
        c.requestTimeoutMs(),
        c.deliveryTimeoutMs(),
        c.maxBlockMs(),
        c.maxInflightBytes(),
        c.retryAfter(),
        c.authEnabled(),
        c.apiKeys(),
        c.defaultLimits(),
        c.tenantLimits(),
        c.redaction(),
        c.headSamplingPercentage(),
        maxAge != null ? maxAge : c.spanStartMaxAge(),
        c.spanStartMaxFuture(),
        c.debugAttribute(),
        c.debugTenants(),
        c.tenantLimitsFile(),
        c.membersGroup(),
        c.membersRefresh(),
        c.shedInflightFraction());
  }
}
