package io.spanline.bench;

import io.spanline.archive.ArchiveSinkMain;
import io.spanline.assembly.TraceAssemblyMain;
import io.spanline.gateway.GatewayMain;
import io.spanline.index.IndexSinkMain;
import io.spanline.localinfra.Ports;
import io.spanline.localinfra.Probe;
import io.spanline.localinfra.opensearch.LocalOpenSearch;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.localinfra.s3.LocalS3;
import io.spanline.sampling.SamplingMain;
import io.spanline.schemas.codec.otlp.OtlpProtoCodec;
import io.spanline.schemas.codec.otlp.TracePart;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.DecisionOutcome;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanId;
import io.spanline.schemas.model.SpanKind;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.registry.RestSchemaRegistryClient;
import io.spanline.schemas.topic.SpanlineTopics;
import io.spanline.schemas.topic.TopicNames;
import io.spanline.storage.opensearch.Fields;
import io.spanline.storage.opensearch.IndexLayout;
import io.spanline.storage.opensearch.IndexTemplates;
import io.spanline.storage.opensearch.OpenSearchConnection;
import io.spanline.storage.opensearch.OpenSearchSettings;
import io.spanline.storage.opensearch.TemplateSettings;
import io.spanline.storage.opensearch.internal.document.SpanDocument;
import io.spanline.storage.opensearch.internal.document.SpanDocumentMapper;
import io.spanline.storage.opensearch.internal.document.SummaryScript;
import io.spanline.storage.opensearch.internal.document.TraceDocuments;
import io.spanline.storage.opensearch.internal.document.TraceSummaryUpdate;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The whole pipeline on this machine, from spans produced (or exported over OTLP) to spans
 * searchable in OpenSearch, beside its ceiling and its peer, in one run on one broker and one
 * OpenSearch node (child JVMs):
 *
 * <ul>
 *   <li><b>ceiling</b>: the bulk API indexing the very documents the index sink would write (span
 *       documents and summary upserts), prepared in memory beforehand; two bulk requests in flight,
 *       as the sink's two consumers; no Kafka, no Spanline;
 *   <li><b>Spanline</b>, each service in its own JVM (assembly, sampling, index sink, archive sink;
 *       and the gateway for the OTLP round): the workload written into {@code otlp_spans} as a
 *       Collector's Kafka exporter would (one record per trace and service), with a keep-all policy
 *       and with 10 % probabilistic sampling; and the same spans exported over OTLP/HTTP to the
 *       gateway (512-span requests, 16 in flight), keep-all;
 *   <li><b>Zipkin 3.6.1</b> ({@code zipkin-server} exec jar from Maven Central, default JVM
 *       settings) with its Kafka collector and Elasticsearch storage on the same OpenSearch, fed
 *       the same spans as Zipkin v2 JSON (one message per trace and service);
 *   <li><b>latency</b>: Spanline keep-all under a steady load of 50 % and 80 % of the sustained
 *       rate measured above, 30 s unmeasured first, then a probe trace every 500 ms timed from its
 *       produce to its last span being searchable, and split by stage: when it becomes readable
 *       (read_committed) on the assembled and on the sampled topic; the load goes on for {@link
 *       #TAIL_SECONDS} after the last probe, so no probe is timed across the input's end.
 * </ul>
 *
 * <p>A round ends when every kept span is searchable ({@code _count}): for Spanline, the spans of
 * the traces its decisions topic says were kept. CPU is user plus system time of every process
 * taking part (broker, OpenSearch, the services or Zipkin), from {@code /proc}, also printed per
 * process for the Spanline rounds; memory is each service's peak resident set. Run: {@code ./mvnw
 * -q install -DskipTests && ./mvnw -q -pl bench exec:exec
 * -Dbench.main=io.spanline.bench.EndToEndBench} (optional args: spans, default 300 000; seconds per
 * latency load, default 60).
 *
 * <p>Each ceiling and Spanline round also prints the node's own account of its work (indexing,
 * refresh, merge, flush and GC time, from the node stats) per document indexed. Knobs (system
 * properties): {@code bench.e2e.rounds}, {@code bench.e2e.sustained}, {@code
 * bench.e2e.ceiling.rate} (pace the ceiling's bulk requests, spans/s), {@code
 * bench.e2e.ceiling.refresh} and {@code bench.e2e.index.<key>} (any index sink setting for the
 * pipeline rounds).
 */
public final class EndToEndBench {
  private static final String TENANT = "default";
  private static final Duration ROUND_TIMEOUT = Duration.ofMinutes(20);

  /**
   * {@code bench.e2e.ceiling.rate}: spans per second at which the ceiling round's bulk bodies are
   * sent (0, the default: as fast as the node takes them), to index the same documents at the rate
   * the pipeline reaches and see what the rate alone changes in the node's cost per span.
   */
  private static final double CEILING_RATE =
      Double.parseDouble(System.getProperty("bench.e2e.ceiling.rate", "0"));

  /** {@code bench.e2e.ceiling.refresh}: the ceiling round's indices' refresh interval (5s). */
  private static final String CEILING_REFRESH =
      System.getProperty("bench.e2e.ceiling.refresh", "5s");

  private static final String KEEP_ALL =
      "policies:\n  - name: everything\n    type: always_sample\n";
  private static final String TEN_PERCENT =
      "policies:\n  - name: baseline\n    type: probabilistic\n"
          + "    probabilistic: {sampling_percentage: 10}\n";

  /**
   * The rounds, in the order they run; {@code -Dbench.e2e.rounds=zipkin,latency} runs some only
   * (the summary table needs all of them).
   */
  private static final List<String> ALL_ROUNDS =
      List.of("ceiling", "keep-all", "ten-percent", "otlp", "zipkin", "latency");

  /** The workload, prepared once: Kafka records (both formats) and OTLP request bodies. */
  private record Input(
      List<byte[]> keys,
      List<byte[]> otlp,
      List<byte[]> zipkin,
      List<byte[]> requests,
      Map<String, Integer> spansPerTrace,
      long spans,
      long otlpBytes) {}

