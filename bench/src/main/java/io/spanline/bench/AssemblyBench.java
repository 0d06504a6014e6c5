package io.spanline.bench;

import io.spanline.assembly.TraceAssemblyApp;
import io.spanline.assembly.config.AssemblyConfig;
import io.spanline.assembly.config.AssemblyConfigLoader;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.schemas.codec.otlp.OtlpProtoCodec;
import io.spanline.schemas.codec.otlp.TracePart;
import io.spanline.schemas.model.Span;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Trace assembly throughput against a pass-through Kafka Streams app, in one run on one machine.
 * Starts a real Kafka broker and schema registry in this JVM, writes N spans to an input topic as
 * the gateway would (one record per trace and service, so a trace arrives in several records,
 * interleaved with other traces), then reads that same input three times with exactly_once_v2 and
 * the same producer tuning: after one warm-up run of each (the JIT compiles both paths while the
 * broker and three apps share 2 cores), a pass-through app (read, write another topic), the
 * assembly stream (idle timeout 2 s), and the pass-through again. Prints spans/s of each (input
 * fully processed and committed, timed from the moment the app is RUNNING, so group joins are left
 * out), the ratio of assembly to the mean pass-through, and — in a fourth run with an idle timeout
 * longer than the run, so every span stays buffered — the state bytes per buffered span (RocksDB
 * files after a clean close, and the store's changelog). Arguments: [spans, default 1000000]
 * [stream threads, default 2].
 */
public final class AssemblyBench {
  private static final String INPUT = "bench-spans";

  private AssemblyBench() {}

  public static void main(String[] args) throws Exception {
    long spans = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    BenchFiles.inTempFolder("spanline-assembly-bench", dir -> run(dir, spans, threads));
    System.exit(0);
  }

  private static void run(Path dir, long targetSpans, int threads) throws Exception {
    try (BrokerProcess kafka = BrokerProcess.start(dir.resolve("kafka"));
        LocalSchemaRegistry registry =
            LocalSchemaRegistry.start(kafka.bootstrapServers(), "_schemas", 0);
        Admin admin = kafka.admin()) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(INPUT, 6, (short) 1),
                  new NewTopic("bench-passthrough-0", 6, (short) 1),
                  new NewTopic("bench-passthrough-1", 6, (short) 1),
                  new NewTopic("bench-passthrough-2", 6, (short) 1),
                  new NewTopic("bench-assembled", 6, (short) 1)
                      .configs(Map.of("max.message.bytes", String.valueOf(16 << 20))),
                  new NewTopic("bench-assembled-state", 6, (short) 1)
                      .configs(Map.of("max.message.bytes", String.valueOf(16 << 20))),
                  new NewTopic("bench-dead-letter", 1, (short) 1)))
          .all()
          .get();
      long[] written = produce(kafka.bootstrapServers(), targetSpans);
      long spans = written[0];
      System.out.printf(
          "INPUT %d spans in %d records, %.0f OTLP bytes per span%n",
          spans, written[1], written[2] / (double) spans);

      Map<String, String> settings = new HashMap<>();
      settings.put("trace.idle.timeout.ms", "2000");
      settings.put("topic.assembled-traces", "bench-assembled");
      System.out.println("WARM-UP (not counted): one pass-through and one assembly run");
      StreamsBench.passThrough(
          kafka.bootstrapServers(),
          admin,
          dir,
          threads,
          INPUT,
          "bench-passthrough-0",
          spans,
          "spans");
      assembly(kafka, registry, admin, dir, threads, "bench-warm-up", settings, spans, true);

      double p1 =
          StreamsBench.passThrough(
              kafka.bootstrapServers(),
              admin,
              dir,
              threads,
              INPUT,
              "bench-passthrough-1",
              spans,
              "spans");
      double assembly =
          assembly(kafka, registry, admin, dir, threads, "bench-assembly", settings, spans, true);
      double p2 =
          StreamsBench.passThrough(
              kafka.bootstrapServers(),
              admin,
              dir,
              threads,
              INPUT,
              "bench-passthrough-2",
              spans,
              "spans");

      // the warm-up and the counted run each emitted every span once into bench-assembled
      double avroPerSpan = valueBytes(kafka.bootstrapServers(), "bench-assembled") / (2.0 * spans);

      Map<String, String> buffering = new HashMap<>();
      buffering.put("trace.idle.timeout.ms", "3600000");
      buffering.put("trace.max.duration.ms", "7200000");
      buffering.put("trace.max.open", "100000000");
      buffering.put("topic.assembled-traces", "bench-assembled-state");
      double bufferingOnly =
          assembly(kafka, registry, admin, dir, threads, "bench-state", buffering, spans, false);
      long stateBytes = BenchFiles.sizeOf(dir.resolve("state-bench-state"));
      long changelogBytes = 0;
      try (Stream<Path> logs = Files.walk(dir.resolve("kafka"), 2)) {
        for (Path p : logs.toList()) {
          if (p.getFileName().toString().startsWith("bench-state-trace-buffer-changelog-")) {
            changelogBytes += BenchFiles.sizeOf(p);
          }
        }
      }

      double passThrough = (p1 + p2) / 2;
      System.out.printf(
          "SUMMARY assembly %.0f spans/s vs pass-through %.0f spans/s (runs %.0f, %.0f): ratio %.2f%n",
          assembly, passThrough, p1, p2, assembly / passThrough);
      System.out.printf(
          "SUMMARY assembly %.0f spans/s vs buffering only %.0f spans/s: ratio %.2f%n",
          assembly, bufferingOnly, assembly / bufferingOnly);
      System.out.printf(
          "OUTPUT %.0f Avro bytes per span in the assembled traces (record values, framing"
              + " included, uncompressed) against %.0f OTLP bytes per span in%n",
          avroPerSpan, written[2] / (double) spans);
      System.out.printf(
          "STATE %.0f bytes per buffered span in RocksDB after a clean close (%d bytes, %d spans),"
              + " %.0f bytes per span in the trace-buffer changelog (lz4)%n",
          stateBytes / (double) spans, stateBytes, spans, changelogBytes / (double) spans);
    }
  }

  /** The summed value sizes of every record on {@code topic}, read from the beginning. */
  private static long valueBytes(String bootstrap, String topic) {
    long[] bytes = {0};
    LocalKafka.readToEnd(bootstrap, topic, r -> bytes[0] += r.value().length);
    return bytes[0];
  }

  /** Writes at least {@code target} spans; returns {spans, records, OTLP bytes}. */
  private static long[] produce(String bootstrap, long target) throws Exception {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 262_144);
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L << 20);
    long spans = 0;
    long records = 0;
    long bytes = 0;
    byte[] tenant = "default".getBytes(StandardCharsets.UTF_8);
    Random random = new Random(5);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (long seed = 1; spans < target; seed++) {
        for (Workload.Request request : Workload.requests(20, seed)) {
          List<byte[][]> batch = new ArrayList<>();
          for (TracePart trace : request.records()) {
            byte[] key = trace.traceId().toHex().getBytes(StandardCharsets.US_ASCII);
            // one record per service, as each service's SDK exports its own spans
            Map<String, List<Span>> byService =
                OtlpProtoCodec.decode(trace.tracesData()).stream()
                    .collect(
                        Collectors.groupingBy(
                            Span::serviceName, LinkedHashMap::new, Collectors.toList()));
            for (List<Span> part : byService.values()) {
              batch.add(new byte[][] {key, OtlpProtoCodec.encode(part)});
              spans += part.size();
            }
          }
          Collections.shuffle(batch, random);
          for (byte[][] kv : batch) {
            RecordHeaders headers = new RecordHeaders();
            headers.add("spanline.tenant", tenant);
            producer.send(new ProducerRecord<>(INPUT, null, kv[0], kv[1], headers));
            records++;
            bytes += kv[1].length;
          }
        }
      }
      producer.flush();
    }
    return new long[] {spans, records, bytes};
  }

  private static double assembly(
      BrokerProcess kafka,
      LocalSchemaRegistry registry,
      Admin admin,
      Path dir,
      int threads,
      String applicationId,
      Map<String, String> settings,
      long spans,
      boolean awaitClosed)
      throws Exception {
    Map<String, String> props = new HashMap<>();
    props.put("spanline.assembly.application.id", applicationId);
    props.put("spanline.assembly.kafka.bootstrap.servers", kafka.bootstrapServers());
    props.put("spanline.assembly.schema-registry.url", registry.uri().toString());
    props.put("spanline.assembly.topic.otlp-spans", INPUT);
    props.put("spanline.assembly.topic.dead-letter", "bench-dead-letter");
    props.put("spanline.assembly.num.stream.threads", String.valueOf(threads));
    props.put("spanline.assembly.state.dir", dir.resolve("state-" + applicationId).toString());
    props.put("spanline.assembly.admin.bind.address", "127.0.0.1");
    props.put("spanline.assembly.admin.port", "0");
    settings.forEach((k, v) -> props.put("spanline.assembly." + k, v));
    AssemblyConfig config =
        AssemblyConfigLoader.load(
            Map.of(), BenchFiles.withJvmOverrides("spanline.assembly.", props));
    double rate;
    long start = System.nanoTime();
    try (TraceAssemblyApp app = TraceAssemblyApp.start(config)) {
      StreamsBench.awaitInputCommitted(admin, applicationId, INPUT);
      double seconds = (System.nanoTime() - start) / 1e9;
      rate = spans / seconds;
      if (awaitClosed) {
        StreamsBench.await(() -> app.metrics().openTraces() == 0, 300);
        double all = (System.nanoTime() - start) / 1e9;
        System.out.printf(
            "RESULT assembly %.0f spans/s (%.1f s to read all input; every trace emitted after"
                + " %.1f s, idle timeout included)%n",
            rate, seconds, all);
      } else {
        System.out.printf(
            "RESULT buffering only (no closes) %.0f spans/s (%.1f s), %d traces open, %d bytes"
                + " buffered%n",
            rate, seconds, app.metrics().openTraces(), app.metrics().bufferedBytes());
      }
    }
    return rate;
  }
}
