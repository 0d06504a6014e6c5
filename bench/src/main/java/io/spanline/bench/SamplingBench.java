package io.spanline.bench;

import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.sampling.SamplingApp;
import io.spanline.sampling.config.SamplingConfig;
import io.spanline.sampling.config.SamplingConfigLoader;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.registry.RestSchemaRegistryClient;
import io.spanline.schemas.topic.SpanlineTopics;
import io.spanline.schemas.topic.TopicNames;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Traces/s and spans/s through the sampling stream, next to a pass-through Streams app over the
 * same assembled traces in the same run (warm-up, pass-through, sampling, pass-through). The broker
 * runs in a child JVM, as PERFORMANCE.md measured it. Policies: keep errors, keep traces over 1.5
 * s, never sample health checks, 10 % probabilistic baseline. Run: {@code ./mvnw -q install
 * -DskipTests && ./mvnw -q -pl bench exec:exec -Dbench.main=io.spanline.bench.SamplingBench}
 * (optional args: spans, stream threads).
 */
public final class SamplingBench {
  private static final String INPUT = "bench-assembled";
  private static final String POLICY =
      """
      policies:
        - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
        - {name: slow, type: latency, latency: {threshold_ms: 1500}}
        - {name: baseline, type: probabilistic, probabilistic: {sampling_percentage: 10}}
      never_sample:
        - {name: health, type: string_attribute, string_attribute: {key: http.route, values: [/healthz]}}
      """;

  private SamplingBench() {}

  public static void main(String[] args) throws Exception {
    long spans = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    BenchFiles.inTempFolder("spanline-sampling-bench", dir -> run(dir, spans, threads));
    System.exit(0);
  }

  private static void run(Path dir, long targetSpans, int threads) throws Exception {
    try (BrokerProcess kafka = BrokerProcess.start(dir.resolve("kafka"));
        LocalSchemaRegistry registry =
            LocalSchemaRegistry.start(kafka.bootstrapServers(), "_schemas", 0);
        Admin admin = kafka.admin()) {
      Map<String, String> big = Map.of("max.message.bytes", String.valueOf(16 << 20));
      List<NewTopic> topics = new java.util.ArrayList<>();
      topics.add(new NewTopic(INPUT, 6, (short) 1).configs(big));
      for (String t :
          List.of(
              "bench-passthrough-w0",
              "bench-passthrough-w1",
              "bench-passthrough-0",
              "bench-passthrough-1",
              "bench-passthrough-2")) {
        topics.add(new NewTopic(t, 6, (short) 1).configs(big));
      }
      for (String run :
          List.of("warm-up-0", "warm-up-1", "sampling-0", "sampling-1", "sampling-2")) {
        topics.add(new NewTopic("bench-sampled-" + run, 6, (short) 1).configs(big));
        topics.add(new NewTopic("bench-decisions-" + run, 6, (short) 1));
        topics.add(new NewTopic("bench-metrics-" + run, 6, (short) 1));
      }
      topics.add(new NewTopic("bench-dead-letter", 1, (short) 1));
      admin.createTopics(topics).all().get();
      Path policy = Files.writeString(dir.resolve("policies.yaml"), POLICY);

      long[] written = produce(kafka, registry, targetSpans);
      long traces = written[0];
      long spans = written[1];
      System.out.printf(
          "INPUT %d traces, %d spans, %.0f Avro bytes per span%n",
          traces, spans, written[2] / (double) spans);

      // The broker, the registry and both apps share one JVM and 2 cores: the JIT keeps compiling
      // for several runs (a third of the CPU in the first measured run with one warm-up round)
      System.out.println("WARM-UP (not counted): two rounds of pass-through and sampling");
      for (int w = 0; w < 2; w++) {
        StreamsBench.passThrough(
            kafka.bootstrapServers(),
            admin,
            dir,
            threads,
            INPUT,
            "bench-passthrough-w" + w,
            traces,
            "traces");
        sampling(kafka, registry, admin, dir, threads, policy, "warm-up-" + w, traces, spans);
      }

      // three measured rounds; the medians are compared (runs vary by ±20 % on this machine)
      double[] passThrough = new double[3];
      double[] sampled = new double[3];
      for (int r = 0; r < 3; r++) {
        passThrough[r] =
            StreamsBench.passThrough(
                kafka.bootstrapServers(),
                admin,
                dir,
                threads,
                INPUT,
                "bench-passthrough-" + r,
                traces,
                "traces");
        sampled[r] =
            sampling(kafka, registry, admin, dir, threads, policy, "sampling-" + r, traces, spans);
      }
      double p = median(passThrough);
      double s = median(sampled);
      double spansPerTrace = spans / (double) traces;
      System.out.printf(
          "SUMMARY sampling %.0f traces/s (%.0f spans/s) vs pass-through %.0f traces/s (%.0f"
              + " spans/s), medians of 3 (sampling %s, pass-through %s traces/s): ratio %.2f%n",
          s,
          s * spansPerTrace,
          p,
          p * spansPerTrace,
          java.util.Arrays.toString(round(sampled)),
          java.util.Arrays.toString(round(passThrough)),
          s / p);
    }
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    java.util.Arrays.sort(v);
    return v[v.length / 2];
  }