  /** What one round measured. */
  private record Result(
      String name,
      long spansIn,
      long spansKept,
      double seconds,
      Map<String, Long> peakResident,
      double cpuSeconds,
      long openSearchBytes,
      long parquetBytes) {
    double spansPerSecond() {
      return spansIn / seconds;
    }

    long residentTotal() {
      return peakResident.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private EndToEndBench() {}

  public static void main(String[] args) throws Exception {
    long spans = args.length > 0 ? Long.parseLong(args[0]) : 300_000;
    int latencySeconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
    BenchFiles.inTempFolder("spanline-e2e-bench", dir -> run(dir, spans, latencySeconds));
    System.exit(0);
  }

  private static void run(Path dir, long targetSpans, int latencySeconds) throws Exception {
    try (BrokerProcess kafka = BrokerProcess.start(dir.resolve("kafka"));
        LocalSchemaRegistry registry =
            LocalSchemaRegistry.start(kafka.bootstrapServers(), "_schemas", 0);
        LocalOpenSearch openSearch = LocalOpenSearch.start(dir.resolve("opensearch"), 0, 0, "1g");
        LocalS3 s3 = LocalS3.startTransient(0);
        Admin admin = kafka.admin()) {
      Env env = new Env(dir, kafka, registry, openSearch, s3, admin);
      Set<String> rounds =
          Set.of(System.getProperty("bench.e2e.rounds", String.join(",", ALL_ROUNDS)).split(","));
      List<Result> results = new ArrayList<>();
      if (rounds.contains("ceiling")) {
        results.add(ceiling(env, targetSpans));
      }
      Input input = prepare(targetSpans);
      System.out.printf(
          "INPUT %d spans in %d traces, %d Kafka records, %.0f OTLP bytes per span%n",
          input.spans(),
          input.spansPerTrace().size(),
          input.keys().size(),
          input.otlpBytes() / (double) input.spans());
      double sustained = Double.parseDouble(System.getProperty("bench.e2e.sustained", "0"));
      if (rounds.contains("keep-all")) {
        Result keepAll =
            spanline(env, 1, "Spanline keep-all, Collector path", KEEP_ALL, false, input);
        results.add(keepAll);
        sustained = keepAll.spansPerSecond();
      }
      if (rounds.contains("ten-percent")) {
        results.add(spanline(env, 2, "Spanline 10 %, Collector path", TEN_PERCENT, false, input));
      }
      if (rounds.contains("otlp")) {
        results.add(
            spanline(env, 3, "Spanline keep-all, OTLP via the gateway", KEEP_ALL, true, input));
      }
      if (rounds.contains("zipkin")) {
        results.add(zipkin(env, zipkinJar(), input));
      }
      if (results.size() == ALL_ROUNDS.size() - 1) {
        report(results, input);
      }
      if (rounds.contains("latency")) {
        if (sustained <= 0) {
          throw new IllegalArgumentException(
              "the latency round needs the keep-all round or -Dbench.e2e.sustained=<spans/s>");
        }
        for (double share : new double[] {0.5, 0.8}) {
          LatencyRun.run(
              env, 4 + (int) (share * 10), share, share * sustained, latencySeconds, input);
        }
      }
    }
  }

  /** The servers every round shares. */
  private record Env(
      Path dir,
      BrokerProcess kafka,
      LocalSchemaRegistry registry,
      LocalOpenSearch openSearch,
      LocalS3 s3,
      Admin admin) {
    OpenSearchHttp http() {
      return new OpenSearchHttp(openSearch.uri());
    }

    double sharedCpuSeconds() throws Exception {
      return ServiceProcess.cpuSeconds(kafka.pid()) + ServiceProcess.cpuSeconds(openSearch.pid());
    }
  }

  private static Path zipkinJar() {
    Path jar = Path.of(System.getProperty("bench.zipkin.jar", "target/zipkin/zipkin-server.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "Zipkin's exec jar is not at "
              + jar.toAbsolutePath()
              + ": the bench module's build copies it there (./mvnw -pl bench package)");
    }
    return jar;
  }

  // ---------------------------------------------------------------- the workload

  private static Input prepare(long target) throws Exception {
    List<byte[]> keys = new ArrayList<>();
    List<byte[]> otlp = new ArrayList<>();
    List<byte[]> zipkin = new ArrayList<>();
    List<byte[]> requests = new ArrayList<>();
    Map<String, Integer> spansPerTrace = new HashMap<>();
    long spans = 0;
    long bytes = 0;
    Random random = new Random(5);
    // an hour ago: recent enough for the gateway's start-time check, the same for every round
    long base = (System.currentTimeMillis() - 3_600_000L) * 1_000_000L;
    for (long seed = 1; spans < target; seed++) {
      for (Workload.Request request : Workload.requests(20, seed, base)) {
        requests.add(request.body());
        List<byte[][]> batch = new ArrayList<>();
        for (TracePart trace : request.records()) {
          String hex = trace.traceId().toHex();
          byte[] key = hex.getBytes(StandardCharsets.US_ASCII);
          List<Span> traceSpans = OtlpProtoCodec.decode(trace.tracesData());
          spansPerTrace.merge(hex, traceSpans.size(), Integer::sum);
          // one record per service, as each service's SDK exports its own spans
          Map<String, List<Span>> byService =
              traceSpans.stream()
                  .collect(
                      Collectors.groupingBy(
                          Span::serviceName, LinkedHashMap::new, Collectors.toList()));
          for (List<Span> part : byService.values()) {
            batch.add(new byte[][] {key, OtlpProtoCodec.encode(part), ZipkinJson.encode(part)});
          }
          spans += traceSpans.size();
        }
        Collections.shuffle(batch, random);
        for (byte[][] r : batch) {
          keys.add(r[0]);
          otlp.add(r[1]);
          zipkin.add(r[2]);
          bytes += r[1].length;
        }
      }
    }
    return new Input(keys, otlp, zipkin, requests, spansPerTrace, spans, bytes);
  }

  private static KafkaProducer<byte[], byte[]> producer(Env env) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, env.kafka().bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 262_144);
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L << 20);
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static void createTopics(Env env, List<String> sixPartitions, List<String> onePartition)
      throws Exception {
    List<NewTopic> topics = new ArrayList<>();
    for (String t : sixPartitions) {
      topics.add(
          new NewTopic(t, 6, (short) 1)
              .configs(Map.of("max.message.bytes", String.valueOf(16 << 20))));
    }
    for (String t : onePartition) {
      topics.add(new NewTopic(t, 1, (short) 1));
    }
    env.admin().createTopics(topics).all().get();
  }

  // ---------------------------------------------------------------- ceiling

  /**
   * The ceiling round, and two alternative document designs measured the same way (issue 26's
   * "question the document design"): the sink's span documents without its fragment documents
   * (spans stored nowhere: the cost of searching alone), and one document per trace carrying the
   * union of its spans' searchable keywords and the whole trace as one compressed OTLP blob. Only
   * the first is the ceiling the pipeline is compared with; the others say what a redesign could
   * gain. The documents come from storage-opensearch's internal mapper on purpose: the ceiling is
   * "the documents the sink writes", and only the mapper makes them without also sending them.
   */
  private static Result ceiling(Env env, long targetSpans) throws Exception {
    IndexLayout layout = new IndexLayout("ceiling");
    IndexLayout bare = new IndexLayout("ceilbare");
    IndexLayout before = new IndexLayout("ceilold");
    IndexLayout warm = new IndexLayout("ceilwarm");
    try (OpenSearchConnection connection =
        OpenSearchConnection.open(
            new OpenSearchSettings(
                List.of(env.openSearch().uri()), "", "", Duration.ofSeconds(60)))) {
      IndexTemplates.install(
          connection.client(), new TemplateSettings(layout, 1, 0, CEILING_REFRESH, 256));
      IndexTemplates.install(
          connection.client(), new TemplateSettings(bare, 1, 0, CEILING_REFRESH, 256));
      IndexTemplates.install(
          connection.client(), new TemplateSettings(before, 1, 0, CEILING_REFRESH, 256));
      IndexTemplates.install(connection.client(), new TemplateSettings(warm, 1, 0, "5s", 256));
    }
    env.http().put("/ceiltrace", TRACE_DOCUMENT_INDEX);
    SpanDocumentMapper mapper =
        new SpanDocumentMapper(layout, Set.copyOf(SpanDocumentMapper.DEFAULT_ALLOWLIST));
    SpanDocumentMapper bareMapper =
        new SpanDocumentMapper(bare, Set.copyOf(SpanDocumentMapper.DEFAULT_ALLOWLIST));
    SpanDocumentMapper beforeMapper =
        new SpanDocumentMapper(before, Set.copyOf(SpanDocumentMapper.DEFAULT_ALLOWLIST));
    BulkBodies perSpanCopy = new BulkBodies();
    SpanDocumentMapper warmMapper =
        new SpanDocumentMapper(warm, Set.copyOf(SpanDocumentMapper.DEFAULT_ALLOWLIST));
    BulkBodies warmUp = new BulkBodies();
    long[] warmSpans = {0};
    BulkBodies sink = new BulkBodies();
    BulkBodies noCopy = new BulkBodies();
    BulkBodies perTrace = new BulkBodies();
    long[] counts =
        Workload.traces(
            targetSpans,
            (index, id, spans) -> {
              AssembledTrace trace = AssembledTrace.of(TENANT, id, 0, spans);
              SamplingDecision decision =
                  new SamplingDecision(
                      TENANT, id, DecisionOutcome.KEEP, List.of("everything"), 1.0, 0L);
              SampledTrace sampled = new SampledTrace(trace, decision);
              addSinkDocuments(sink, layout, mapper.map(sampled), false);
              addSinkDocuments(noCopy, bare, bareMapper.map(sampled), true);
              addPerSpanCopyDocuments(perSpanCopy, before, beforeMapper.map(sampled), spans);
              if (warmSpans[0] < targetSpans / 3) {
                warmSpans[0] += spans.size();
                addSinkDocuments(warmUp, warm, warmMapper.map(sampled), false);
                addPerSpanCopyDocuments(warmUp, warm, warmMapper.map(sampled), spans);
              }
              perTrace.add(
                  Map.of("index", Map.of("_index", "ceiltrace", "_id", id.toHex())),
                  traceDocument(mapper.map(sampled), spans));
            });
    // Warm-up, not timed: whichever round ran first paid the node's JIT warm-up (~100 µs/span more
    // CPU and less than half the rate in two runs), so a third of the workload in both layouts
    // goes to throwaway indices first.
    print(
        bulkRound(
            env,
            "(warm-up, not a result) both layouts, a third of the spans",
            warmUp.finish(),
            warm.spanIndexPattern(),
            warmSpans[0],
            warmSpans[0],
            "ceilwarm-*"));
    env.http().delete("/ceilwarm-*");
    print(
        bulkRound(
            env,
            "(before) span documents each with its OTLP copy, no fragment documents",
            perSpanCopy.finish(),
            before.spanIndexPattern(),
            counts[1],
            counts[1],
            "ceilold-*"));
    Result r =
        bulkRound(
            env,
            "ceiling: bulk API, documents prepared in memory",
            sink.finish(),
            layout.spanIndexPattern(),
            counts[1],
            counts[1],
            "ceiling-*");
    print(r);
    print(
        bulkRound(
            env,
            "(design) span documents without the fragment documents",
            noCopy.finish(),
            bare.spanIndexPattern(),
            counts[1],
            counts[1],
            "ceilbare-*"));
    print(
        bulkRound(
            env,
            "(design) one document per trace, OTLP once",
            perTrace.finish(),
            "ceiltrace",
            counts[0],
            counts[1],
            "ceiltrace"));
    return r;
  }

