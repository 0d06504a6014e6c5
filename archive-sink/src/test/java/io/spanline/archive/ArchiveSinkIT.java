package io.spanline.archive;

import static io.spanline.archive.testing.ArchiveSinkHarness.kept;
import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.archive.testing.ArchiveSinkHarness;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.localinfra.s3.LocalS3;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.testing.FarStartTraces;
import io.spanline.schemas.testing.TraceBuilder;
import io.spanline.storage.archive.ArchiveLayout;
import io.spanline.storage.archive.ColdTraceReader;
import io.spanline.storage.archive.internal.parquet.SpanRows;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.io.LocalInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The archive sink against real Kafka, schema registry and S3-compatible store. */
@ExtendWith(LocalInfraExtension.class)
class ArchiveSinkIT {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final List<String> SERVICES = List.of("frontend", "checkout", "payment", "stock");

  @TempDir Path dir;

  @Test
  void writesHivePartitionedParquetFiles_thatReadBackAsTheSpansWritten(
      LocalKafka kafka, LocalSchemaRegistry registry, LocalS3 s3) throws Exception {
    try (ArchiveSinkHarness h =
        ArchiveSinkHarness.create(
            kafka, registry, s3, dir.resolve("work"), 2, Map.of("roll.max.age.ms", "1000"))) {
      // Given kept traces of two tenants, in two hours
      List<SampledTrace> traces = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        traces.add(
            kept(
                trace(i)
                    .tenant(i % 4 == 0 ? "acme" : "globex")
                    .shiftedBy(Duration.ofMinutes(i % 2 == 0 ? 0 : 60))
                    .build(),
                "baseline",
                "slow"));
      }
      // When the sink archives them
      try (ArchiveSinkApp sink = h.startSink()) {
        h.send(traces);
        h.awaitAllCommitted(WAIT);
        // and reports it on its admin port
        HttpResponse<String> metrics = admin(sink, "/metrics");
        assertThat(metrics.body())
            .contains("spanline_archive_files_total")
            .contains("spanline_archive_rows_total")
            .contains("spanline_archive_upload_seconds_count")
            .contains("spanline_archive_pending_bytes");
        assertThat(admin(sink, "/readyz").statusCode()).isEqualTo(200);
      }

      // Then every file is under a documented key: tenant, UTC date and hour of the trace start,
      // Kafka partition and offset range
      ArchiveLayout layout = h.config().layout();
      List<S3Object> objects = h.objects();
      assertThat(objects).isNotEmpty();
      assertThat(objects)
          .allSatisfy(o -> assertThat(layout.parse(o.key())).as(o.key()).isPresent());
      assertThat(objects.stream().map(o -> layout.parse(o.key()).orElseThrow().tenant()).distinct())
          .containsExactlyInAnyOrder("acme", "globex");
      LocalDateTime hour = ArchiveLayout.hourOf(TraceBuilder.START);
      assertThat(objects.stream().map(o -> layout.parse(o.key()).orElseThrow().hour()).distinct())
          .containsExactlyInAnyOrder(hour, hour.plusHours(1));
      assertThat(objects.get(0).key()).startsWith("spans/tenant=");

      // and read back, the rows are the spans written, each once, sorted by trace ID and start
      List<GenericRecord> rows = h.allRows(dir.resolve("download"));
      List<Span> expected = traces.stream().flatMap(t -> t.trace().spans().stream()).toList();
      assertThat(ArchiveSinkHarness.spans(rows)).containsExactlyInAnyOrderElementsOf(expected);
      try (var files = Files.walk(dir.resolve("download"))) {
        for (Path f : files.filter(p -> p.toString().endsWith(".parquet")).toList()) {
          List<GenericRecord> fileRows = ArchiveSinkHarness.rows(f);
          assertThat(fileRows).isSortedAccordingTo(SpanRows.ORDER);
          assertThat(traceIdBloomFilter(f)).as("bloom filter in " + f).isTrue();
        }
      }
      // with trace-level columns beside each span
      AssembledTrace first = traces.get(0).trace();
      GenericRecord row =
          rows.stream()
              .filter(r -> r.get("trace_id").toString().equals(first.traceId().toHex()))
              .findFirst()
              .orElseThrow();
      assertThat(row.get("root_service_name").toString()).isEqualTo("frontend");
      assertThat(row.get("root_span_name").toString()).isEqualTo("GET /0");
      assertThat(row.get("trace_duration_nanos")).isEqualTo(first.summary().durationNanos());
      assertThat(row.get("trace_error")).isEqualTo(true);
      assertThat(row.get("sampling_policy").toString()).isEqualTo("baseline,slow");
      assertThat(row.get("adjusted_count")).isEqualTo(4.0);
      assertThat(h.objects().stream().mapToLong(S3Object::size).sum()).isPositive();
    }
  }

  @Test
  void coldReaderFindsATraceAndItsLateFragment_fetchingUnderATenthOfTheArchive(
      LocalKafka kafka, LocalSchemaRegistry registry, LocalS3 s3) throws Exception {
    try (ArchiveSinkHarness h =
        ArchiveSinkHarness.create(
            kafka,
            registry,
            s3,
            dir.resolve("work"),
            2,
            Map.of("roll.max.bytes", String.valueOf(16 << 20), "roll.max.age.ms", "2000"))) {
      // Given an archive of 8 000 traces (~10 spans each) of one tenant and hour, in several files
      List<SampledTrace> traces = new ArrayList<>();
      for (int i = 0; i < 8000; i++) {
        TraceBuilder b = trace(i).children(6, "checkout");
        for (int s = 0; s < 4; s++) {
          b.child("db", "SELECT orders " + s, 1)
              .attr("db.statement", "SELECT * FROM orders WHERE customer_id = " + (i * 7 + s))
              .attr("url.full", "https://shop.example.com/api/orders/" + i + "?page=" + s);
        }
        traces.add(kept(b.build(), "baseline"));
      }
      AssembledTrace wanted = traces.get(4321).trace();
      AssembledTrace late =
          TraceBuilder.trace()
              .traceId(wanted.traceId())
              .fragment(1)
              .shiftedBy(Duration.ofMinutes(70))
              .orphan("audit", "record", 0, 3)
              .build();
      traces.add(kept(late, "baseline"));
      try (ArchiveSinkApp sink = h.startSink()) {
        h.send(traces);
        h.awaitAllCommitted(WAIT);
      }
      long archiveBytes = h.objects().stream().mapToLong(S3Object::size).sum();
      assertThat(h.objects().size()).isGreaterThan(2);

      // When the cold reader looks the trace up over the two hours
      ColdTraceReader reader =
          new ColdTraceReader(h.s3(), h.config().bucket(), h.config().layout(), 10_000);
      ColdTraceReader.ColdTrace found =
          reader.find(
              "default",
              wanted.traceId(),
              TraceBuilder.START,
              TraceBuilder.START + Duration.ofMinutes(90).toNanos());

      System.out.printf(
          "Cold read: %d spans, %d of %d archive bytes fetched (%.1f %%) in %d GETs over %d files%n",
          found.spans().size(),
          found.bytesFetched(),
          archiveBytes,
          100.0 * found.bytesFetched() / archiveBytes,
          found.requests(),
          found.filesListed());
      // Then it returns both fragments' spans, having fetched under 10 % of the archive's bytes
      List<Span> expected = new ArrayList<>(wanted.spans());
      expected.addAll(late.spans());
      expected.sort(Comparator.comparingLong(Span::startEpochNanos));
      assertThat(found.spans()).containsExactlyElementsOf(expected);
      assertThat(found.truncated()).isFalse();
      assertThat(found.bytesFetched())
          .as(
              "fetched %d of %d bytes in %d GETs",
              found.bytesFetched(), archiveBytes, found.requests())
          .isLessThan(archiveBytes / 10);

      // and a trace outside the range, or unknown, is not found
      assertThat(
              reader
                  .find(
                      "default",
                      wanted.traceId(),
                      TraceBuilder.START + Duration.ofHours(3).toNanos(),
                      TraceBuilder.START + Duration.ofHours(4).toNanos())
                  .found())
          .isFalse();
      assertThat(
              reader
                  .find(
                      "globex",
                      wanted.traceId(),
                      TraceBuilder.START,
                      TraceBuilder.START + Duration.ofMinutes(90).toNanos())
                  .found())
          .isFalse();
      // and a span limit truncates instead of reading everything
      ColdTraceReader.ColdTrace capped =
          new ColdTraceReader(h.s3(), h.config().bucket(), h.config().layout(), 2)
              .find(
                  "default",
                  wanted.traceId(),
                  TraceBuilder.START,
                  TraceBuilder.START + Duration.ofMinutes(90).toNanos());
      assertThat(capped.spans()).hasSize(2);
      assertThat(capped.truncated()).isTrue();
    }
  }

  @Test
  void aRollCutShortByACrashIsWrittenAgainUnderTheSameKeys_andPoisonRecordsAreDeadLettered(
      LocalKafka kafka, LocalSchemaRegistry registry, LocalS3 s3) throws Exception {
    try (ArchiveSinkHarness h =
        ArchiveSinkHarness.create(
            kafka, registry, s3, dir.resolve("work"), 1, Map.of("roll.max.age.ms", "60000"))) {
      // Given ten records, a poison one among them
      List<SampledTrace> traces = new ArrayList<>();
      for (int i = 0; i < 9; i++) {
        traces.add(kept(trace(i).build(), "baseline"));
      }
      h.send(traces.subList(0, 4));
      h.sendRaw(
          "poison".getBytes(StandardCharsets.UTF_8), "not avro".getBytes(StandardCharsets.UTF_8));
      h.send(traces.subList(4, 9));
      // and a sink that died while uploading the roll of offsets 0..4: the roll end committed,
      // a broken object left under its key
      TopicPartition p0 = new TopicPartition(h.config().consumer().topic(), 0);
      h.admin()
          .alterConsumerGroupOffsets(
              h.config().consumer().groupId(),
              Map.of(p0, new OffsetAndMetadata(0, "spanline.archive.roll-end=4")))
          .all()
          .get();
      LocalDateTime hour = ArchiveLayout.hourOf(TraceBuilder.START);
      String cutKey = h.config().layout().fileKey("default", hour, 0, 0, 4);
      h.s3()
          .putObject(
              p -> p.bucket(h.config().bucket()).key(cutKey), RequestBody.fromString("truncated"));

      // When a sink starts (rolls otherwise close only after a minute)
      try (ArchiveSinkApp sink = h.startSink()) {
        io.spanline.localinfra.Probe.until(
            "the cut roll committed",
            WAIT,
            Duration.ofMillis(100),
            () -> h.committedRecords() == 5);
        assertThat(sink.metrics().filesUploaded()).isEqualTo(1);
      }

      // Then the cut roll is written again, whole, under the same key, and nothing else yet
      Path file = dir.resolve("cut.parquet");
      h.s3()
          .getObject(
              g -> g.bucket(h.config().bucket()).key(cutKey),
              software.amazon.awssdk.core.sync.ResponseTransformer.toFile(file));
      assertThat(ArchiveSinkHarness.spans(ArchiveSinkHarness.rows(file)))
          .containsExactlyInAnyOrderElementsOf(
              traces.subList(0, 4).stream().flatMap(t -> t.trace().spans().stream()).toList());
      assertThat(h.objects()).extracting(S3Object::key).containsExactly(cutKey);
      assertThat(h.committedRecords()).isEqualTo(5);
    }
  }

  @Test
  void spansStartingFarFromNow_areNotArchived_soTheyCreateNoPrefixesForThoseHours(
      LocalKafka kafka, LocalSchemaRegistry registry, LocalS3 s3) throws Exception {
    try (ArchiveSinkHarness h =
        ArchiveSinkHarness.create(
            kafka,
            registry,
            s3,
            dir.resolve("work"),
            1,
            Map.of("roll.max.age.ms", "1000", "retention.days", "30"))) {
      // Given a trace (as a Collector writes it, past the gateway) whose spans claim start times
      // 500 and 200 days ago, 10 days and 2 hours ahead, and now; and one entirely 300 days ago
      AssembledTrace spread = FarStartTraces.spread("acme");
      AssembledTrace ancient = FarStartTraces.ancient("acme");

      // When both are kept and archived
      try (ArchiveSinkApp sink = h.startSink()) {
        h.send(List.of(kept(spread, "baseline"), kept(ancient, "baseline")));
        h.awaitAllCommitted(WAIT);
        assertThat(
                sink.metrics()
                    .registry()
                    .get("spanline.archive.spans.out_of_window")
                    .tag("tenant", "acme")
                    .counter()
                    .count())
            .isEqualTo(5);
      }

      // Then only the span from now is archived, under the hour it started, and nothing else
      LocalDateTime now = ArchiveLayout.hourOf(spread.spans().get(0).startEpochNanos());
      ArchiveLayout layout = h.config().layout();
      assertThat(h.objects())
          .extracting(o -> layout.parse(o.key()).orElseThrow().hour())
          .containsExactly(now);
      List<GenericRecord> rows = h.allRows(dir.resolve("download"));
      assertThat(rows).extracting(r -> r.get("span_name").toString()).containsExactly("GET /now");
      assertThat(rows.get(0).get("trace_duration_nanos")).isEqualTo(5_000_000L);
    }
  }

  private static HttpResponse<String> admin(ArchiveSinkApp sink, String path) throws Exception {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .build()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sink.adminPort() + path))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static TraceBuilder trace(int i) {
    TraceBuilder b =
        TraceBuilder.trace()
            .root("frontend", "GET /" + (i % 7), 20 + i % 30)
            .attr("http.response.status_code", 200)
            .child(SERVICES.get(1 + i % 3), "call", 5);
    if (i % 3 == 0) {
      b.error();
    }
    return b.children(i % 4, "frontend");
  }

  private static boolean traceIdBloomFilter(Path file) throws Exception {
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
      return reader.getFooter().getBlocks().stream()
          .allMatch(
              b ->
                  b.getColumns().stream()
                      .filter(c -> c.getPath().toDotString().equals("trace_id"))
                      .mapToLong(ColumnChunkMetaData::getBloomFilterOffset)
                      .allMatch(offset -> offset >= 0));
    }
  }
}
