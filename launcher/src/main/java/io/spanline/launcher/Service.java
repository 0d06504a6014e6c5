package io.spanline.launcher;

import io.spanline.archive.ArchiveSinkMain;
import io.spanline.archive.config.ArchiveSinkConfigLoader;
import io.spanline.assembly.TraceAssemblyMain;
import io.spanline.assembly.config.AssemblyConfigLoader;
import io.spanline.gateway.GatewayMain;
import io.spanline.gateway.config.GatewayConfigLoader;
import io.spanline.index.IndexSinkMain;
import io.spanline.index.config.IndexSinkConfigLoader;
import io.spanline.query.QueryServiceMain;
import io.spanline.query.config.QueryConfigLoader;
import io.spanline.sampling.SamplingMain;
import io.spanline.sampling.config.SamplingConfigLoader;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One Spanline service as the launcher runs it: its subcommand, the settings prefix of its config
 * loader ({@code SPANLINE_<APP>_*}, {@code spanline.<app>.*}), the loader's defaults and the entry
 * point that starts it today.
 *
 * @param command the launcher's subcommand, e.g. {@code index-sink}
 * @param app the settings prefix, e.g. {@code index}
 * @param description one line for {@code spanline --help}
 * @param defaults every flat setting key with its default (the loader's own map)
 * @param passThrough what else the settings accept beyond {@code defaults}, for the help's footer
 * @param main the service's {@code main}, run with no arguments
 */
record Service(
    String command,
    String app,
    String description,
    Supplier<Map<String, String>> defaults,
    String passThrough,
    EntryPoint main) {

  /** A {@code main(String[])} that may throw. */
  @FunctionalInterface
  interface EntryPoint {
    void run(String[] args) throws Exception;
  }

  private static final String KAFKA_CLIENT =
      "kafka.client.<name> passes <name> to every Kafka client";

  /** Every service, in pipeline order. */
  static final List<Service> ALL =
      List.of(
          new Service(
              "gateway",
              "gateway",
              "Span ingest gateway: OTLP/gRPC and OTLP/HTTP in, otlp_spans out.",
              GatewayConfigLoader::settingDefaults,
              KAFKA_CLIENT + "; SPANLINE_GATEWAY_API_KEYS (environment only) holds API keys",
              GatewayMain::main),
          new Service(
              "assembly",
              "assembly",
              "Trace assembly stream (Kafka Streams): otlp_spans in, assembled traces out.",
              AssemblyConfigLoader::settingDefaults,
              KAFKA_CLIENT + "; streams.<name> passes <name> to Kafka Streams",
              TraceAssemblyMain::main),
          new Service(
              "sampling",
              "sampling",
              "Sampling stream (Kafka Streams): tail-samples assembled traces.",
              SamplingConfigLoader::settingDefaults,
              KAFKA_CLIENT + "; streams.<name> passes <name> to Kafka Streams",
              SamplingMain::main),
          new Service(
              "index-sink",
              "index",
              "Index sink: kept traces into OpenSearch.",
              IndexSinkConfigLoader::settingDefaults,
              KAFKA_CLIENT + "; consumer.<name> passes <name> to the sink's consumer",
              IndexSinkMain::main),
          new Service(
              "archive-sink",
              "archive",
              "Archive sink: kept traces to S3 as Parquet.",
              ArchiveSinkConfigLoader::settingDefaults,
              KAFKA_CLIENT + "; consumer.<name> passes <name> to the sink's consumer",
              ArchiveSinkMain::main),
          new Service(
              "query",
              "query",
              "Query service: native, Jaeger and Tempo APIs and the web UI.",
              QueryConfigLoader::settingDefaults,
              "SPANLINE_QUERY_API_KEYS (environment only) holds API keys",
              QueryServiceMain::main));
}