  /** Bulk request bodies of at most 5 000 actions, built one action at a time. */
  private static final class BulkBodies {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
        new com.fasterxml.jackson.databind.ObjectMapper();
    private final List<byte[]> bodies = new ArrayList<>();
    private final ByteArrayOutputStream body = new ByteArrayOutputStream(8 << 20);
    private int actions;

    void add(Object action, Object document) throws java.io.IOException {
      body.write(JSON.writeValueAsBytes(action));
      body.write('\n');
      body.write(document instanceof byte[] bytes ? bytes : JSON.writeValueAsBytes(document));
      body.write('\n');
      if (++actions >= 5000) {
        bodies.add(body.toByteArray());
        body.reset();
        actions = 0;
      }
    }

    List<byte[]> finish() {
      if (body.size() > 0) {
        bodies.add(body.toByteArray());
        body.reset();
        actions = 0;
      }
      return bodies;
    }
  }

  /**
   * The sink's actions for one trace: an index action per span, one for the fragment document (its
   * spans stored once) unless {@code withoutStoredSpans}, the summary's upsert.
   */
  private static void addSinkDocuments(
      BulkBodies out, IndexLayout layout, TraceDocuments docs, boolean withoutStoredSpans)
      throws java.io.IOException {
    for (SpanDocument span : docs.spans()) {
      out.add(Map.of("index", Map.of("_index", span.index(), "_id", span.id())), span.json());
    }
    if (!withoutStoredSpans) {
      out.add(
          Map.of("index", Map.of("_index", docs.fragment().index(), "_id", docs.fragment().id())),
          docs.fragment().json());
    }
    addSummary(out, layout, docs);
  }

  /** The summary's scripted upsert into its daily index. */
  private static void addSummary(BulkBodies out, IndexLayout layout, TraceDocuments docs)
      throws java.io.IOException {
    TraceSummaryUpdate summary = docs.summary();
    String summaryIndex =
        layout.traceIndex(
            LocalDate.ofInstant(
                Instant.ofEpochSecond(0, summary.startEpochNanos()), ZoneOffset.UTC));
    out.add(
        Map.of(
            "update", Map.of("_index", summaryIndex, "_id", summary.id(), "retry_on_conflict", 5)),
        Map.of(
            "scripted_upsert",
            true,
            "script",
            Map.of("id", SummaryScript.id(layout.prefix()), "params", summary.params()),
            "upsert",
            Map.of()));
  }

  /**
   * The layout before trace fragment documents, to compare in the same run: each span document with
   * the span as base64 OTLP protobuf in {@code otlp}, no fragment document, the summary's upsert.
   */
  private static void addPerSpanCopyDocuments(
      BulkBodies out, IndexLayout layout, TraceDocuments docs, List<Span> spans)
      throws java.io.IOException {
    for (int i = 0; i < docs.spans().size(); i++) {
      SpanDocument span = docs.spans().get(i);
      var tree =
          (com.fasterxml.jackson.databind.node.ObjectNode) BulkBodies.JSON.readTree(span.json());
      // the mapper writes one span document per span, in the trace's order
      tree.put(Fields.OTLP, OtlpProtoCodec.encode(List.of(spans.get(i))));
      out.add(
          Map.of("index", Map.of("_index", span.index(), "_id", span.id())),
          BulkBodies.JSON.writeValueAsBytes(tree));
    }
    addSummary(out, layout, docs);
  }

  /** The one-document-per-trace design's mapping: keywords to search, the trace stored once. */
  private static final String TRACE_DOCUMENT_INDEX =
      "{\"settings\":{\"index.number_of_shards\":1,\"index.number_of_replicas\":0,"
          + "\"index.refresh_interval\":\"5s\",\"index.codec\":\"best_compression\"},"
          + "\"mappings\":{\"dynamic\":\"strict\",\"properties\":{"
          + "\"tenant\":{\"type\":\"keyword\"},\"traceId\":{\"type\":\"keyword\"},"
          + "\"startTime\":{\"type\":\"date\",\"format\":\"epoch_millis\"},"
          + "\"durationNanos\":{\"type\":\"long\"},"
          + "\"service\":{\"type\":\"keyword\"},\"name\":{\"type\":\"keyword\"},"
          + "\"status\":{\"type\":\"keyword\"},\"tags\":{\"type\":\"keyword\","
          + "\"ignore_above\":256},\"tagKeys\":{\"type\":\"keyword\"},"
          + "\"spanCount\":{\"type\":\"integer\",\"index\":false},"
          + "\"otlp\":{\"type\":\"binary\"}}}}";

