package io.spanline.storage.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.junit.UniqueNames;
import io.spanline.localinfra.s3.LocalS3;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.testing.TraceBuilder;
import io.spanline.storage.archive.ArchiveCompactor.Step;
import io.spanline.storage.archive.internal.index.TraceIdIndex;
import io.spanline.storage.archive.internal.parquet.ParquetTraceWriter;
import io.spanline.storage.archive.internal.s3.S3InputFile;
import io.spanline.storage.archive.internal.s3.S3Uploader;
import io.spanline.storage.archive.testing.ArchiveFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Compaction and the hour trace-ID index against a real S3-compatible server (S3Proxy): an hour of
 * small files becomes one file per tenant; a compaction crashed after any step leaves an archive
 * where the cold reader, and a scan of the visible files, sees every span exactly once, before and
 * after the next run finishes it; a file whose index entry was lost is still found.
 */
@ExtendWith(LocalInfraExtension.class)
class ArchiveCompactionIT {
  private static final ArchiveLayout LAYOUT = new ArchiveLayout("spans");

  /** The hour the fixtures' traces start in (TraceBuilder.START is 2025-11-22T08:26:40Z). */
  private static final LocalDateTime HOUR = ArchiveLayout.hourOf(TraceBuilder.START);

  private static S3Client s3;

  private final AtomicLong offsets = new AtomicLong();
  private String bucket;
  private ArchiveWriter writer;
  private Path work;

  /** Every span ID written, per tenant. */
  private final Map<String, List<Long>> written = new TreeMap<>();

  @BeforeAll
  static void start(LocalS3 server) {
    s3 =
        S3Clients.create(
            new S3Settings(
                Optional.of(server.endpoint()),
                LocalS3.REGION,
                true,
                LocalS3.ACCESS_KEY,
                LocalS3.SECRET_KEY));
  }

  @AfterAll
  static void stop() {
    if (s3 != null) {
      s3.close();
    }
  }

  private void newArchive() throws IOException {
    bucket = UniqueNames.unique("compaction");
    s3.createBucket(b -> b.bucket(bucket));
    work = Files.createTempDirectory("archive-compaction");
    writer =
        new ArchiveWriter(
            new ParquetTraceWriter(64 << 10, 8 << 10),
            new S3Uploader(s3, bucket, 64L << 20, 16L << 20),
            LAYOUT,
            work.resolve("writer"));
  }

  /** A batch of traces of one tenant within {@link #HOUR}, as one sink roll writes it. */
  private List<AssembledTrace> batch(String tenant, int traces) throws IOException {
    List<AssembledTrace> batch = new ArrayList<>();
    for (int i = 0; i < traces; i++) {
      batch.add(
          TraceBuilder.trace()
              .tenant(tenant)
              .shiftedBy(Duration.ofSeconds(offsets.get() % 1800))
              .root("frontend", "GET /", 100)
              .child("backend", "query", 40)
              .child("db", "SELECT", 10)
              .build());
    }
    long first = offsets.getAndAdd(traces);
    writer.write(
        (int) (first % 3),
        first,
        first + traces - 1,
        batch.stream()
            .map(t -> new ArchiveFixtures.Kept(ArchiveFixtures.kept(t, "errors")))
            .toList(),
        (b, r, t) -> {});
    for (AssembledTrace t : batch) {
      for (Span s : t.spans()) {
        written.computeIfAbsent(tenant, k -> new ArrayList<>()).add(s.spanId().value());
      }
    }
    return batch;
  }

  private ArchiveCompactor compactor(long targetBytes, ArchiveCompactor.StepHook hook) {
    return new ArchiveCompactor(
        s3,
        bucket,
        LAYOUT,
        new ArchiveCompactor.Settings(
            targetBytes,
            64 << 10,
            8 << 10,
            64L << 20,
            16L << 20,
            work.resolve("compactor"),
            Duration.ofMinutes(10)),
        Clock.fixed(Instant.parse("2025-11-22T12:00:00Z"), ZoneOffset.UTC),
        hook,
        n -> {},
        () -> {});
  }

