package io.spanline.bench;

import io.spanline.index.IndexSinkApp;
import io.spanline.index.config.IndexSinkConfig;
import io.spanline.index.config.IndexSinkConfigLoader;
import io.spanline.localinfra.opensearch.LocalOpenSearch;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.query.QueryServiceApp;
import io.spanline.query.config.QueryConfigLoader;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.registry.RestSchemaRegistryClient;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.IntFunction;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * p50/p99 latency of the query service's trace by ID and searches over an index of at least a
 * million spans (default 1 050 000) that the real index sink wrote into a real OpenSearch 2.19 node
 * (child JVM, 1 GB heap, one shard, no replica). Requests are sent one at a time over HTTP from
 * this JVM to the query service in this JVM, after a warm-up of 300 requests per kind. Run: {@code
 * ./mvnw -q install -DskipTests && ./mvnw -q -pl bench exec:exec
 * -Dbench.main=io.spanline.bench.QueryBench} (optional arg: spans).
 */
public final class QueryBench {
  private static final String INPUT = "bench-query-sampled";
  private static final String PREFIX = "bench-query";
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /**
   * Requests before each kind's timed ones: with 50, whichever kind ran first was ~1.6× slower at
   * p50 than the same work measured later (the JIT still compiling the shared path).
   */
  private static final int WARM_UP = 300;

  private QueryBench() {}

  public static void main(String[] args) throws Exception {
    long spans = args.length > 0 ? Long.parseLong(args[0]) : 1_050_000;
    BenchFiles.inTempFolder("spanline-query-bench", dir -> run(dir, spans));
    System.exit(0);
  }

  /** What was written: trace IDs (a sample), services and the start-time range. */
  private static final class Written {
    final List<TraceId> sample = new ArrayList<>();
    final TreeSet<String> services = new TreeSet<>();
    long traces;
    long spans;
    long minStart = Long.MAX_VALUE;
    long maxStart = Long.MIN_VALUE;
  }

