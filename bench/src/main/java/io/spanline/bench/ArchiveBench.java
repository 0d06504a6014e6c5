package io.spanline.bench;

import io.spanline.archive.ArchiveSinkApp;
import io.spanline.archive.config.ArchiveSinkConfig;
import io.spanline.archive.config.ArchiveSinkConfigLoader;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.localinfra.s3.LocalS3;
import io.spanline.schemas.codec.otlp.OtlpProtoCodec;
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
 * Spans/s the archive sink writes to an S3-compatible store (S3Proxy, filesystem-backed, in this
 * JVM) as Parquet, and Parquet bytes per span next to OTLP protobuf bytes per span for the same
 * traces. The broker runs in a child JVM. Three rounds, each with a fresh consumer group and bucket
 * prefix, default roll size (128 MB) and a 2 s roll age (the last roll waits for it), so the time
 * covers reading, writing and uploading everything. Run: {@code ./mvnw -q install -DskipTests &&
 * ./mvnw -q -pl bench exec:exec -Dbench.main=io.spanline.bench.ArchiveBench} (optional arg: spans,
 * default 500 000).
 */
public final class ArchiveBench {
  private static final String INPUT = "bench-sampled";
  private static final String BUCKET = "bench-archive";

  private ArchiveBench() {}

  public static void main(String[] args) throws Exception {
    long spans = args.length > 0 ? Long.parseLong(args[0]) : 500_000;
    BenchFiles.inTempFolder("spanline-archive-bench", dir -> run(dir, spans));
    System.exit(0);
  }

  private static void run(Path dir, long targetSpans) throws Exception {
    try (BrokerProcess kafka = BrokerProcess.start(dir.resolve("kafka"));
        LocalSchemaRegistry registry =
            LocalSchemaRegistry.start(kafka.bootstrapServers(), "_schemas", 0);
        LocalS3 s3 = LocalS3.startFilesystem(dir.resolve("s3"), 0);
        Admin admin = kafka.admin()) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(INPUT, 6, (short) 1)
                      .configs(Map.of("max.message.bytes", String.valueOf(16 << 20))),
                  new NewTopic("bench-archive-dead-letter", 1, (short) 1)))
          .all()
          .get();
      long[] otlpBytes = {0};
      long[] counts =
          KeptTraces.produce(
              kafka,
              registry,
              INPUT,
              targetSpans,
              (index, id, spans) -> otlpBytes[0] += OtlpProtoCodec.encode(spans).length);
      long[] written = {counts[0], counts[1], otlpBytes[0]};
      System.out.printf(
          "INPUT %d kept traces, %d spans; OTLP protobuf %.0f bytes per span (each trace encoded"
              + " as one TracesData)%n",
          written[0], written[1], written[2] / (double) written[1]);
      for (int round = 0; round < 3; round++) {
        round(kafka, registry, s3, admin, dir, round, written);
      }
    }
  }

  private static void round(
      BrokerProcess kafka,
      LocalSchemaRegistry registry,
      LocalS3 s3,
      Admin admin,
      Path dir,
      int round,
      long[] written)
      throws Exception {
    String group = "bench-archive-" + round;
    Map<String, String> props = new HashMap<>();
    props.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    props.put("schema-registry.url", registry.uri().toString());
    props.put("topic.sampled-traces", INPUT);
    props.put("topic.dead-letter", "bench-archive-dead-letter");
    props.put("group.id", group);
    props.put("s3.endpoint", s3.endpoint().toString());
    props.put("s3.path-style", "true");
    props.put("s3.access-key", LocalS3.ACCESS_KEY);
    props.put("s3.secret-key", LocalS3.SECRET_KEY);
    props.put("s3.bucket", BUCKET);
    props.put("s3.prefix", "round-" + round);
    props.put("s3.create-bucket", "true");
    props.put("roll.max.age.ms", "2000");
    props.put("work.dir", dir.resolve("work-" + round).toString());
    props.put("retention.days", "3650");
    props.put("admin.bind.address", "127.0.0.1");
    props.put("admin.port", "0");
    ArchiveSinkConfig config =
        ArchiveSinkConfigLoader.load(Map.of(), BenchFiles.settings("spanline.archive.", props));
    long start = System.nanoTime();
    try (ArchiveSinkApp app =
        ArchiveSinkApp.start(
            config,
            new RestSchemaRegistryClient(registry.uri(), Duration.ofSeconds(10)),
            Clock.systemUTC())) {
      StreamsBench.awaitInputCommitted(admin, group, INPUT);
      double seconds = (System.nanoTime() - start) / 1e9;
      double rows = app.metrics().rowsUploaded();
      double bytes = app.metrics().bytesUploaded();
      System.out.printf(
          "RESULT round %d: %.0f spans/s (%.1f s); %.0f files, %.0f rows; Parquet %.0f bytes per"
              + " span vs OTLP protobuf %.0f (ratio %.2f)%n",
          round,
          written[1] / seconds,
          seconds,
          app.metrics().filesUploaded(),
          rows,
          bytes / rows,
          written[2] / (double) written[1],
          (bytes / rows) / (written[2] / (double) written[1]));
      if ((long) rows != written[1]) {
        throw new IllegalStateException("archived " + rows + " rows of " + written[1] + " spans");
      }
    }
  }
}
