package io.spanline.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.spanline.archive.ArchiveSinkApp;
import io.spanline.archive.config.ArchiveSinkConfig;
import io.spanline.archive.config.ArchiveSinkConfigLoader;
import io.spanline.index.IndexSinkApp;
import io.spanline.index.config.IndexSinkConfig;
import io.spanline.index.config.IndexSinkConfigLoader;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.junit.UniqueNames;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.opensearch.LocalOpenSearch;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.localinfra.s3.LocalS3;
import io.spanline.sampling.SamplingReplay;
import io.spanline.sampling.config.SamplingConfig;
import io.spanline.sampling.config.SamplingConfigLoader;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.DecisionOutcome;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.registry.RestSchemaRegistryClient;
import io.spanline.schemas.testing.TraceBuilder;
import io.spanline.schemas.topic.SpanlineTopics;
import io.spanline.schemas.topic.TopicNames;
import io.spanline.storage.TimeRange;
import io.spanline.storage.TraceQuery;
import io.spanline.storage.archive.ColdTraceReader;
import io.spanline.storage.archive.S3Clients;
import io.spanline.storage.opensearch.OpenSearchConnection;
import io.spanline.storage.opensearch.OpenSearchSettings;
import io.spanline.storage.opensearch.OpenSearchTraceStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The walkthrough of the sampling stream's README ("Re-sampling into a new generation"), step by
 * step through the command classes {@code spanline replay} and {@code spanline generation} run, on
 * a real Kafka, schema registry and OpenSearch: a day of assembled traces the live run kept
 * entirely; a dry run of a stricter policy; the generation created (stopped once and continued from
 * its checkpoint); compared; promoted; after which the query path finds only what the stricter
 * policy kept, while before it the live results were unchanged.
 */
@ExtendWith(LocalInfraExtension.class)
class GenerationWalkthroughIT {
  private static final int TRACES = 200;
  private static final String STRICT =
      """
      policies:
        - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
      """;

  @TempDir Path dir;

  private record Run(int exit, String out, String err) {}