  private static void run(Path dir, long targetSpans) throws Exception {
    try (BrokerProcess kafka = BrokerProcess.start(dir.resolve("kafka"));
        LocalSchemaRegistry registry =
            LocalSchemaRegistry.start(kafka.bootstrapServers(), "_schemas", 0);
        LocalOpenSearch openSearch = LocalOpenSearch.start(dir.resolve("opensearch"), 0, 0, "1g");
        Admin admin = kafka.admin()) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(INPUT, 6, (short) 1)
                      .configs(Map.of("max.message.bytes", String.valueOf(16 << 20))),
                  new NewTopic("bench-query-dead-letter", 1, (short) 1)))
          .all()
          .get();
      Written written = new Written();
      long[] counts =
          KeptTraces.produce(
              kafka,
              registry,
              INPUT,
              targetSpans,
              (index, id, spans) -> {
                if (index % 100 == 0) {
                  written.sample.add(id);
                }
                for (Span s : spans) {
                  written.services.add(s.serviceName());
                  written.minStart = Math.min(written.minStart, s.startEpochNanos());
                  written.maxStart = Math.max(written.maxStart, s.startEpochNanos());
                }
              });
      written.traces = counts[0];
      written.spans = counts[1];
      System.out.printf(
          "INPUT %d kept traces, %d spans, services %s%n",
          written.traces, written.spans, written.services);
      index(kafka, registry, openSearch, admin, written);
      Map<String, String> q = new HashMap<>();
      q.put("opensearch.hosts", openSearch.uri().toString());
      q.put("index.prefix", PREFIX);
      q.put("archive.enabled", "false");
      q.put("http.bind.address", "127.0.0.1");
      q.put("http.port", "0");
      q.put("admin.bind.address", "127.0.0.1");
      q.put("admin.port", "0");
      try (QueryServiceApp app =
          QueryServiceApp.start(
              QueryConfigLoader.load(Map.of(), BenchFiles.settings("spanline.query.", q)))) {
        measure(app, written);
      }
    }
  }

  private static void measure(QueryServiceApp app, Written w) throws Exception {
    String base = "http://127.0.0.1:" + app.port();
    String from = Instant.ofEpochSecond(0, w.minStart).minusSeconds(1).toString();
    String to = Instant.ofEpochSecond(0, w.maxStart).plusSeconds(1).toString();
    List<String> services = new ArrayList<>(w.services);
    Random random = new Random(7);
    kind(
        "trace by ID, Jaeger /api/v3/traces/{id}",
        1000,
        i -> base + "/api/v3/traces/" + w.sample.get(random.nextInt(w.sample.size())).toHex());
    kind(
        "trace by ID, native /v1/traces/{id}",
        1000,
        i -> base + "/v1/traces/" + w.sample.get(random.nextInt(w.sample.size())).toHex());
    kind(
        "search 20 summaries by service, whole range",
        300,
        i ->
            base
                + "/v1/traces/search?limit=20&from="
                + enc(from)
                + "&to="
                + enc(to)
                + "&service="
                + enc(services.get(i % services.size())));
    kind(
        "search 20 summaries, whole-trace minDurationMs=50",
        300,
        i ->
            base
                + "/v1/traces/search?limit=20&minDurationMs=50&from="
                + enc(from)
                + "&to="
                + enc(to)
                + "&service="
                + enc(services.get(i % services.size())));
    kind(
        "Jaeger search, service, depth 20 (IDs + 20 traces)",
        200,
        i ->
            base
                + "/api/v3/traces?query.searchDepth=20&query.startTimeMin="
                + enc(from)
                + "&query.startTimeMax="
                + enc(to)
                + "&query.serviceName="
                + enc(services.get(i % services.size())));
    kind(
        "Tempo search, status=error tag, limit 20",
        300,
        i ->
            base
                + "/api/search?limit=20&tags=status%3Derror&start="
                + (w.minStart / 1_000_000_000L - 1)
                + "&end="
                + (w.maxStart / 1_000_000_000L + 1));
    String tempoRange =
        "&start=" + (w.minStart / 1_000_000_000L - 1) + "&end=" + (w.maxStart / 1_000_000_000L + 1);
    kind(
        "TraceQL spanset filter { service && status = error }, limit 20",
        300,
        i ->
            base
                + "/api/search?limit=20&spss=3"
                + tempoRange
                + "&q="
                + enc(
                    "{ resource.service.name = \""
                        + services.get(i % services.size())
                        + "\" && status = error }"));
    kind(
        "TraceQL spanset filter { duration > 5ms }, limit 20",
        300,
        i -> base + "/api/search?limit=20&spss=3" + tempoRange + "&q=" + enc("{ duration > 5ms }"));
    kind(
        "TraceQL regex, evaluated on traces { span.url.path =~ \"/api/cart/1.*\" }",
        300,
        i ->
            base
                + "/api/search?limit=20&spss=3"
                + tempoRange
                + "&q="
                + enc("{ span.url.path =~ \"/api/cart/1.*\" }"));
    kind(
        "TraceQL structural { service } >> { status = error }, limit 20",
        300,
        i ->
            base
                + "/api/search?limit=20&spss=3"
                + tempoRange
                + "&q="
                + enc(
                    "{ resource.service.name = \""
                        + services.get(i % services.size())
                        + "\" } >> { status = error }"));
    kind(
        "dependencies, whole range",
        100,
        i -> base + "/v1/dependencies?from=" + enc(from) + "&to=" + enc(to));
  }

  /** Runs 300 warm-up then {@code n} timed requests, one at a time, and prints the figures. */
  private static void kind(String name, int n, IntFunction<String> url) throws Exception {
    for (int i = 0; i < WARM_UP; i++) {
      call(url.apply(i));
    }
    long[] nanos = new long[n];
    long bytes = 0;
    for (int i = 0; i < n; i++) {
      String u = url.apply(i);
      long t = System.nanoTime();
      bytes += call(u);
      nanos[i] = System.nanoTime() - t;
    }
    Arrays.sort(nanos);
    System.out.printf(
        "RESULT %-52s p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms  (%d requests, %.0f KB mean)%n",
        name,
        nanos[n / 2] / 1e6,
        nanos[(int) Math.ceil(n * 0.99) - 1] / 1e6,
        nanos[n - 1] / 1e6,
        n,
        bytes / 1024.0 / n);
  }

  private static long call(String url) throws Exception {
    HttpResponse<byte[]> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(
          url
              + " answered "
              + r.statusCode()
              + ": "
              + new String(r.body(), StandardCharsets.UTF_8));
    }
    return r.body().length;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static void index(
      BrokerProcess kafka,
      LocalSchemaRegistry registry,
      LocalOpenSearch openSearch,
      Admin admin,
      Written written)
      throws Exception {
    Map<String, String> props = new HashMap<>();
    props.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    props.put("schema-registry.url", registry.uri().toString());
    props.put("topic.sampled-traces", INPUT);
    props.put("topic.dead-letter", "bench-query-dead-letter");
    props.put("group.id", "bench-query-index");
    props.put("consumers", "2");
    props.put("opensearch.hosts", openSearch.uri().toString());
    props.put("index.prefix", PREFIX);
    props.put("index.replicas", "0");
    props.put("retention.days", "3650");
    props.put("admin.bind.address", "127.0.0.1");
    props.put("admin.port", "0");
    IndexSinkConfig config =
        IndexSinkConfigLoader.load(Map.of(), BenchFiles.settings("spanline.index.", props));
    long start = System.nanoTime();
    try (IndexSinkApp app =
        IndexSinkApp.start(
            config,
            new RestSchemaRegistryClient(registry.uri(), Duration.ofSeconds(10)),
            Clock.systemUTC())) {
      StreamsBench.awaitInputCommitted(admin, "bench-query-index", INPUT);
      app.openSearch().indices().refresh(x -> x.index(PREFIX + "-*"));
      app.openSearch().indices().forcemerge(f -> f.index(PREFIX + "-*").maxNumSegments(1L));
      long indexed =
          app.openSearch().count(c -> c.index(config.layout().spanIndexPattern())).count();
      System.out.printf(
          "INDEX %d span documents in %.0f s (refreshed, merged to one segment)%n",
          indexed, (System.nanoTime() - start) / 1e9);
      if (indexed != written.spans) {
        throw new IllegalStateException("indexed " + indexed + " of " + written.spans);
      }
    }
  }
}
