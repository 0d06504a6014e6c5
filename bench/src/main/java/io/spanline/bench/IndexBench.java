package io.spanline.bench;

import io.spanline.index.IndexSinkApp;
import io.spanline.index.config.IndexSinkConfig;
import io.spanline.index.config.IndexSinkConfigLoader;
import io.spanline.localinfra.opensearch.LocalOpenSearch;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.schemas.registry.RestSchemaRegistryClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Spans/s the index sink indexes into a real OpenSearch 2.19 node (child JVM, 1 GB heap, one shard,
 * no replica) on this machine, for several bulk sizes, consumer counts and refresh intervals, each
 * round into fresh indices from the same kept traces (SDK-made spans of the workload). The broker
 * runs in a child JVM too. A round's time runs from the sink's start to the commit of the last
 * record. Run: {@code ./mvnw -q install -DskipTests && ./mvnw -q -pl bench exec:exec
 * -Dbench.main=io.spanline.bench.IndexBench} (optional arg: spans, default 300 000). Each round
 * also prints the CPU per span of the sink (this JVM) and of the node, and the node's own account
 * of its work (indexing, refresh, merge, GC time per document).
 */
public final class IndexBench {
  private static final String INPUT = "bench-sampled";

  /** One configuration of the sink. */
  private record Round(
      String name, int bulkActions, int maxPollRecords, int consumers, String refresh) {}

  private static final List<Round> ROUNDS =
      List.of(
          new Round("warm-up (not counted)", 5000, 200, 1, "5s"),
          new Round("bulk 1000, 1 consumer", 1000, 200, 1, "5s"),
          new Round("bulk 5000, 1 consumer", 5000, 200, 1, "5s"),
          new Round("bulk 5000, 2 consumers", 5000, 200, 2, "5s"),
          new Round("bulk 5000, 2 consumers, refresh 30s", 5000, 200, 2, "30s"),
          new Round("bulk 5000, 1 consumer (again)", 5000, 200, 1, "5s"));

  private IndexBench() {}

  public static void main(String[] args) throws Exception {
    long spans = args.length > 0 ? Long.parseLong(args[0]) : 300_000;
    BenchFiles.inTempFolder("spanline-index-bench", dir -> run(dir, spans));
    System.exit(0);
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
                  new NewTopic("bench-index-dead-letter", 1, (short) 1)))
          .all()
          .get();
      long[] written =
          KeptTraces.produce(kafka, registry, INPUT, targetSpans, (index, id, spans) -> {});
      System.out.printf(
          "INPUT %d kept traces, %d spans (%.1f spans per trace)%n",
          written[0], written[1], written[1] / (double) written[0]);
      for (int r = 0; r < ROUNDS.size(); r++) {
        round(kafka, registry, openSearch, admin, r, ROUNDS.get(r), written[1]);
      }
    }
  }

  private static void round(
      BrokerProcess kafka,
      LocalSchemaRegistry registry,
      LocalOpenSearch openSearch,
      Admin admin,
      int number,
      Round round,
      long spans)
      throws Exception {
    String group = "bench-index-" + number;
    Map<String, String> props = new HashMap<>();
    props.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    props.put("schema-registry.url", registry.uri().toString());
    props.put("topic.sampled-traces", INPUT);
    props.put("topic.dead-letter", "bench-index-dead-letter");
    props.put("group.id", group);
    props.put("consumers", String.valueOf(round.consumers()));
    props.put("max.poll.records", String.valueOf(round.maxPollRecords()));
    props.put("bulk.max-actions", String.valueOf(round.bulkActions()));
    props.put("opensearch.hosts", openSearch.uri().toString());
    props.put("index.prefix", "bench-r" + number);
    props.put("index.replicas", "0");
    props.put("index.refresh-interval", round.refresh());
    props.put("retention.days", "3650");
    props.put("admin.bind.address", "127.0.0.1");
    props.put("admin.port", "0");
    IndexSinkConfig config =
        IndexSinkConfigLoader.load(Map.of(), BenchFiles.settings("spanline.index.", props));
    OpenSearchHttp http = new OpenSearchHttp(openSearch.uri());
    OpenSearchHttp.NodeWork work0 = http.nodeWork();
    double nodeCpu0 = ServiceProcess.cpuSeconds(openSearch.pid());
    double sinkCpu0 = ServiceProcess.cpuSeconds(ProcessHandle.current().pid());
    long start = System.nanoTime();
    try (IndexSinkApp app =
        IndexSinkApp.start(
            config,
            new RestSchemaRegistryClient(registry.uri(), Duration.ofSeconds(10)),
            Clock.systemUTC())) {
      StreamsBench.awaitInputCommitted(admin, group, INPUT);
      double seconds = (System.nanoTime() - start) / 1e9;
      double sinkCpu = ServiceProcess.cpuSeconds(ProcessHandle.current().pid()) - sinkCpu0;
      double nodeCpu = ServiceProcess.cpuSeconds(openSearch.pid()) - nodeCpu0;
      System.out.printf(
          java.util.Locale.ROOT,
          "%s: CPU µs/span: sink (this JVM) %.0f, OpenSearch %.0f; %s%n",
          round.name(),
          sinkCpu * 1e6 / spans,
          nodeCpu * 1e6 / spans,
          http.nodeWork().minus(work0).describe());
      app.openSearch().indices().refresh(x -> x.index("bench-r" + number + "-*"));
      long indexed =
          app.openSearch().count(c -> c.index(config.layout().spanIndexPattern())).count();
      double bulkMs = app.metrics().bulkTimer().mean(java.util.concurrent.TimeUnit.MILLISECONDS);
      System.out.printf(
          "RESULT %-38s %7.0f spans/s (%.1f s; %d span documents; bulk mean %.0f ms; %d bulks;"
              + " refresh %s)%n",
          round.name(),
          spans / seconds,
          seconds,
          indexed,
          bulkMs,
          app.metrics().bulkTimer().count(),
          round.refresh());
      if (indexed != spans) {
        throw new IllegalStateException("indexed " + indexed + " span documents of " + spans);
      }
      app.openSearch().indices().delete(d -> d.index("bench-r" + number + "-*"));
    }
  }
}