  private ArchiveHours.HourObjects hourObjects(String tenant) {
    String folder = LAYOUT.hourFolder(tenant, HOUR);
    ArchiveHours hours = new ArchiveHours(s3, bucket, LAYOUT, 0);
    return ArchiveHours.group(hours.list(folder, new ArchiveHours.Cost()), List.of(folder))
        .get(folder);
  }

  private Map<String, S3Object> visible(String tenant) throws IOException {
    return new ArchiveHours(s3, bucket, LAYOUT, 0)
        .visible(hourObjects(tenant), new ArchiveHours.Cost());
  }

  /** Span IDs in the tenant's visible files, one element per row. */
  private List<Long> visibleSpans(String tenant) throws IOException {
    List<Long> spans = new ArrayList<>();
    for (S3Object o : visible(tenant).values()) {
      for (GenericRecord row : rows(o)) {
        spans.add(Long.parseUnsignedLong(row.get("span_id").toString(), 16));
      }
    }
    return spans;
  }

  private static List<GenericRecord> rows(String bucket, S3Object o) throws IOException {
    List<GenericRecord> rows = new ArrayList<>();
    try (ParquetReader<GenericRecord> reader =
        AvroParquetReader.<GenericRecord>builder(
                new S3InputFile(
                    s3, bucket, o.key(), o.size(), 16 << 10, new LongAdder(), new LongAdder()))
            .withConf(new PlainParquetConfiguration())
            .build()) {
      for (GenericRecord r = reader.read(); r != null; r = reader.read()) {
        rows.add(r);
      }
    }
    return rows;
  }

  private List<GenericRecord> rows(S3Object o) throws IOException {
    return rows(bucket, o);
  }

  /** Each span written is seen exactly once, by a scan and by trace-by-ID lookups. */
  private void assertEachSpanOnce(List<AssembledTrace> sample) throws IOException {
    for (Map.Entry<String, List<Long>> e : written.entrySet()) {
      assertThat(visibleSpans(e.getKey()))
          .as("span IDs in the visible files of %s", e.getKey())
          .containsExactlyInAnyOrderElementsOf(e.getValue());
    }
    ColdTraceReader reader = new ColdTraceReader(s3, bucket, LAYOUT, 1000);
    long from = TraceBuilder.START - Duration.ofHours(1).toNanos();
    long to = TraceBuilder.START + Duration.ofHours(1).toNanos();
    for (AssembledTrace t : sample) {
      ColdTraceReader.ColdTrace found = reader.find(t.tenant(), t.traceId(), from, to);
      assertThat(found.spans())
          .as("trace %s", t.traceId().toHex())
          .containsExactlyInAnyOrderElementsOf(t.spans());
    }
  }

