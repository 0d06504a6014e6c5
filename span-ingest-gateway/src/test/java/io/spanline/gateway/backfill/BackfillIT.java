package io.spanline.gateway.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.gateway.config.GatewayConfig;
import io.spanline.gateway.testing.GatewayFixture;
import io.spanline.gateway.testing.TestRequests;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.junit.UniqueNames;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.schemas.codec.otlp.OtlpJsonCodec;
import io.spanline.schemas.codec.otlp.OtlpProtoCodec;
import io.spanline.schemas.model.Span;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spanline backfill} against a real Kafka broker: files in the Collector file exporter's
 * JSON and protobuf formats and a Collector's own topic reach {@code otlp_spans} through the
 * gateway's core with their own timestamps; a malformed line is named and the rest loads.
 */
@ExtendWith(LocalInfraExtension.class)
class BackfillIT {
  private static final long DAY_NANOS = Duration.ofDays(1).toNanos();

  @TempDir Path dir;

  private record Run(int exit, String out, String err) {}

  private static Run backfill(LocalKafka kafka, String topic, String... args) {
    GatewayConfig config = GatewayFixture.config(kafka, topic, Map.of(), Map.of());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    long start = System.nanoTime();
    int exit =
        BackfillCommand.run(
            "spanline backfill",
            config,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            args);
    Run run =
        new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    System.out.println(
        "backfill "
            + String.join(" ", args)
            + ": exit "
            + exit
            + " in "
            + Duration.ofNanos(System.nanoTime() - start).toMillis()
            + " ms; "
            + run.out().strip());
    return run;
  }

  /** {@code traces} traces of 3 spans each that started {@code daysAgo} days ago. */
  private static List<Span> spansOf(int traces, int daysAgo) {
    long start = Instant.now().toEpochMilli() * 1_000_000L - daysAgo * DAY_NANOS;
    List<Span> out = new ArrayList<>();
    int i = 0;
    for (Span s : TestRequests.spans(traces, 3)) {
      out.add(
          s.toBuilder().time(start + i * 1_000_000L, start + i * 1_000_000L + 500_000L).build());
      i++;
    }
    return out;
  }

  private static Map<String, Long> startTimesOf(List<Span> spans) {
    Map<String, Long> m = new HashMap<>();
    spans.forEach(s -> m.put(s.spanId().toHex(), s.startEpochNanos()));
    return m;
  }

  private static List<Span> written(LocalKafka kafka, String topic, Set<String> tenants) {
    List<Span> spans = new ArrayList<>();
    for (GatewayFixture.Written w : GatewayFixture.readAll(kafka.bootstrapServers(), topic)) {
      tenants.add(w.tenant());
      List<Span> decoded = OtlpProtoCodec.decode(w.value());
      assertThat(decoded).allMatch(s -> s.traceId().toHex().equals(w.key()));
      spans.addAll(decoded);
    }
    return spans;
  }