  private static long[] round(double[] values) {
    long[] out = new long[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Math.round(values[i]);
    }
    return out;
  }

  /** Writes assembled traces of at least {@code target} spans; returns {traces, spans, bytes}. */
  private static long[] produce(BrokerProcess kafka, LocalSchemaRegistry registry, long target)
      throws Exception {
    SpanlineTopics specs =
        new SpanlineTopics(
            new TopicNames("otlp_spans", INPUT, "unused", "unused", "unused"),
            new RestSchemaRegistryClient(registry.uri(), Duration.ofSeconds(10)));
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 262_144);
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L << 20);
    long[] bytes = {0};
    byte[] tenant = "default".getBytes(StandardCharsets.UTF_8);
    var serializer = specs.assembledTraces().valueSerde().serializer();
    long[] counts;
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            p,
            new org.apache.kafka.common.serialization.ByteArraySerializer(),
            new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      counts =
          Workload.traces(
              target,
              (index, id, spans) -> {
                AssembledTrace t = AssembledTrace.of("default", id, 0, realistic(spans, index));
                byte[] value = serializer.serialize(INPUT, t);
                RecordHeaders headers = new RecordHeaders();
                headers.add("spanline.tenant", tenant);
                producer.send(
                    new ProducerRecord<>(
                        INPUT,
                        null,
                        id.toHex().getBytes(StandardCharsets.US_ASCII),
                        value,
                        headers));
                bytes[0] += value.length;
              });
      producer.flush();
    }
    return new long[] {counts[0], counts[1], bytes[0]};
  }

  /**
   * The workload marks 13 % of spans failed, so most traces hold an error; here 2 % of traces keep
   * their errors and 3 % are made slow (root span 2 s longer), as the sampling IT's mix.
   */
  private static List<Span> realistic(List<Span> spans, long index) {
    List<Span> out = new java.util.ArrayList<>(spans.size());
    for (int i = 0; i < spans.size(); i++) {
      Span s = spans.get(i);
      Span.Builder b = s.toBuilder();
      if (index % 50 != 0 && s.status().isError()) {
        b.status(io.spanline.schemas.model.Status.UNSET);
      }
      if (i == 0 && index % 100 < 3) {
        b.time(s.startEpochNanos(), s.endEpochNanos() + 2_000_000_000L);
      }
      out.add(b.build());
    }
    return out;
  }

  private static double sampling(
      BrokerProcess kafka,
      LocalSchemaRegistry registry,
      Admin admin,
      Path dir,
      int threads,
      Path policy,
      String run,
      long traces,
      long spans)
      throws Exception {
    String applicationId = "bench-sampling-" + run;
    Map<String, String> props = new HashMap<>();
    props.put("application.id", applicationId);
    props.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    props.put("schema-registry.url", registry.uri().toString());
    props.put("topic.assembled-traces", INPUT);
    props.put("topic.sampled-traces", "bench-sampled-" + run);
    props.put("topic.decisions", "bench-decisions-" + run);
    props.put("topic.metrics", "bench-metrics-" + run);
    props.put("topic.dead-letter", "bench-dead-letter");
    props.put("policy.file", policy.toString());
    props.put("num.stream.threads", String.valueOf(threads));
    props.put("state.dir", dir.resolve("state-" + applicationId).toString());
    props.put("admin.bind.address", "127.0.0.1");
    props.put("admin.port", "0");
    SamplingConfig config =
        SamplingConfigLoader.load(Map.of(), BenchFiles.settings("spanline.sampling.", props));
    long start = System.nanoTime();
    try (SamplingApp app = SamplingApp.start(config)) {
      StreamsBench.awaitInputCommitted(admin, applicationId, INPUT);
      double seconds = (System.nanoTime() - start) / 1e9;
      double kept =
          app
              .metrics()
              .registry()
              .find("spanline.sampling.traces")
              .tag("decision", "keep")
              .counters()
              .stream()
              .mapToDouble(c -> c.count())
              .sum();
      System.out.printf(
          "RESULT sampling %.0f traces/s, %.0f spans/s (%.1f s; %.1f %% of traces kept)%n",
          traces / seconds, spans / seconds, seconds, 100 * kept / traces);
      return traces / seconds;
    }
  }
}
