package io.spanline.bench;

import io.spanline.gateway.Gateway;
import io.spanline.gateway.config.GatewayConfigLoader;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Gateway throughput against a plain Kafka producer, in one run on one machine: starts a real Kafka
 * broker and the gateway in this JVM, then runs the load in a separate process three times — plain
 * producer, gateway over OTLP/HTTP protobuf, plain producer again — and prints spans/s, the
 * gateway's p50/p99 request latency and the ratio of the gateway to the mean of the two producer
 * runs; a fourth run sends the same load to {@link DiscardingOtlpEndpoint}, which reads the bodies
 * and does nothing else, for the ceiling the HTTP part alone puts on the gateway here. Arguments:
 * [seconds measured per run after a 15 s warm-up, default 40] [requests in flight, default 16].
 */
public final class GatewayBench {
  private GatewayBench() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
    int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    BenchFiles.inTempFolder("spanline-bench", dir -> run(dir, seconds, concurrency));
  }

  private static void run(Path dir, int seconds, int concurrency) throws Exception {
    try (BrokerProcess kafka = BrokerProcess.start(dir.resolve("kafka"))) {
      try (org.apache.kafka.clients.admin.Admin admin = kafka.admin()) {
        admin
            .createTopics(
                List.of(
                    new org.apache.kafka.clients.admin.NewTopic("bench-producer", 6, (short) 1),
                    new org.apache.kafka.clients.admin.NewTopic("bench-gateway", 6, (short) 1)))
            .all()
            .get();
      }
      Map<String, String> props = new HashMap<>();
      props.put("spanline.gateway.bind.address", "127.0.0.1");
      props.put("spanline.gateway.otlp.grpc.port", "0");
      props.put("spanline.gateway.otlp.http.port", "0");
      props.put("spanline.gateway.admin.port", "0");
      props.put("spanline.gateway.kafka.bootstrap.servers", kafka.bootstrapServers());
      props.put("spanline.gateway.topic.otlp-spans", "bench-gateway");
      // the workload's spans are dated November 2025 (Workload): accept them, as in production
      // spans from now would be
      props.put(
          "spanline.gateway.span.start.max-age.ms",
          String.valueOf(Duration.ofDays(3650).toMillis()));
      try (Gateway gateway =
          Gateway.start(
              GatewayConfigLoader.load(
                  Map.of(), BenchFiles.withJvmOverrides("spanline.gateway.", props)))) {
        // h1c (HTTP/1.1, what the OpenTelemetry SDKs' OTLP/HTTP exporters speak) unless
        // -Dbench.http.protocol=h2c asks for cleartext HTTP/2.
        String protocol = System.getProperty("bench.http.protocol", "h1c");
        String endpoint = protocol + "://127.0.0.1:" + gateway.httpPort() + "/v1/traces";
        String p1 =
            run("producer", kafka.bootstrapServers(), "bench-producer", String.valueOf(seconds));
        String g = run("http", endpoint, String.valueOf(seconds), String.valueOf(concurrency));
        String p2 =
            run("producer", kafka.bootstrapServers(), "bench-producer", String.valueOf(seconds));
        String floor;
        try (DiscardingOtlpEndpoint discard = DiscardingOtlpEndpoint.start()) {
          floor =
              run(
                  "http",
                  discard.endpoint(protocol),
                  String.valueOf(seconds),
                  String.valueOf(concurrency));
        }
        double producer = (value(p1, "spans_per_s") + value(p2, "spans_per_s")) / 2;
        double viaGateway = value(g, "spans_per_s");
        System.out.println(p1);
        System.out.println(g);
        System.out.println(p2);
        System.out.println(floor.replace("RESULT gateway", "RESULT discarding-endpoint"));
        System.out.printf(
            "SUMMARY gateway %.0f spans/s (p99 %s ms) vs plain producer %.0f spans/s: ratio %.2f%n",
            viaGateway, field(g, "p99_ms"), producer, viaGateway / producer);
        System.out.printf(
            "CEILING an OTLP/HTTP endpoint that only reads and discards the bodies (Armeria, no"
                + " scan, no Kafka) takes %.0f spans/s under the same load: %.2f of the plain"
                + " producer%n",
            value(floor, "spans_per_s"), value(floor, "spans_per_s") / producer);
      }
    }
  }

  /** Runs the load driver in its own JVM and returns its RESULT line. */
  private static String run(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx1g");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(LoadDriver.class.getName());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String result = null;
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("RESULT")) {
          result = line;
        }
      }
    }
    if (process.waitFor() != 0 || result == null) {
      throw new IllegalStateException("load driver " + String.join(" ", args) + " failed");
    }
    return result;
  }

  private static String field(String line, String name) {
    for (String part : line.split(" ")) {
      if (part.startsWith(name + "=")) {
        return part.substring(name.length() + 1);
      }
    }
    throw new IllegalArgumentException(name + " missing in " + line);
  }

  private static double value(String line, String name) {
    return Double.parseDouble(field(line, name));
  }
}