  @Test
  void aJsonLinesFile_loadsWithItsTimestamps_andAMalformedLineIsNamedWhileTheRestLoads(
      LocalKafka kafka) throws Exception {
    // Given a file exporter JSON file: two requests of spans from three days ago around a
    // malformed line and a blank one
    String topic = UniqueNames.unique("otlp-spans");
    kafka.createTopics(3, List.of(topic));
    List<Span> first = spansOf(4, 3);
    List<Span> second = spansOf(2, 3);
    Path file =
        Files.writeString(
            dir.resolve("traces.json"),
            new String(OtlpJsonCodec.encode(first), StandardCharsets.UTF_8)
                + "\n{\"resourceSpans\": [ {\"scopeSpans\": \n\n"
                + new String(OtlpJsonCodec.encode(second), StandardCharsets.UTF_8)
                + "\n");

    // When it is backfilled with a tenant
    Run run = backfill(kafka, topic, file.toString(), "--tenant", "acme", "--progress", "plain");

    // Then the malformed line is named, and every span of the others is in otlp_spans, keyed by
    // its trace, of tenant acme, with its own start time
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.err()).contains(file + " line 2: refused (malformed)");
    assertThat(run.out())
        .contains("Backfilled 18 spans from 3 requests")
        .contains("1 requests refused");
    Set<String> tenants = new HashSet<>();
    List<Span> spans = written(kafka, topic, tenants);
    List<Span> all = new ArrayList<>(first);
    all.addAll(second);
    assertThat(startTimesOf(spans)).isEqualTo(startTimesOf(all));
    assertThat(tenants).containsExactly("acme");
    assertThat(run.err())
        .containsPattern(
            "backfill: 3 requests, 18 spans written, 0 rejected, 1 requests refused, 100\\.0 % of"
                + " the input, [\\d,]+ spans/s, ETA 0:00:00");
  }

  @Test
  void protobufFiles_inTheFileExportersAndInVarintFraming_load(LocalKafka kafka) throws Exception {
    // Given the same requests as the file exporter writes them with format: proto (4-byte
    // big-endian length before each), and with varint lengths
    String topic = UniqueNames.unique("otlp-spans");
    kafka.createTopics(3, List.of(topic));
    List<List<Span>> requests = List.of(spansOf(3, 1), spansOf(2, 1), spansOf(1, 1));
    ByteArrayOutputStream fixed = new ByteArrayOutputStream();
    ByteArrayOutputStream varint = new ByteArrayOutputStream();
    DataOutputStream fixedOut = new DataOutputStream(fixed);
    for (List<Span> r : requests) {
      byte[] message = OtlpProtoCodec.encode(r);
      fixedOut.writeInt(message.length);
      fixedOut.write(message);
      com.google.protobuf.CodedOutputStream v =
          com.google.protobuf.CodedOutputStream.newInstance(varint);
      v.writeUInt32NoTag(message.length);
      v.flush();
      varint.write(message);
    }
    Path exporterFile = Files.write(dir.resolve("traces.pb"), fixed.toByteArray());
    Path delimitedFile = Files.write(dir.resolve("traces.delimited"), varint.toByteArray());

    // When each is backfilled into a topic of its own
    String other = UniqueNames.unique("otlp-spans");
    kafka.createTopics(3, List.of(other));
    Run proto = backfill(kafka, topic, exporterFile.toString(), "--progress", "none");
    Run delimited =
        backfill(
            kafka,
            other,
            delimitedFile.toString(),
            "--format",
            "proto_delimited",
            "--progress",
            "none");

    // Then both topics hold every span with its own start time, of the default tenant
    assertThat(proto.exit()).as(proto.err()).isZero();
    assertThat(delimited.exit()).as(delimited.err()).isZero();
    List<Span> all = requests.stream().flatMap(List::stream).toList();
    Set<String> tenants = new HashSet<>();
    assertThat(startTimesOf(written(kafka, topic, tenants))).isEqualTo(startTimesOf(all));
    assertThat(startTimesOf(written(kafka, other, tenants))).isEqualTo(startTimesOf(all));
    assertThat(tenants).containsExactly("default");
  }

  @Test
  void aFileOfTwoThousandRequests_loadsWhole_andItsRateIsPrinted(LocalKafka kafka)
      throws Exception {
    // Given a file exporter JSON file of 2 000 requests of 5 traces of 3 spans
    String topic = UniqueNames.unique("otlp-spans");
    kafka.createTopics(3, List.of(topic));
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 2_000; i++) {
      lines.append(new String(OtlpJsonCodec.encode(spansOf(5, 1)), StandardCharsets.UTF_8));
      lines.append('\n');
    }
    Path file = Files.writeString(dir.resolve("large.jsonl"), lines);

    // When it is backfilled
    long start = System.nanoTime();
    Run run = backfill(kafka, topic, file.toString(), "--progress", "plain");
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    // Then every span is in otlp_spans
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).contains("Backfilled 30,000 spans from 2,000 requests");
    assertThat(written(kafka, topic, new HashSet<>())).hasSize(30_000);
    System.out.printf(
        "backfill of %,d bytes, 2,000 requests, 30,000 spans: %,d ms, %,.0f spans/s%n",
        Files.size(file), took.toMillis(), 30_000 / (took.toNanos() / 1e9));
  }

  @Test
  void aTruncatedProtobufFile_isNamedAtTheBrokenMessage(LocalKafka kafka) throws Exception {
    // Given a file exporter protobuf file whose second message is cut short
    String topic = UniqueNames.unique("otlp-spans");
    kafka.createTopics(1, List.of(topic));
    byte[] message = OtlpProtoCodec.encode(spansOf(1, 1));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(message.length);
    out.write(message);
    out.writeInt(message.length);
    out.write(message, 0, message.length / 2);
    Path file = Files.write(dir.resolve("cut.pb"), bytes.toByteArray());

    // When it is backfilled
    Run run = backfill(kafka, topic, file.toString(), "--progress", "none");

    // Then the command fails naming the message and its byte, after loading the first
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err())
        .startsWith("spanline backfill: " + file + " message 2 at byte " + (4 + message.length))
        .doesNotContain("\tat ");
    assertThat(GatewayFixture.readAll(kafka.bootstrapServers(), topic)).hasSize(1);
  }

  @Test
  void spansOlderThanTheGatewaysWindow_needMaxAge(LocalKafka kafka) throws Exception {
    // Given spans that started 20 days ago (the gateway accepts 7 days by default)
    String topic = UniqueNames.unique("otlp-spans");
    kafka.createTopics(1, List.of(topic));
    Path file = Files.write(dir.resolve("old.json"), OtlpJsonCodec.encode(spansOf(2, 20)));

    // When they are backfilled without and with --max-age P30D
    Run refused = backfill(kafka, topic, file.toString(), "--progress", "none");
    Run loaded = backfill(kafka, topic, file.toString(), "--max-age", "P30D", "--progress", "none");

    // Then the first rejects them, naming why, and the second loads them
    assertThat(refused.exit()).isZero();
    assertThat(refused.out()).contains("Backfilled 0 spans").contains("6 spans rejected");
    assertThat(refused.err()).contains(file + " line 1: 6 spans rejected");
    assertThat(loaded.out()).contains("Backfilled 6 spans");
    assertThat(GatewayFixture.readAll(kafka.bootstrapServers(), topic)).hasSize(2);
  }

  @Test
  void aCollectorsTopic_isBackfilledWithTheTenantOfEachRecordsHeader(LocalKafka kafka)
      throws Exception {
    // Given a Collector's topic of 2 partitions, records keyed by nothing, some with a tenant
    // header, one not OTLP at all
    String source = UniqueNames.unique("collector-spans");
    String topic = UniqueNames.unique("otlp-spans");
    kafka.createTopics(2, List.of(source));
    kafka.createTopics(3, List.of(topic));
    List<Span> acme = spansOf(3, 0);
    List<Span> plain = spansOf(2, 0);
    long poisonOffset;
    int poisonPartition;
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      ProducerRecord<byte[], byte[]> withTenant =
          new ProducerRecord<>(source, 0, null, OtlpProtoCodec.encode(acme));
      withTenant.headers().add("x-scope-orgid", "acme".getBytes(StandardCharsets.UTF_8));
      producer.send(withTenant).get();
      producer.send(new ProducerRecord<>(source, 1, null, OtlpProtoCodec.encode(plain))).get();
      var poison =
          producer
              .send(
                  new ProducerRecord<>(
                      source, 1, null, "not OTLP".getBytes(StandardCharsets.UTF_8)))
              .get();
      poisonOffset = poison.offset();
      poisonPartition = poison.partition();
    }

    // When the topic is backfilled with the tenant from its header
    Run run =
        backfill(
            kafka,
            topic,
            "--source-topic",
            source,
            "--source-bootstrap-servers",
            kafka.bootstrapServers(),
            "--tenant-header",
            "x-scope-orgid",
            "--tenant",
            "fallback",
            "--progress",
            "none");

    // Then each record's spans carry its tenant, and the poison record is named
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.err())
        .contains(
            source + " partition " + poisonPartition + " offset " + poisonOffset + ": refused");
    Map<String, Set<String>> spansByTenant = new HashMap<>();
    for (GatewayFixture.Written w : GatewayFixture.readAll(kafka.bootstrapServers(), topic)) {
      for (Span s : OtlpProtoCodec.decode(w.value())) {
        spansByTenant.computeIfAbsent(w.tenant(), t -> new HashSet<>()).add(s.spanId().toHex());
      }
    }
    assertThat(spansByTenant.get("acme")).isEqualTo(startTimesOf(acme).keySet());
    assertThat(spansByTenant.get("fallback")).isEqualTo(startTimesOf(plain).keySet());
  }
}