  @Test
  void anHourOfSmallFilesBecomesOneFilePerTenant_sortedWithBloomFilterAndStatistics()
      throws Exception {
    newArchive();
    String acme = UniqueNames.unique("acme");
    String beta = UniqueNames.unique("beta");
    List<AssembledTrace> sample = new ArrayList<>();
    for (int roll = 0; roll < 30; roll++) {
      sample.add(batch(acme, 4).get(0));
      if (roll % 3 == 0) {
        sample.add(batch(beta, 2).get(0));
      }
    }
    assertThat(visible(acme)).hasSize(30);

    ArchiveCompactor.Result result = compactor(128L << 20, (s, f) -> {}).compactAll();

    assertThat(result.hoursCompacted()).isEqualTo(2);
    assertThat(result.filesReplaced()).isEqualTo(40);
    for (String tenant : List.of(acme, beta)) {
      ArchiveHours.HourObjects objects = hourObjects(tenant);
      assertThat(objects.dataFiles()).hasSize(1);
      assertThat(objects.manifests()).hasSize(1);
      S3Object file = objects.dataFiles().values().iterator().next();
      List<String> ids = rows(file).stream().map(r -> r.get("trace_id").toString()).toList();
      assertThat(ids).isSorted();
      try (ParquetFileReader footer =
          ParquetFileReader.open(
              new S3InputFile(
                  s3,
                  bucket,
                  file.key(),
                  file.size(),
                  16 << 10,
                  new LongAdder(),
                  new LongAdder()))) {
        for (BlockMetaData block : footer.getFooter().getBlocks()) {
          ColumnChunkMetaData traceId =
              block.getColumns().stream()
                  .filter(c -> c.getPath().toDotString().equals("trace_id"))
                  .findFirst()
                  .orElseThrow();
          assertThat(traceId.getBloomFilterOffset()).isPositive();
          Statistics<?> stats = traceId.getStatistics();
          assertThat(stats.hasNonNullValue()).isTrue();
          assertThat(footer.readBloomFilter(traceId)).isNotNull();
        }
      }
      // the index covers the new file: a lookup opens it and nothing else
      TraceIdIndex index =
          TraceIdIndex.decode(
              s3.getObjectAsBytes(g -> g.bucket(bucket).key(LAYOUT.indexKey(tenant, HOUR)))
                  .asByteArray());
      assertThat(index.files())
          .containsExactly(
              new TraceIdIndex.FileRef(
                  file.key().substring(file.key().lastIndexOf('/') + 1), file.size()));
    }
    assertEachSpanOnce(sample);
    // a second run finds nothing to do
    assertThat(compactor(128L << 20, (s, f) -> {}).compactAll().hoursCompacted()).isZero();
  }

  @ParameterizedTest
  @EnumSource(Step.class)
  void readersSeeEachSpanOnce_whenCompactionCrashesAfter(Step crashAt) throws Exception {
    newArchive();
    String tenant = UniqueNames.unique("crash");
    List<AssembledTrace> sample = new ArrayList<>();
    for (int roll = 0; roll < 12; roll++) {
      sample.add(batch(tenant, 5).get(roll % 5));
    }
    // an earlier compaction into several small files, then late rolls into the same hour
    compactor(16 << 10, (s, f) -> {}).compactHour(tenant, HOUR);
    assertThat(hourObjects(tenant).dataFiles().size()).isGreaterThan(1);
    for (int roll = 0; roll < 4; roll++) {
      sample.add(batch(tenant, 5).get(0));
    }
    assertEachSpanOnce(sample);

    ArchiveCompactor crashing =
        compactor(
            16 << 10,
            (step, folder) -> {
              if (step == crashAt) {
                throw new IOException("injected crash after " + step);
              }
            });
    assertThatThrownBy(() -> crashing.compactHour(tenant, HOUR))
        .hasMessageContaining("injected crash after " + crashAt);

    // the state the crash left
    assertEachSpanOnce(sample);

    // the next run finishes (or redoes) the work
    compactor(16 << 10, (s, f) -> {}).compactHour(tenant, HOUR);
    assertEachSpanOnce(sample);
    ArchiveHours.HourObjects after = hourObjects(tenant);
    assertThat(after.manifests()).hasSize(1);
    String id = after.manifests().firstKey();
    assertThat(after.dataFiles().keySet())
        .allSatisfy(n -> assertThat(n).startsWith("c-" + id + "-"));
  }