  /**
   * One document for a whole trace: the union of its span documents' services, names, statuses and
   * tags (span conditions would be checked on the fetched trace afterwards), and the trace's spans
   * as one OTLP protobuf, gzip-compressed.
   */
  private static Map<String, Object> traceDocument(TraceDocuments docs, List<Span> spans)
      throws java.io.IOException {
    Set<String> services = new java.util.TreeSet<>();
    Set<String> names = new java.util.TreeSet<>();
    Set<String> statuses = new java.util.TreeSet<>();
    Set<String> tags = new java.util.TreeSet<>();
    Set<String> tagKeys = new java.util.TreeSet<>();
    long start = Long.MAX_VALUE;
    long end = Long.MIN_VALUE;
    for (SpanDocument span : docs.spans()) {
      var tree = BulkBodies.JSON.readTree(span.json());
      services.add(tree.path(Fields.SERVICE).asText());
      names.add(tree.path(Fields.NAME).asText());
      statuses.add(tree.path(Fields.STATUS).asText());
      tree.path(Fields.TAGS).forEach(t -> tags.add(t.asText()));
      tree.path(Fields.TAG_KEYS).forEach(t -> tagKeys.add(t.asText()));
    }
    for (Span span : spans) {
      start = Math.min(start, span.startEpochNanos());
      end = Math.max(end, span.endEpochNanos());
    }
    ByteArrayOutputStream zipped = new ByteArrayOutputStream();
    try (var gzip = new java.util.zip.GZIPOutputStream(zipped)) {
      gzip.write(OtlpProtoCodec.encode(spans));
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("tenant", TENANT);
    doc.put("traceId", spans.get(0).traceId().toHex());
    doc.put("startTime", start / 1_000_000L);
    doc.put("durationNanos", end - start);
    doc.put("service", services);
    doc.put("name", names);
    doc.put("status", statuses);
    doc.put("tags", tags);
    doc.put("tagKeys", tagKeys);
    doc.put("spanCount", spans.size());
    doc.put("otlp", java.util.Base64.getEncoder().encodeToString(zipped.toByteArray()));
    return doc;
  }

  /**
   * Sends prepared bulk bodies, two in flight, and times them until {@code documents} documents are
   * searchable in {@code countPattern}.
   */
  private static Result bulkRound(
      Env env,
      String name,
      List<byte[]> bodies,
      String countPattern,
      long documents,
      long spans,
      String storePattern)
      throws Exception {
    OpenSearchHttp http = env.http();
    double cpu0 = env.sharedCpuSeconds();
    double cpuOpenSearch0 = ServiceProcess.cpuSeconds(env.openSearch().pid());
    OpenSearchHttp.NodeWork work0 = http.nodeWork();
    long start = System.nanoTime();
    // paced: body i is sent no earlier than its share of the spans at CEILING_RATE spans/s
    double bodyNanos = CEILING_RATE > 0 ? spans * 1e9 / CEILING_RATE / bodies.size() : 0;
    ExecutorService senders = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> sent = new ArrayList<>();
      for (int i = 0; i < bodies.size(); i++) {
        byte[] b = bodies.get(i);
        long due = start + (long) (i * bodyNanos);
        sent.add(
            senders.submit(
                () -> {
                  long wait = due - System.nanoTime();
                  if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                  }
                  http.bulk(b);
                  return null;
                }));
      }
      for (Future<?> f : sent) {
        f.get();
      }
    } finally {
      senders.shutdown();
    }
    Probe.until(
        name + ": every document searchable",
        ROUND_TIMEOUT,
        Duration.ofMillis(100),
        () -> http.count(countPattern) == documents);
    double seconds = (System.nanoTime() - start) / 1e9;
    double cpu = env.sharedCpuSeconds() - cpu0;
    System.out.printf(
        java.util.Locale.ROOT,
        "%s: OpenSearch CPU %.0f µs/span; %s%n",
        name,
        (ServiceProcess.cpuSeconds(env.openSearch().pid()) - cpuOpenSearch0) * 1e6 / spans,
        http.nodeWork().minus(work0).describe());
    long bytes = http.settledStoreBytes(storePattern);
    return new Result(name, spans, spans, seconds, Map.of(), cpu, bytes, 0);
  }

  // ---------------------------------------------------------------- Spanline

  private static Result spanline(
      Env env, int round, String name, String policies, boolean overOtlp, Input input)
      throws Exception {
    try (PipelineHandle pipeline = PipelineHandle.start(env, "r" + round, policies, overOtlp)) {
      TopicNames topics = pipeline.topics();
      try (DecisionWatch watch = DecisionWatch.start(env, topics, input.spansPerTrace())) {
        Map<String, Double> cpuAtStart = cpuByProcess(env, pipeline.processes());
        OpenSearchHttp.NodeWork work0 = env.http().nodeWork();
        long start = System.nanoTime();
        if (overOtlp) {
          exportOverOtlp(pipeline.otlpPort(), input.requests());
        } else {
          try (KafkaProducer<byte[], byte[]> producer = producer(env)) {
            RecordHeaders headers = new RecordHeaders();
            headers.add("spanline.tenant", TENANT.getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < input.keys().size(); i++) {
              producer.send(
                  new ProducerRecord<>(
                      topics.otlpSpans(), null, input.keys().get(i), input.otlp().get(i), headers));
            }
            producer.flush();
          }
        }
        OpenSearchHttp http = env.http();
        String spans = pipeline.prefix() + "-spans-*";
        Probe.until(
            name + ": every kept span searchable",
            ROUND_TIMEOUT,
            Duration.ofMillis(100),
            () -> watch.allDecided() && http.count(spans) == watch.keptSpans());
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Double> cpuByProcess = cpuByProcess(env, pipeline.processes());
        cpuByProcess.replaceAll((process, seconds1) -> seconds1 - cpuAtStart.get(process));
        double cpu = cpuByProcess.values().stream().mapToDouble(Double::doubleValue).sum();
        System.out.println(
            "CPU by process, µs per span in: "
                + cpuByProcess.entrySet().stream()
                    .map(
                        e ->
                            String.format(
                                java.util.Locale.ROOT,
                                "%s %.0f",
                                e.getKey(),
                                e.getValue() * 1e6 / input.spans()))
                    .collect(Collectors.joining(", ")));
        System.out.println(name + ": " + http.nodeWork().minus(work0).describe());
        Map<String, Long> peaks = new LinkedHashMap<>();
        for (ServiceProcess sp : pipeline.processes()) {
          peaks.put(sp.name(), sp.peakResidentBytes());
        }
        // the sampling stream writes the sampled topic in transactions: a commit marker ends it
        StreamsBench.awaitInputCommitted(
            env.admin(), pipeline.prefix() + "-archive", topics.sampledTraces(), 1);
        idleCpu(env, pipeline.processes(), cpuByProcess, seconds, input.spans());
        long parquet = objectBytes(env, "bench-archive", pipeline.prefix() + "/");
        long indexBytes = http.settledStoreBytes(pipeline.prefix() + "-*");
        Result r =
            new Result(
                name, input.spans(), watch.keptSpans(), seconds, peaks, cpu, indexBytes, parquet);
        print(r);
        return r;
      }
    }
  }

  /**
   * One Spanline pipeline of its own topics, index prefix and archive prefix: each service in its
   * own JVM, started and ready.
   */
  private static final class PipelineHandle implements AutoCloseable {
    private final String prefix;
    private final TopicNames topics;
    private final List<ServiceProcess> processes;
    private final int otlpPort;

    private PipelineHandle(
        String prefix, TopicNames topics, List<ServiceProcess> processes, int otlpPort) {
      this.prefix = prefix;
      this.topics = topics;
      this.processes = processes;
      this.otlpPort = otlpPort;
    }

    String prefix() {
      return prefix;
    }

    TopicNames topics() {
      return topics;
    }

    List<ServiceProcess> processes() {
      return processes;
    }

    int otlpPort() {
      return otlpPort;
    }

    static PipelineHandle start(Env env, String p, String policies, boolean withGateway)
        throws Exception {
      Path dir = env.dir().resolve(p);
      Files.createDirectories(dir);
      Path policyFile = dir.resolve("policies.yaml");
      Files.writeString(policyFile, policies);
      TopicNames topics =
          new TopicNames(
              p + ".otlp_spans",
              p + ".assembled",
              p + ".sampled",
              p + ".decisions",
              p + ".metrics");
      createTopics(
          env,
          List.of(
              topics.otlpSpans(),
              topics.assembledTraces(),
              topics.sampledTraces(),
              topics.decisions()),
          List.of(
              topics.metrics(),
              p + ".dlq.assembly",
              p + ".dlq.sampling",
              p + ".dlq.index",
              p + ".dlq.archive"));
      String kafka = env.kafka().bootstrapServers();
      String registry = env.registry().uri().toString();
      Map<String, Integer> admin = new LinkedHashMap<>();
      Map<String, Map<String, String>> settings = new LinkedHashMap<>();
      if (withGateway) {
        settings.put("gateway", new HashMap<>());
      }
      for (String app : List.of("assembly", "sampling", "index", "archive")) {
        settings.put(app, new HashMap<>());
      }
      for (var e : settings.entrySet()) {
        Map<String, String> s = e.getValue();
        s.put("kafka.bootstrap.servers", kafka);
        if (!e.getKey().equals("gateway")) {
          s.put("schema-registry.url", registry);
        }
        int port = Ports.freePort();
        admin.put(e.getKey(), port);
        s.put("admin.bind.address", "127.0.0.1");
        s.put("admin.port", String.valueOf(port));
      }
      int otlpPort = Ports.freePort();
      if (withGateway) {
        Map<String, String> g = settings.get("gateway");
        g.put(TopicNames.OTLP_SPANS_KEY, topics.otlpSpans());
        g.put("bind.address", "127.0.0.1");
        g.put("otlp.http.port", String.valueOf(otlpPort));
        g.put("otlp.grpc.port", String.valueOf(Ports.freePort()));
      }
      Map<String, String> a = settings.get("assembly");
      a.put("application.id", p + "-assembly");
      a.put(TopicNames.OTLP_SPANS_KEY, topics.otlpSpans());
      a.put(TopicNames.ASSEMBLED_TRACES_KEY, topics.assembledTraces());
      a.put("topic.dead-letter", p + ".dlq.assembly");
      a.put("state.dir", dir.resolve("assembly").toString());
      Map<String, String> s = settings.get("sampling");
      s.put("application.id", p + "-sampling");
      s.put(TopicNames.ASSEMBLED_TRACES_KEY, topics.assembledTraces());
      s.put(TopicNames.SAMPLED_TRACES_KEY, topics.sampledTraces());
      s.put(TopicNames.DECISIONS_KEY, topics.decisions());
      s.put(TopicNames.METRICS_KEY, topics.metrics());
      s.put("topic.dead-letter", p + ".dlq.sampling");
      s.put("state.dir", dir.resolve("sampling").toString());
      s.put("policy.file", policyFile.toString());
      Map<String, String> ix = settings.get("index");
      ix.put(TopicNames.SAMPLED_TRACES_KEY, topics.sampledTraces());
      ix.put("topic.dead-letter", p + ".dlq.index");
      ix.put("group.id", p + "-index");
      ix.put("opensearch.hosts", env.openSearch().uri().toString());
      ix.put("index.prefix", p);
      ix.put("index.replicas", "0");
      ix.put("retention.days", "3650");
      // -Dbench.e2e.index.<key>=<value> sets the index sink's <key>, e.g. index.refresh-interval
      System.getProperties().stringPropertyNames().stream()
          .filter(k -> k.startsWith("bench.e2e.index."))
          .forEach(k -> ix.put(k.substring("bench.e2e.index.".length()), System.getProperty(k)));
      Map<String, String> ar = settings.get("archive");
      ar.put(TopicNames.SAMPLED_TRACES_KEY, topics.sampledTraces());
      ar.put("topic.dead-letter", p + ".dlq.archive");
      ar.put("group.id", p + "-archive");
      ar.put("s3.endpoint", env.s3().endpoint().toString());
      ar.put("s3.region", LocalS3.REGION);
      ar.put("s3.path-style", "true");
      ar.put("s3.access-key", LocalS3.ACCESS_KEY);
      ar.put("s3.secret-key", LocalS3.SECRET_KEY);
      ar.put("s3.bucket", "bench-archive");
      ar.put("s3.prefix", p);
      ar.put("s3.create-bucket", "true");
      ar.put("roll.max.age.ms", "5000");
      ar.put("work.dir", dir.resolve("archive").toString());
      ar.put("retention.days", "3650");
      Map<String, Class<?>> mains =
          Map.of(
              "gateway", GatewayMain.class,
              "assembly", TraceAssemblyMain.class,
              "sampling", SamplingMain.class,
              "index", IndexSinkMain.class,
              "archive", ArchiveSinkMain.class);
      Map<String, String> heaps =
          Map.of(
              "gateway", "512m",
              "assembly", "1g",
              "sampling", "1g",
              "index", "512m",
              "archive", "512m");
      List<ServiceProcess> processes = new ArrayList<>();
      try {
        for (var e : settings.entrySet()) {
          Map<String, String> props = new HashMap<>();
          e.getValue().forEach((k, v) -> props.put("spanline." + e.getKey() + "." + k, v));
          processes.add(
              ServiceProcess.java(
                  e.getKey(),
                  mains.get(e.getKey()),
                  heaps.get(e.getKey()),
                  BenchFiles.withJvmOverrides("spanline." + e.getKey() + ".", props),
                  dir.resolve(e.getKey() + ".log")));
        }
        for (ServiceProcess sp : processes) {
          sp.awaitHttpOk(admin.get(sp.name()), "/readyz", Duration.ofMinutes(2));
        }
      } catch (Exception | Error e) {
        for (ServiceProcess sp : processes) {
          sp.close();
        }
        throw e;
      }
      return new PipelineHandle(p, topics, processes, otlpPort);
    }

    @Override
    public void close() throws InterruptedException {
      for (ServiceProcess sp : processes) {
        sp.close();
      }
    }
  }

  /** CPU seconds so far of the broker, OpenSearch and each of {@code processes}, by name. */
  /**
   * What each process burns with nothing to do: its CPU over {@link #IDLE_WINDOW} after a round's
   * work is done (everything searchable and archived), in cores; and the round's CPU by process net
   * of that rate over the round's {@code seconds}, in µs per span. Printed, not returned.
   */
  private static void idleCpu(
      Env env,
      List<ServiceProcess> processes,
      Map<String, Double> roundCpu,
      double seconds,
      long spans)
      throws Exception {
    Map<String, Double> before = cpuByProcess(env, processes);
    long start = System.nanoTime();
    // a measurement window, not a wait for a condition: the idle rate is CPU over elapsed time
    TimeUnit.MILLISECONDS.sleep(IDLE_WINDOW.toMillis());
    double window = (System.nanoTime() - start) / 1e9;
    Map<String, Double> after = cpuByProcess(env, processes);
    StringBuilder idle = new StringBuilder("CPU idle by process, cores:");
    StringBuilder net = new StringBuilder("CPU by process net of idle, µs per span in:");
    double idleCores = 0;
    for (String process : before.keySet()) {
      double cores = (after.get(process) - before.get(process)) / window;
      idleCores += cores;
      idle.append(String.format(java.util.Locale.ROOT, " %s %.3f", process, cores));
      net.append(
          String.format(
              java.util.Locale.ROOT,
              " %s %.0f",
              process,
              (roundCpu.get(process) - cores * seconds) * 1e6 / spans));
    }
    System.out.println(idle.append(String.format(java.util.Locale.ROOT, " (all %.3f)", idleCores)));
    System.out.println(net);
  }

  /** How long {@link #idleCpu} measures. */
  private static final Duration IDLE_WINDOW = Duration.ofSeconds(20);

  private static Map<String, Double> cpuByProcess(Env env, List<ServiceProcess> processes)
      throws Exception {
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("broker", ServiceProcess.cpuSeconds(env.kafka().pid()));
    out.put("opensearch", ServiceProcess.cpuSeconds(env.openSearch().pid()));
    for (ServiceProcess sp : processes) {
      out.put(sp.name(), sp.cpuSeconds());
    }
    return out;
  }

  private static double cpuOf(Env env, List<ServiceProcess> processes) throws Exception {
    double cpu = env.sharedCpuSeconds();
    for (ServiceProcess sp : processes) {
      cpu += sp.cpuSeconds();
    }
    return cpu;
  }

  /** Exports the request bodies over OTLP/HTTP protobuf (HTTP/1.1, 16 in flight). */
  private static void exportOverOtlp(int port, List<byte[]> requests) throws Exception {
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(4))
            .build();
    URI uri = URI.create("http://127.0.0.1:" + port + "/v1/traces");
    Semaphore inFlight = new Semaphore(16);
    AtomicReference<String> failure = new AtomicReference<>();
    AtomicLong retries = new AtomicLong();
    for (byte[] body : requests) {
      inFlight.acquire();
      send(client, uri, body, inFlight, failure, retries);
      if (failure.get() != null) {
        throw new IllegalStateException(failure.get());
      }
    }
    inFlight.acquire(16);
    if (failure.get() != null) {
      throw new IllegalStateException(failure.get());
    }
    if (retries.get() > 0) {
      System.out.printf("  (%d requests answered 429/503 and were sent again)%n", retries.get());
    }
  }

  private static void send(
      HttpClient client,
      URI uri,
      byte[] body,
      Semaphore inFlight,
      AtomicReference<String> failure,
      AtomicLong retries) {
    client
        .sendAsync(
            HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray())
        .whenComplete(
            (response, error) -> {
              if (error == null && response.statusCode() == 200) {
                String refused = refusedSpans(response.body());
                if (refused != null) {
                  failure.compareAndSet(null, refused);
                }
                inFlight.release();
              } else if (error == null
                  && (response.statusCode() == 429 || response.statusCode() == 503)) {
                retries.incrementAndGet();
                send(client, uri, body, inFlight, failure, retries);
              } else {
                failure.compareAndSet(
                    null, error != null ? error.toString() : "HTTP " + response.statusCode());
                inFlight.release();
              }
            });
  }

  /** The OTLP partial success of an answer, as a failure message, or null when all was taken. */
  private static String refusedSpans(byte[] body) {
    try {
      var answer =
          io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse.parseFrom(body);
      if (answer.hasPartialSuccess() && answer.getPartialSuccess().getRejectedSpans() > 0) {
        return "the gateway refused "
            + answer.getPartialSuccess().getRejectedSpans()
            + " spans: "
            + answer.getPartialSuccess().getErrorMessage();
      }
      return null;
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      return "unreadable OTLP answer: " + e.getMessage();
    }
  }

  private static long objectBytes(Env env, String bucket, String prefix) {
    try (S3Client s3 =
        S3Client.builder()
            .endpointOverride(env.s3().endpoint())
            .region(Region.of(LocalS3.REGION))
            .forcePathStyle(true)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(LocalS3.ACCESS_KEY, LocalS3.SECRET_KEY)))
            .build()) {
      return s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
          .mapToLong(S3Object::size)
          .sum();
    }
  }

  /**
   * Reads a round's decisions topic as the sampling stream writes it, so the round knows how many
   * spans it kept: the spans of every trace decided KEEP (a trace's first decision counts).
   */
  private static final class DecisionWatch implements AutoCloseable {
    private final Map<String, Boolean> decided = new ConcurrentHashMap<>();
    private final AtomicLong kept = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Map<String, Integer> spansPerTrace;
    private final Thread thread;

    private DecisionWatch(Env env, TopicNames topics, Map<String, Integer> spansPerTrace) {
      this.spansPerTrace = spansPerTrace;
      SpanlineTopics specs =
          new SpanlineTopics(
              topics, new RestSchemaRegistryClient(env.registry().uri(), Duration.ofSeconds(10)));
      var deserializer = specs.decisions().valueSerde().deserializer();
      Map<String, Object> c = new HashMap<>();
      c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, env.kafka().bootstrapServers());
      c.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-decisions-" + topics.decisions());
      c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      String topic = topics.decisions();
      thread =
          new Thread(
              () -> {
                try (KafkaConsumer<byte[], byte[]> consumer =
                    new KafkaConsumer<>(
                        c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                  consumer.subscribe(List.of(topic));
                  while (running.get()) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                      SamplingDecision d = deserializer.deserialize(topic, r.value());
                      String hex = d.traceId().toHex();
                      if (decided.putIfAbsent(hex, Boolean.TRUE) == null
                          && d.outcome() == DecisionOutcome.KEEP) {
                        kept.addAndGet(spansPerTrace.getOrDefault(hex, 0));
                      }
                    }
                  }
                }
              },
              "decision-watch");
      thread.setDaemon(true);
      thread.start();
    }

    static DecisionWatch start(Env env, TopicNames topics, Map<String, Integer> spansPerTrace) {
      return new DecisionWatch(env, topics, spansPerTrace);
    }

    boolean allDecided() {
      return decided.size() >= spansPerTrace.size();
    }

    long keptSpans() {
      return kept.get();
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.join(10_000);
    }
  }

  // ---------------------------------------------------------------- Zipkin

  private static Result zipkin(Env env, Path jar, Input input) throws Exception {
    String topic = "zipkin";
    createTopics(env, List.of(topic), List.of());
    int port = Ports.freePort();
    Map<String, String> environment = new HashMap<>();
    environment.put("QUERY_PORT", String.valueOf(port));
    environment.put("STORAGE_TYPE", "elasticsearch");
    environment.put("ES_HOSTS", env.openSearch().uri().toString());
    environment.put("ES_INDEX", "zipkin");
    environment.put("ES_INDEX_SHARDS", "1");
    environment.put("ES_INDEX_REPLICAS", "0");
    environment.put("KAFKA_BOOTSTRAP_SERVERS", env.kafka().bootstrapServers());
    environment.put("KAFKA_TOPIC", topic);
    environment.put("KAFKA_STREAMS", "2");
    environment.put("COLLECTOR_SCRIBE_ENABLED", "false");
    // Zipkin's Kafka collector reads without backpressure: left at its defaults (64 requests in
    // flight, 10 s timeout) it overloads one OpenSearch node on 2 cores and drops most spans
    // (256 235 of 307 200 in a first run). Its storage throttle queues them instead.
    environment.put("STORAGE_THROTTLE_ENABLED", "true");
    environment.put(
        "STORAGE_THROTTLE_MAX_CONCURRENCY", System.getProperty("bench.zipkin.concurrency", "4"));
    environment.put("STORAGE_THROTTLE_MAX_QUEUE_SIZE", "200000");
    environment.put("ES_TIMEOUT", "120000");
    try (ServiceProcess zipkin =
        ServiceProcess.jar(
            "zipkin",
            jar,
            System.getProperty("bench.zipkin.heap", ""),
            environment,
            env.dir().resolve("zipkin.log"))) {
      zipkin.awaitHttpOk(port, "/health", Duration.ofMinutes(2));
      List<ServiceProcess> processes = List.of(zipkin);
      double cpu0 = cpuOf(env, processes);
      long start = System.nanoTime();
      try (KafkaProducer<byte[], byte[]> producer = producer(env)) {
        for (int i = 0; i < input.keys().size(); i++) {
          producer.send(new ProducerRecord<>(topic, input.keys().get(i), input.zipkin().get(i)));
        }
        producer.flush();
      }
      OpenSearchHttp http = env.http();
      Probe.until(
          "every span searchable in Zipkin's indices",
          ROUND_TIMEOUT,
          Duration.ofMillis(100),
          () -> {
            long dropped = zipkinDropped(port);
            if (dropped > 0) {
              throw new Probe.GiveUp("Zipkin dropped " + dropped + " spans (its own counter)");
            }
            return http.count("zipkin*span-*") == input.spans();
          });
      double seconds = (System.nanoTime() - start) / 1e9;
      double cpu = cpuOf(env, processes) - cpu0;
      long peak = zipkin.peakResidentBytes();
      long bytes = http.settledStoreBytes("zipkin*");
      Result r =
          new Result(
              "Zipkin 3.6.1, Kafka collector, Elasticsearch storage",
              input.spans(),
              input.spans(),
              seconds,
              Map.of("zipkin", peak),
              cpu,
              bytes,
              0);
      print(r);
      return r;
    }
  }

  /** Zipkin's {@code zipkin_collector_spans_dropped_total} for Kafka, from its Prometheus page. */
  private static long zipkinDropped(int port) throws Exception {
    String page =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .build()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/prometheus"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    for (String line : page.split("\n")) {
      if (line.startsWith("zipkin_collector_spans_dropped_total{transport=\"kafka\"")) {
        return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return 0;
  }

  // ---------------------------------------------------------------- latency

  /** A Spanline keep-all pipeline under a steady load, probed for export-to-searchable latency. */
  private static final class LatencyRun {
    private LatencyRun() {}

    static void run(Env env, int round, double share, double rate, int seconds, Input input)
        throws Exception {
      String p = "r" + round;
      // the pipeline, started as in a throughput round but fed at a steady rate
      PipelineHandle pipeline = PipelineHandle.start(env, p, KEEP_ALL, false);
      try {
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean loading = new AtomicBoolean(true);
        // per probe: when it was sent, became readable (committed) on the assembled and the
        // sampled topic, and searchable: the latency by stage
        Map<String, Long> sentAll = new ConcurrentHashMap<>();
        Map<String, Long> assembledAt = new ConcurrentHashMap<>();
        Map<String, Long> sampledAt = new ConcurrentHashMap<>();
        Map<String, Long> searchableAt = new ConcurrentHashMap<>();
        Thread poller =
            new Thread(
                () ->
                    pollProbes(
                        env.http(), p + "-spans-*", sentAt, latencies, searchableAt, loading),
                "probe-poller");
        poller.setDaemon(true);
        poller.start();
        Thread stages =
            new Thread(
                () ->
                    watchStages(
                        env, pipeline.topics(), sentAll, assembledAt, sampledAt, sentAt, loading),
                "probe-stages");
        stages.setDaemon(true);
        stages.start();
        long spansSent = 0;
        long began = System.nanoTime();
        // the same load unmeasured first: a fresh pipeline's JVMs and indices warm up (its first
        // bulk requests took seconds), which is not the steady state the figure is about
        long warmUp = WARM_UP_SECONDS * 1_000_000_000L;
        long nextProbe = began + warmUp;
        Random probeIds = new Random();
        RecordHeaders headers = new RecordHeaders();
        headers.add("spanline.tenant", TENANT.getBytes(StandardCharsets.UTF_8));
        try (KafkaProducer<byte[], byte[]> producer = producer(env)) {
          int i = 0;
          long lastProbe = began + warmUp + seconds * 1_000_000_000L;
          // the load goes on for the idle timeout and 5 s after the last probe: when the input
          // stops, the assembly's clock stays at the last record's arrival for one idle timeout
          // (see TraceBufferProcessor.clock), which would delay the last probes by up to that much
          long end = lastProbe + TAIL_SECONDS * 1_000_000_000L;
          while (System.nanoTime() < end && i < input.keys().size()) {
            long now = System.nanoTime();
            long due = (long) (rate * (now - began) / 1e9);
            while (spansSent < due && i < input.keys().size()) {
              byte[] value = input.otlp().get(i);
              producer.send(
                  new ProducerRecord<>(
                      pipeline.topics().otlpSpans(), null, input.keys().get(i), value, headers));
              spansSent += OtlpProtoCodec.decode(value).size();
              i++;
            }
            if (now >= nextProbe && now < lastProbe) {
              TraceId id = new TraceId(probeIds.nextLong() | 1, probeIds.nextLong());
              String hex = id.toHex();
              producer.send(
                  new ProducerRecord<>(
                      pipeline.topics().otlpSpans(),
                      null,
                      hex.getBytes(StandardCharsets.US_ASCII),
                      probe(id),
                      headers));
              producer.flush();
              long sent = System.nanoTime();
              sentAll.put(hex, sent);
              sentAt.put(hex, sent);
              nextProbe += 500_000_000L;
            }
            Thread.onSpinWait();
            java.util.concurrent.locks.LockSupport.parkNanos(2_000_000L);
          }
        }
        double sendingSeconds = (System.nanoTime() - began) / 1e9;
        double loadSeconds = Math.max(0, sendingSeconds - WARM_UP_SECONDS - TAIL_SECONDS);
        Probe.until(
            "every probe trace searchable",
            Duration.ofMinutes(3),
            Duration.ofMillis(200),
            sentAt::isEmpty);
        loading.set(false);
        poller.join(5_000);
        stages.join(5_000);
        List<Double> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        System.out.printf(
            "RESULT latency at %.0f %% of the sustained rate (%.0f spans/s offered, %.0f sent;"
                + " probes over %.0f s after a %d s warm-up at that rate, the load going on "
                + TAIL_SECONDS
                + " s after them): export to searchable p50 %.1f"
                + " s, p99 %.1f s, max %.1f s (%d probe traces; idle timeout 10 s, refresh"
                + " interval 5 s)%n",
            share * 100,
            rate,
            spansSent / sendingSeconds,
            loadSeconds,
            WARM_UP_SECONDS,
            percentile(sorted, 0.50),
            percentile(sorted, 0.99),
            sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() - 1),
            sorted.size());
        List<Double> toAssembled = new ArrayList<>();
        List<Double> toSampled = new ArrayList<>();
        List<Double> toSearchable = new ArrayList<>();
        for (Map.Entry<String, Long> e : sentAll.entrySet()) {
          Long a = assembledAt.get(e.getKey());
          Long s = sampledAt.get(e.getKey());
          Long q = searchableAt.get(e.getKey());
          if (a != null && s != null && q != null) {
            toAssembled.add((a - e.getValue()) / 1e9);
            toSampled.add((s - a) / 1e9);
            toSearchable.add((q - s) / 1e9);
          }
        }
        // when in the load the slowest probes to the assembled topic were sent: a stage's tail
        // that gathers at the load's end or start tells a different story from one spread over it
        long measuredFrom = began + warmUp;
        System.out.println(
            "probes slowest to the assembled topic (sent at s into the measured load of "
                + Math.round(loadSeconds)
                + " s → s to readable): "
                + sentAll.entrySet().stream()
                    .filter(e -> assembledAt.containsKey(e.getKey()))
                    .sorted(
                        Comparator.comparingLong(
                            (Map.Entry<String, Long> e) ->
                                e.getValue() - assembledAt.get(e.getKey())))
                    .limit(8)
                    .map(
                        e ->
                            String.format(
                                java.util.Locale.ROOT,
                                "%.1f → %.1f",
                                (e.getValue() - measuredFrom) / 1e9,
                                (assembledAt.get(e.getKey()) - e.getValue()) / 1e9))
                    .collect(Collectors.joining(", ")));
        Collections.sort(toAssembled);
        Collections.sort(toSampled);
        Collections.sort(toSearchable);
        System.out.printf(
            "RESULT latency by stage at %.0f %% (p50 / p99, %d probes): export to readable on the"
                + " assembled topic %.1f / %.1f s, then to readable on the sampled topic %.1f /"
                + " %.1f s, then to searchable %.1f / %.1f s%n",
            share * 100,
            toAssembled.size(),
            percentile(toAssembled, 0.50),
            percentile(toAssembled, 0.99),
            percentile(toSampled, 0.50),
            percentile(toSampled, 0.99),
            percentile(toSearchable, 0.50),
            percentile(toSearchable, 0.99));
      } finally {
        pipeline.close();
      }
    }

    /**
     * Notes when each probe trace becomes readable, read_committed as the next stage reads it, on
     * the assembled and the sampled topic (keys are the trace IDs' hex).
     */
    private static void watchStages(
        Env env,
        TopicNames topics,
        Map<String, Long> sentAll,
        Map<String, Long> assembledAt,
        Map<String, Long> sampledAt,
        Map<String, Long> waiting,
        AtomicBoolean loading) {
      Map<String, Object> c = new HashMap<>();
      c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, env.kafka().bootstrapServers());
      c.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-stages-" + topics.assembledTraces());
      c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      try (KafkaConsumer<byte[], byte[]> consumer =
          new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        consumer.subscribe(List.of(topics.assembledTraces(), topics.sampledTraces()));
        while (loading.get() || !waiting.isEmpty()) {
          ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(50));
          long now = System.nanoTime();
          for (ConsumerRecord<byte[], byte[]> r : records) {
            String hex = new String(r.key(), StandardCharsets.US_ASCII);
            if (sentAll.containsKey(hex)) {
              (r.topic().equals(topics.assembledTraces()) ? assembledAt : sampledAt)
                  .putIfAbsent(hex, now);
            }
          }
        }
      } catch (RuntimeException e) {
        System.out.println("  probe stage watch failed: " + e);
      }
    }

    private static void pollProbes(
        OpenSearchHttp http,
        String pattern,
        Map<String, Long> sentAt,
        List<Double> latencies,
        Map<String, Long> searchableAt,
        AtomicBoolean loading) {
      while (loading.get() || !sentAt.isEmpty()) {
        try {
          Set<String> waiting = new HashSet<>(sentAt.keySet());
          if (!waiting.isEmpty()) {
            Map<String, Long> found = http.spansPerTrace(pattern, Fields.TRACE_ID, waiting);
            long now = System.nanoTime();
            found.forEach(
                (hex, n) -> {
                  if (n >= PROBE_SPANS) {
                    Long sent = sentAt.remove(hex);
                    if (sent != null) {
                      latencies.add((now - sent) / 1e9);
                      searchableAt.put(hex, now);
                    }
                  }
                });
          }
          Thread.sleep(200); // the poll interval of a benchmark's observer, not a test's wait
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        } catch (Exception e) {
          // 503 "all shards failed" while a new daily index's shard starts: poll again
          if (!String.valueOf(e.getMessage()).contains("answered 503")) {
            System.out.println("  probe poll failed: " + e);
          }
        }
      }
    }
  }

  private static final int PROBE_SPANS = 3;

  /** Seconds of load before the first probe of a latency round. */
  private static final int WARM_UP_SECONDS = 30;

  /**
   * Seconds the latency round's load goes on after its last probe ({@code bench.e2e.latency.tail},
   * default the idle timeout and 5 s; 0 times the last probes across the load's end).
   */
  private static final int TAIL_SECONDS = Integer.getInteger("bench.e2e.latency.tail", 15);

  /** A three-span trace of the {@code probe} service starting now. */
  private static byte[] probe(TraceId id) {
    long now = System.currentTimeMillis() * 1_000_000L;
    io.spanline.schemas.model.Resource resource =
        new io.spanline.schemas.model.Resource(
            List.of(io.spanline.schemas.model.Attribute.of("service.name", "probe")), 0, "");
    List<Span> spans = new ArrayList<>();
    SpanId parent = null;
    Random random = new Random();
    for (int i = 0; i < PROBE_SPANS; i++) {
      SpanId spanId = new SpanId(random.nextLong() | 1);
      spans.add(
          Span.builder(id, spanId)
              .parentSpanId(parent)
              .name(i == 0 ? "GET /probe" : "probe step")
              .kind(i == 0 ? SpanKind.SERVER : SpanKind.INTERNAL)
              .time(now + i * 1_000L, now + 1_000_000L)
              .resource(resource)
              .build());
      parent = spanId;
    }
    return OtlpProtoCodec.encode(spans);
  }

  private static double percentile(List<Double> sorted, double q) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
  }

  // ---------------------------------------------------------------- report

  private static void print(Result r) {
    System.out.printf(
        "RESULT %-48s %8.0f spans/s end to end (%d spans in, %d kept, %.1f s); CPU %.0f µs/span;"
            + " peak RSS %s; OpenSearch %.0f B/span kept; Parquet %.0f B/span kept%n",
        r.name(),
        r.spansPerSecond(),
        r.spansIn(),
        r.spansKept(),
        r.seconds(),
        r.cpuSeconds() * 1e6 / r.spansIn(),
        r.peakResident().entrySet().stream()
            .map(e -> e.getKey() + " " + e.getValue() / (1 << 20) + " MiB")
            .collect(Collectors.joining(", ", "[", "]")),
        r.openSearchBytes() / (double) Math.max(1, r.spansKept()),
        r.parquetBytes() / (double) Math.max(1, r.spansKept()));
  }

  private static void report(List<Result> results, Input input) {
    Result ceiling = results.get(0);
    Result keepAll = results.get(1);
    Result tenPercent = results.get(2);
    Result zipkin = results.get(results.size() - 1);
    System.out.println();
    System.out.println(
        "| run | spans/s end to end | × Zipkin | × ceiling | peak RSS (services) |"
            + " CPU µs/span | OpenSearch B/span | Parquet B/span |");
    System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for (Result r : results) {
      System.out.printf(
          "| %s | %.0f | %.2f | %.2f | %.2f GB | %.0f | %.0f | %.0f |%n",
          r.name(),
          r.spansPerSecond(),
          r.spansPerSecond() / zipkin.spansPerSecond(),
          r.spansPerSecond() / ceiling.spansPerSecond(),
          r.residentTotal() / 1e9,
          r.cpuSeconds() * 1e6 / r.spansIn(),
          r.openSearchBytes() / (double) Math.max(1, r.spansKept()),
          r.parquetBytes() / (double) Math.max(1, r.spansKept()));
    }
    System.out.printf(
        "RATIO keep-all / Zipkin %.2f (target 3); 10 %% / keep-all %.2f (target 8); keep-all /"
            + " ceiling %.2f (target 0.8); OpenSearch B/span %.0f vs OTLP %.0f (target ≤ 1×);"
            + " memory %.2f of Zipkin's (target < 1)%n",
        keepAll.spansPerSecond() / zipkin.spansPerSecond(),
        tenPercent.spansPerSecond() / keepAll.spansPerSecond(),
        keepAll.spansPerSecond() / ceiling.spansPerSecond(),
        keepAll.openSearchBytes() / (double) keepAll.spansKept(),
        input.otlpBytes() / (double) input.spans(),
        keepAll.residentTotal() / (double) zipkin.residentTotal());
  }
}