  @Test
  void replayDryRunCreateCompareAndPromote_asTheReadmeWalksThrough(
      LocalKafka kafka, LocalSchemaRegistry registry, LocalOpenSearch openSearch, LocalS3 localS3)
      throws Exception {
    // Given a day of assembled traces, two days ago (every 10th an error, every 5th of tenant
    // acme), each with a KEEP decision of the live policy, and the live index sink that indexed
    // them all
    LocalDate day = LocalDate.now(ZoneOffset.UTC).minusDays(2);
    Instant from = day.atStartOfDay().toInstant(ZoneOffset.UTC);
    Instant to = from.plus(Duration.ofDays(1));
    TopicNames names =
        new TopicNames(
            "otlp_spans",
            UniqueNames.unique("assembled"),
            UniqueNames.unique("sampled"),
            UniqueNames.unique("decisions"),
            UniqueNames.unique("metrics"));
    String samplingDeadLetters = UniqueNames.unique("sampling-dlq");
    String indexDeadLetters = UniqueNames.unique("index-dlq");
    kafka.createTopics(
        4, List.of(names.assembledTraces(), names.decisions(), names.sampledTraces()));
    kafka.createTopics(1, List.of(samplingDeadLetters, indexDeadLetters));
    SamplingConfig sampling =
        SamplingConfigLoader.load(
            Map.of(),
            Map.of(
                "spanline.sampling.kafka.bootstrap.servers", kafka.bootstrapServers(),
                "spanline.sampling.schema-registry.url", registry.uri().toString(),
                "spanline.sampling.topic.assembled-traces", names.assembledTraces(),
                "spanline.sampling.topic.sampled-traces", names.sampledTraces(),
                "spanline.sampling.topic.decisions", names.decisions(),
                "spanline.sampling.topic.dead-letter", samplingDeadLetters,
                "spanline.sampling.state.dir", dir.resolve("state").toString(),
                "spanline.sampling.admin.port", "0",
                "spanline.sampling.admin.bind.address", "127.0.0.1"));
    String prefix = UniqueNames.unique("walk");
    Map<String, String> indexSettings = new HashMap<>();
    indexSettings.put("spanline.index.kafka.bootstrap.servers", kafka.bootstrapServers());
    indexSettings.put("spanline.index.schema-registry.url", registry.uri().toString());
    indexSettings.put("spanline.index.topic.sampled-traces", names.sampledTraces());
    indexSettings.put("spanline.index.topic.dead-letter", indexDeadLetters);
    indexSettings.put("spanline.index.group.id", UniqueNames.unique("index-sink"));
    indexSettings.put("spanline.index.opensearch.hosts", openSearch.uri().toString());
    indexSettings.put("spanline.index.index.prefix", prefix);
    indexSettings.put("spanline.index.index.replicas", "0");
    indexSettings.put("spanline.index.admin.port", "0");
    indexSettings.put("spanline.index.admin.bind.address", "127.0.0.1");
    IndexSinkConfig index = IndexSinkConfigLoader.load(Map.of(), indexSettings);
    String archiveDeadLetters = UniqueNames.unique("archive-dlq");
    kafka.createTopics(1, List.of(archiveDeadLetters));
    Map<String, String> archiveSettings = new HashMap<>();
    archiveSettings.put("spanline.archive.kafka.bootstrap.servers", kafka.bootstrapServers());
    archiveSettings.put("spanline.archive.schema-registry.url", registry.uri().toString());
    archiveSettings.put("spanline.archive.topic.sampled-traces", names.sampledTraces());
    archiveSettings.put("spanline.archive.topic.dead-letter", archiveDeadLetters);
    archiveSettings.put("spanline.archive.group.id", UniqueNames.unique("archive-sink"));
    archiveSettings.put("spanline.archive.s3.endpoint", localS3.endpoint().toString());
    archiveSettings.put("spanline.archive.s3.region", LocalS3.REGION);
    archiveSettings.put("spanline.archive.s3.bucket", UniqueNames.unique("walk"));
    archiveSettings.put("spanline.archive.s3.path-style", "true");
    archiveSettings.put("spanline.archive.s3.access-key", LocalS3.ACCESS_KEY);
    archiveSettings.put("spanline.archive.s3.secret-key", LocalS3.SECRET_KEY);
    archiveSettings.put("spanline.archive.s3.create-bucket", "true");
    archiveSettings.put("spanline.archive.work.dir", dir.resolve("archive").toString());
    archiveSettings.put("spanline.archive.roll.max.age.ms", "1000");
    archiveSettings.put("spanline.archive.admin.port", "0");
    archiveSettings.put("spanline.archive.admin.bind.address", "127.0.0.1");
    ArchiveSinkConfig archive = ArchiveSinkConfigLoader.load(Map.of(), archiveSettings);
    RestSchemaRegistryClient registryClient =
        new RestSchemaRegistryClient(registry.uri(), Duration.ofSeconds(10));
    SpanlineTopics topics = new SpanlineTopics(names, registryClient);
    List<AssembledTrace> traces = writeTheDay(kafka, topics, names, from);
    Set<TraceId> errors = new HashSet<>();
    for (int i = 0; i < TRACES; i += 10) {
      errors.add(traces.get(i).traceId());
    }
    long defaultErrors = traces.stream().filter(t -> isDefaultError(t, errors)).count();

    try (OpenSearchConnection connection =
        OpenSearchConnection.open(
            new OpenSearchSettings(List.of(openSearch.uri()), "", "", Duration.ofSeconds(30)))) {
      OpenSearchTraceStore store =
          new OpenSearchTraceStore(
              connection.client(), index.layout(), 1000, new SimpleMeterRegistry());
      S3Client s3 = S3Clients.create(archive.s3());
      ColdTraceReader cold = new ColdTraceReader(s3, archive.bucket(), archive.layout(), 1000);
      try (IndexSinkApp live = IndexSinkApp.start(index, registryClient, Clock.systemUTC());
          ArchiveSinkApp liveArchive =
              ArchiveSinkApp.start(archive, registryClient, Clock.systemUTC())) {
        awaitTraces(store, "default", from, to, TRACES - TRACES / 5);
        awaitTrue(
            "the live archive sink archived every trace",
            () -> archived(cold, traces, from, to).size() == TRACES);
      }
      TraceId droppedLater = traces.get(1).traceId();

      // Step 1: a dry run of the stricter policy shows what it would keep, with a progress line
      Path policy = Files.writeString(dir.resolve("strict.yaml"), STRICT);
      Run dryRun =
          replay(
              sampling,
              "--dry-run",
              "--policy",
              policy.toString(),
              "--from",
              from.toString(),
              "--to",
              to.toString(),
              "--output",
              "json",
              "--progress",
              "plain",
              "--progress-interval",
              "PT0S");
      assertThat(dryRun.exit()).as(dryRun.err()).isZero();
      assertThat(dryRun.err()).contains("replay: ").contains("100.0 % of the range");
      JsonNode report = new ObjectMapper().readTree(dryRun.out());
      assertThat(report.at("/read/traces").asLong()).isEqualTo(TRACES);
      assertThat(report.at("/kept/current/traces").asLong()).isEqualTo(TRACES);
      assertThat(report.at("/kept/new/traces").asLong()).isEqualTo(errors.size());

      // Step 2: re-sample the day into generation g2; the first run stops after 80 records
      // (as Ctrl-C would), and is refused promotion; the same command again continues
      Path checkpoint = dir.resolve("g2.checkpoint");
      List<String> create =
          List.of(
              "create",
              "g2",
              "--policy",
              policy.toString(),
              "--from",
              from.toString(),
              "--to",
              to.toString(),
              "--checkpoint",
              checkpoint.toString(),
              "--progress",
              "plain",
              "--progress-interval",
              "PT0S",
              "--timeout",
              "PT3M");
      List<String> stopEarly = new ArrayList<>(create);
      stopEarly.addAll(List.of("--rate", "100", "--max-records", "80"));
      Run stopped = generation(sampling, index, archive, stopEarly.toArray(String[]::new));
      assertThat(stopped.exit()).as(stopped.err()).isEqualTo(GenerationCommand.STOPPED);
      assertThat(stopped.err()).contains("replay: ");
      assertThat(checkpoint).exists();
      Run early = generation(sampling, index, archive, "promote", "g2");
      assertThat(early.exit()).isEqualTo(1);
      assertThat(early.err()).contains("not complete");

      List<String> rest = new ArrayList<>(create);
      rest.addAll(List.of("--rate", "1000"));
      Run created = generation(sampling, index, archive, rest.toArray(String[]::new));
      assertThat(created.exit()).as(created.err()).isZero();
      assertThat(created.err())
          .contains("replay: ")
          .containsPattern(
              "index: [0-9,]+ of [0-9,]+ offsets, 100.0 %, " + errors.size() + " records read")
          .containsPattern("archive: [0-9,]+ of [0-9,]+ offsets, 100.0 %");
      assertThat(created.out())
          .contains("Generation g2 complete")
          .contains("archived under s3://" + archive.bucket() + "/spans-gen-g2/");

      // Before promotion the live results are unchanged
      assertThat(store.trace("default", droppedLater, new TimeRange(0, Long.MAX_VALUE)))
          .isPresent();
      assertThat(traceIds(store, "default", from, to)).hasSize(TRACES - TRACES / 5);
      assertThat(archived(cold, traces, from, to)).hasSize(TRACES);

      // Step 3: compare, as JSON and as a table
      Run compared = generation(sampling, index, archive, "compare", "g2", "--output", "json");
      assertThat(compared.exit()).as(compared.err()).isZero();
      JsonNode comparison = new ObjectMapper().readTree(compared.out());
      assertThat(comparison.at("/live/traces").asLong()).isEqualTo(TRACES);
      assertThat(comparison.at("/generationCounts/traces").asLong()).isEqualTo(errors.size());
      assertThat(comparison.at("/live/byPolicy/live/traces").asLong()).isEqualTo(TRACES);
      assertThat(comparison.at("/generationCounts/byPolicy/errors/traces").asLong())
          .isEqualTo(errors.size());
      assertThat(comparison.at("/generationCounts/byPolicy/live").isMissingNode()).isTrue();
      assertThat(comparison.at("/live/byTenant/acme/traces").asLong()).isEqualTo(TRACES / 5);
      assertThat(comparison.at("/generationCounts/byTenant/default/traces").asLong())
          .isEqualTo(defaultErrors);
      assertThat(comparison.at("/live/spans").asLong())
          .isEqualTo(traces.stream().mapToLong(t -> t.spans().size()).sum());
      Run table = generation(sampling, index, archive, "compare", "g2");
      assertThat(table.out())
          .contains("Generation g2 (COMPLETE")
          .containsPattern("total +200 +20 +-180 +399 +39 +-360")
          .containsPattern("tenant +acme +40 +0 +-40 +80 +0 +-80")
          .containsPattern("policy +errors +0 +" + errors.size() + " +\\+" + errors.size())
          .containsPattern("policy +live +" + TRACES + " +0 +-" + TRACES);

      // Step 4: promote; the query path now finds only what the stricter policy kept
      Run promoted = generation(sampling, index, archive, "promote", "g2");
      assertThat(promoted.exit()).as(promoted.err()).isZero();
      assertThat(promoted.out()).contains("Generation g2 promoted");
      assertThat(store.trace("default", droppedLater, new TimeRange(0, Long.MAX_VALUE))).isEmpty();
      List<TraceId> found = traceIds(store, "default", from, to);
      assertThat(found).hasSize((int) defaultErrors);
      assertThat(errors).containsAll(found);
      // and the archive holds exactly the traces the promoted indices hold, for both tenants
      Set<TraceId> promotedTraces = new HashSet<>();
      for (AssembledTrace t : traces) {
        if (store.trace(t.tenant(), t.traceId(), new TimeRange(0, Long.MAX_VALUE)).isPresent()) {
          promotedTraces.add(t.traceId());
        }
      }
      assertThat(promotedTraces).hasSize(errors.size());
      assertThat(archived(cold, traces, from, to))
          .containsExactlyInAnyOrderElementsOf(promotedTraces);
      assertThat(promoted.out()).contains("Generation g2 promoted in the archive");
      Run again = generation(sampling, index, archive, "promote", "g2");
      assertThat(again.exit()).isZero();
      assertThat(again.out())
          .contains("live already")
          .contains("Generation g2 is live in the archive already");
      Run discard = generation(sampling, index, archive, "discard", "g2");
      assertThat(discard.exit()).isEqualTo(1);
      assertThat(discard.err()).contains("promoted");

      // Or discard: a generation g3 of the same day, created and then thrown away, leaves the
      // live day (now g2's) as it was, and takes its topic, consumer groups and checkpoint along
      Path g3Checkpoint = dir.resolve("g3.checkpoint");
      Run g3 =
          generation(
              sampling,
              index,
              archive,
              "create",
              "g3",
              "--policy",
              Files.writeString(
                      dir.resolve("all.yaml"), "policies:\n  - {name: all, type: always_sample}\n")
                  .toString(),
              "--from",
              from.toString(),
              "--to",
              to.toString(),
              "--checkpoint",
              g3Checkpoint.toString(),
              "--progress",
              "none");
      assertThat(g3.exit()).as(g3.err()).isZero();
      String g3Topic = GenerationCommand.topicOf(sampling, "g3");
      Run discarded =
          generation(
              sampling, index, archive, "discard", "g3", "--checkpoint", g3Checkpoint.toString());
      assertThat(discarded.exit()).as(discarded.err()).isZero();
      assertThat(discarded.out()).contains("Generation g3 discarded: deleted 3 indices");
      assertThat(
              s3.listObjectsV2(l -> l.bucket(archive.bucket()).prefix("spans-gen-g3/")).contents())
          .isEmpty();
      assertThat(g3Checkpoint).doesNotExist();
      try (org.apache.kafka.clients.admin.Admin admin = kafka.admin()) {
        awaitTrue(
            "topic " + g3Topic + " and the g3 consumer groups deleted",
            () ->
                !admin.listTopics().names().get().contains(g3Topic)
                    && admin.listConsumerGroups().all().get().stream()
                        .noneMatch(g -> g.groupId().endsWith("-g3")));
      }
      assertThat(traceIds(store, "default", from, to)).hasSize((int) defaultErrors);
      assertThat(archived(cold, traces, from, to))
          .containsExactlyInAnyOrderElementsOf(promotedTraces);
      s3.close();
    }
  }