  @Test
  void aRollTheSinkWritesAgainAfterCompaction_staysHidden_andTheNextRunDeletesIt()
      throws Exception {
    newArchive();
    String tenant = UniqueNames.unique("rewrite");
    List<AssembledTrace> sample = new ArrayList<>();
    for (int roll = 0; roll < 5; roll++) {
      sample.add(batch(tenant, 4).get(0));
    }
    String firstRoll = hourObjects(tenant).dataFiles().keySet().iterator().next();
    S3Object original = hourObjects(tenant).dataFiles().get(firstRoll);
    byte[] bytes = s3.getObjectAsBytes(g -> g.bucket(bucket).key(original.key())).asByteArray();
    compactor(128L << 20, (s, f) -> {}).compactHour(tenant, HOUR);
    assertThat(hourObjects(tenant).dataFiles()).doesNotContainKey(firstRoll);

    // a sink that crashed before committing writes the same roll again under the same key
    s3.putObject(
        p -> p.bucket(bucket).key(original.key()),
        software.amazon.awssdk.core.sync.RequestBody.fromBytes(bytes));
    assertThat(hourObjects(tenant).dataFiles()).containsKey(firstRoll);
    assertEachSpanOnce(sample);

    // more late rolls and another compaction: the rewritten roll stays replaced, and goes
    for (int roll = 0; roll < 2; roll++) {
      sample.add(batch(tenant, 4).get(0));
    }
    compactor(128L << 20, (s, f) -> {}).compactHour(tenant, HOUR);
    assertEachSpanOnce(sample);
    assertThat(hourObjects(tenant).dataFiles()).hasSize(1).doesNotContainKey(firstRoll);
  }

  @Test
  void findsATraceInAFileWhoseIndexEntryWasLost_andOpensOnlyTheHoldingFileOtherwise()
      throws Exception {
    newArchive();
    String tenant = UniqueNames.unique("index");
    List<AssembledTrace> first = new ArrayList<>();
    for (int roll = 0; roll < 8; roll++) {
      first.addAll(batch(tenant, 3));
    }
    byte[] indexBefore =
        s3.getObjectAsBytes(g -> g.bucket(bucket).key(LAYOUT.indexKey(tenant, HOUR))).asByteArray();
    AssembledTrace last = batch(tenant, 3).get(1);
    ColdTraceReader reader = new ColdTraceReader(s3, bucket, LAYOUT, 1000);
    long from = TraceBuilder.START - Duration.ofDays(30).toNanos();
    long to = TraceBuilder.START + Duration.ofHours(1).toNanos();

    ColdTraceReader.ColdTrace indexed = reader.find(tenant, first.get(4).traceId(), from, to);
    assertThat(indexed.spans()).containsExactlyInAnyOrderElementsOf(first.get(4).spans());
    assertThat(indexed.filesListed()).isEqualTo(9);
    assertThat(indexed.filesOpened()).isEqualTo(1);
    assertThat(indexed.indexGets()).isEqualTo(1);

    // a crash between the last upload and its index update: the index misses the last file
    s3.putObject(
        p -> p.bucket(bucket).key(LAYOUT.indexKey(tenant, HOUR)),
        software.amazon.awssdk.core.sync.RequestBody.fromBytes(indexBefore));
    ColdTraceReader.ColdTrace uncovered = reader.find(tenant, last.traceId(), from, to);
    assertThat(uncovered.spans()).containsExactlyInAnyOrderElementsOf(last.spans());
    assertThat(uncovered.filesOpened()).isEqualTo(1);

    // a trace in a covered file: the index names it, the uncovered file is opened too
    ColdTraceReader.ColdTrace both = reader.find(tenant, first.get(0).traceId(), from, to);
    assertThat(both.spans()).containsExactlyInAnyOrderElementsOf(first.get(0).spans());
    assertThat(both.filesOpened()).isEqualTo(2);

    // no index at all: every file is opened, the trace still found
    s3.deleteObject(d -> d.bucket(bucket).key(LAYOUT.indexKey(tenant, HOUR)));
    ColdTraceReader.ColdTrace none = reader.find(tenant, first.get(7).traceId(), from, to);
    assertThat(none.spans()).containsExactlyInAnyOrderElementsOf(first.get(7).spans());
    assertThat(none.filesOpened()).isEqualTo(9);
    assertThat(none.indexGets()).isZero();
  }
}