  /** The traces the cold reader finds by ID in the live archive. */
  private static List<TraceId> archived(
      ColdTraceReader cold, List<AssembledTrace> traces, Instant from, Instant to)
      throws Exception {
    List<TraceId> found = new ArrayList<>();
    for (AssembledTrace t : traces) {
      if (!cold.find(t.tenant(), t.traceId(), nanos(from), nanos(to)).spans().isEmpty()) {
        found.add(t.traceId());
      }
    }
    return found;
  }

  private static boolean isDefaultError(AssembledTrace t, Set<TraceId> errors) {
    return t.tenant().equals("default") && errors.contains(t.traceId());
  }

  private Run replay(SamplingConfig sampling, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        SamplingReplay.run(
            "spanline replay",
            sampling,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            args);
    return new Run(
        exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private Run generation(
      SamplingConfig sampling, IndexSinkConfig index, ArchiveSinkConfig archive, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        new GenerationCommand(
                () -> sampling,
                () -> index,
                () -> archive,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                Clock.systemUTC())
            .commandLine()
            .execute(args);
    return new Run(
        exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /**
   * The day's traces: assembled at noon + 50 ms apart, their spans starting then; a KEEP decision
   * of policy {@code live} for each, and each as the live sampling stream kept it.
   */
  private static List<AssembledTrace> writeTheDay(
      LocalKafka kafka, SpanlineTopics topics, TopicNames names, Instant dayStart)
      throws Exception {
    Instant noon = dayStart.plus(Duration.ofHours(12));
    Map<String, Object> producerConfig =
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    List<AssembledTrace> traces = new ArrayList<>();
    try (KafkaProducer<TraceId, AssembledTrace> assembled =
            new KafkaProducer<>(
                producerConfig,
                topics.assembledTraces().keySerde().serializer(),
                topics.assembledTraces().valueSerde().serializer());
        KafkaProducer<TraceId, SamplingDecision> decisions =
            new KafkaProducer<>(
                producerConfig,
                topics.decisions().keySerde().serializer(),
                topics.decisions().valueSerde().serializer());
        KafkaProducer<TraceId, SampledTrace> sampled =
            new KafkaProducer<>(
                producerConfig,
                topics.sampledTraces().keySerde().serializer(),
                topics.sampledTraces().valueSerde().serializer())) {
      for (int i = 0; i < TRACES; i++) {
        Instant at = noon.plusMillis(50L * i);
        long startNanos = at.getEpochSecond() * 1_000_000_000L + at.getNano();
        TraceBuilder b =
            TraceBuilder.trace()
                .tenant(i % 5 == 4 ? "acme" : "default")
                .shiftedBy(Duration.ofNanos(startNanos - TraceBuilder.START));
        b.root(i % 2 == 0 ? "frontend" : "checkout", "GET /", 10 + i % 50);
        b.children(i % 3, "payment");
        if (i % 10 == 0) {
          b.error();
        }
        AssembledTrace t = b.build();
        traces.add(t);
        SamplingDecision keep =
            new SamplingDecision(
                t.tenant(), t.traceId(), DecisionOutcome.KEEP, List.of("live"), 1.0, startNanos);
        assembled.send(
            new ProducerRecord<>(names.assembledTraces(), null, at.toEpochMilli(), t.traceId(), t));
        decisions.send(
            new ProducerRecord<>(names.decisions(), null, at.toEpochMilli(), t.traceId(), keep));
        sampled.send(
            new ProducerRecord<>(
                names.sampledTraces(),
                null,
                at.toEpochMilli(),
                t.traceId(),
                new SampledTrace(t, keep)));
      }
    }
    return traces;
  }

  private static List<TraceId> traceIds(
      OpenSearchTraceStore store, String tenant, Instant from, Instant to) throws Exception {
    return store.findTraceIds(
        tenant,
        new TraceQuery.Builder("", new TimeRange(nanos(from), nanos(to) - 1))
            .limit(TRACES * 2)
            .build());
  }

  private static void awaitTraces(
      OpenSearchTraceStore store, String tenant, Instant from, Instant to, int expected)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    int seen = 0;
    while (System.nanoTime() < deadline) {
      try {
        seen = traceIds(store, tenant, from, to).size();
      } catch (java.io.IOException | RuntimeException notYet) {
        // the daily index was just created: its shards answer 503 until they are allocated
      }
      if (seen >= expected) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the live index sink indexed " + seen + " of " + expected + " traces");
  }

  private interface Check {
    boolean holds() throws Exception;
  }

  private static void awaitTrue(String what, Check check) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!check.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 30 s: " + what);
      }
      Thread.sleep(100);
    }
  }

  private static long nanos(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }
}
