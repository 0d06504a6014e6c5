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
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A re-sampling generation's archive against a real S3-compatible server (S3Proxy): written under
 * its own prefix, promotion replaces the live hours of its days with its own (hours its policy
 * emptied are emptied, other days untouched), a promotion crashed after any step of an hour leaves
 * every hour either old or new for readers and finishes when run again, and a generation not
 * complete cannot be promoted while one not promoted can be discarded.
 */
@ExtendWith(LocalInfraExtension.class)
class ArchiveGenerationsIT {
  private static final ArchiveLayout LIVE = new ArchiveLayout("spans");
  private static final ArchiveLayout GEN = ArchiveGenerations.layout(LIVE, "strict");

  /** The hour the fixtures' traces start in (TraceBuilder.START is 2025-11-22T08:26:40Z). */
  private static final LocalDateTime HOUR = ArchiveLayout.hourOf(TraceBuilder.START);

  private static final LocalDate DAY = HOUR.toLocalDate();

  private static S3Client s3;

  private final AtomicLong offsets = new AtomicLong();
  private String bucket;
  private Path work;

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
    bucket = UniqueNames.unique("generations");
    s3.createBucket(b -> b.bucket(bucket));
    work = Files.createTempDirectory("archive-generations");
  }

  private static AssembledTrace trace(String tenant, Duration shift) {
    return TraceBuilder.trace()
        .tenant(tenant)
        .shiftedBy(shift)
        .root("frontend", "GET /", 100)
        .child("backend", "query", 40)
        .build();
  }

  /** Writes {@code traces} as one sink roll into {@code layout}. */
  private void roll(ArchiveLayout layout, List<AssembledTrace> traces) throws IOException {
    ArchiveWriter writer =
        new ArchiveWriter(
            new ParquetTraceWriter(64 << 10, 8 << 10),
            new S3Uploader(s3, bucket, 64L << 20, 16L << 20),
            layout,
            work.resolve("writer"));
    long first = offsets.getAndAdd(traces.size());
    writer.write(
        0,
        first,
        first + traces.size() - 1,
        traces.stream().map(t -> new ArchiveFixtures.Kept(ArchiveFixtures.kept(t, "all"))).toList(),
        (b, r, t) -> {});
  }

  private ArchiveGenerations generations(ArchiveCompactor.StepHook hook) {
    return new ArchiveGenerations(
        s3,
        bucket,
        LIVE,
        new ArchiveCompactor.Settings(
            128L << 20,
            64 << 10,
            8 << 10,
            64L << 20,
            16L << 20,
            work.resolve("promotion"),
            Duration.ofMinutes(10)),
        Clock.fixed(Instant.parse("2025-11-30T12:00:00Z"), ZoneOffset.UTC),
        hook);
  }

  /** Span IDs in the visible files of a tenant's hour of the live layout. */
  private List<String> visibleSpans(String tenant, LocalDateTime hour) throws IOException {
    ArchiveHours hours = new ArchiveHours(s3, bucket, LIVE, 0);
    String folder = LIVE.hourFolder(tenant, hour);
    ArchiveHours.HourObjects objects =
        ArchiveHours.group(hours.list(folder, new ArchiveHours.Cost()), List.of(folder))
            .get(folder);
    List<String> spans = new ArrayList<>();
    for (S3Object o : hours.visible(objects, new ArchiveHours.Cost()).values()) {
      try (ParquetReader<GenericRecord> reader =
          AvroParquetReader.<GenericRecord>builder(
                  new S3InputFile(
                      s3, bucket, o.key(), o.size(), 16 << 10, new LongAdder(), new LongAdder()))
              .withConf(new PlainParquetConfiguration())
              .build()) {
        for (GenericRecord r = reader.read(); r != null; r = reader.read()) {
          spans.add(r.get("span_id").toString());
        }
      }
    }
    return spans;
  }

  private static List<String> spanIds(List<AssembledTrace> traces) {
    List<String> out = new ArrayList<>();
    for (AssembledTrace t : traces) {
      for (Span s : t.spans()) {
        out.add(s.spanId().toHex());
      }
    }
    return out;
  }

  private static List<String> sorted(List<String> ids) {
    return ids.stream().sorted().toList();
  }

  private List<String> keysUnder(String prefix) {
    return s3.listObjectsV2Paginator(l -> l.bucket(bucket).prefix(prefix)).contents().stream()
        .map(S3Object::key)
        .toList();
  }

  /** The spans the cold reader finds for the trace, by trace ID. */
  private List<Span> find(AssembledTrace t) throws IOException {
    return new ColdTraceReader(s3, bucket, LIVE, 1000)
        .find(
            t.tenant(),
            t.traceId(),
            TraceBuilder.START - Duration.ofDays(2).toNanos(),
            TraceBuilder.START + Duration.ofDays(2).toNanos())
        .spans();
  }

  /** The live archive of one day and the next, and a generation keeping a part of the first. */
  private record Archive(
      String acme,
      String beta,
      List<AssembledTrace> acmeLive,
      List<AssembledTrace> acmeKept,
      List<AssembledTrace> betaLive,
      AssembledTrace nextDay) {}

  private Archive liveAndGeneration() throws IOException {
    String acme = UniqueNames.unique("acme");
    String beta = UniqueNames.unique("beta");
    List<AssembledTrace> acmeLive = new ArrayList<>();
    for (int roll = 0; roll < 3; roll++) {
      List<AssembledTrace> batch = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        batch.add(trace(acme, Duration.ofSeconds(60L * (roll * 2 + i))));
      }
      roll(LIVE, batch);
      acmeLive.addAll(batch);
    }
    List<AssembledTrace> betaLive =
        List.of(trace(beta, Duration.ofSeconds(5)), trace(beta, Duration.ofSeconds(7)));
    roll(LIVE, betaLive);
    AssembledTrace nextDay = trace(acme, Duration.ofDays(1));
    roll(LIVE, List.of(nextDay));
    // the generation's policy keeps every other acme trace and none of beta's
    List<AssembledTrace> acmeKept = List.of(acmeLive.get(0), acmeLive.get(2), acmeLive.get(4));
    roll(GEN, acmeKept);
    return new Archive(acme, beta, acmeLive, acmeKept, betaLive, nextDay);
  }

  @Test
  void promotionReplacesTheLiveHoursOfItsDays_andEmptiesWhatItsPolicyDropped() throws Exception {
    newArchive();
    Archive a = liveAndGeneration();
    ArchiveGenerations generations = generations((s, f) -> {});
    // the generation is invisible to the live readers before promotion
    assertThat(visibleSpans(a.acme(), HOUR))
        .containsExactlyInAnyOrderElementsOf(spanIds(a.acmeLive()));
    assertThat(generations.state("strict")).isEqualTo(ArchiveGenerations.State.INCOMPLETE);
    generations.markComplete("strict");
    assertThat(generations.state("strict")).isEqualTo(ArchiveGenerations.State.COMPLETE);

    ArchiveGenerations.Promotion p = generations.promote("strict", DAY, DAY);

    assertThat(p.hoursReplaced()).isEqualTo(2);
    assertThat(p.filesReplaced()).isEqualTo(4);
    assertThat(visibleSpans(a.acme(), HOUR))
        .containsExactlyInAnyOrderElementsOf(spanIds(a.acmeKept()));
    assertThat(visibleSpans(a.beta(), HOUR)).isEmpty();
    assertThat(find(a.acmeLive().get(1))).isEmpty();
    assertThat(find(a.betaLive().get(0))).isEmpty();
    assertThat(find(a.acmeKept().get(1)))
        .containsExactlyInAnyOrderElementsOf(a.acmeKept().get(1).spans());
    // the day after the generation's days is untouched
    assertThat(find(a.nextDay())).containsExactlyInAnyOrderElementsOf(a.nextDay().spans());
    assertThat(visibleSpans(a.acme(), HOUR.plusDays(1)))
        .containsExactlyInAnyOrderElementsOf(spanIds(List.of(a.nextDay())));
    // the generation's files are gone, its markers stay
    assertThat(keysUnder(GEN.root()))
        .containsExactlyInAnyOrder(
            GEN.root() + ArchiveGenerations.COMPLETE_MARKER,
            GEN.root() + ArchiveGenerations.PROMOTED_MARKER);
    assertThat(generations.state("strict")).isEqualTo(ArchiveGenerations.State.PROMOTED);
    assertThat(keysUnder(LIVE.hourFolder(a.acme(), HOUR)))
        .allSatisfy(k -> assertThat(k).doesNotEndWith("0-0-1.parquet"));

    // promoting again changes nothing
    ArchiveGenerations.Promotion again = generations.promote("strict", DAY, DAY);
    assertThat(again.hoursReplaced()).isZero();
    assertThat(visibleSpans(a.acme(), HOUR))
        .containsExactlyInAnyOrderElementsOf(spanIds(a.acmeKept()));
    assertThatThrownBy(() -> generations.discard("strict"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("promoted");
  }

  @ParameterizedTest
  @EnumSource(Step.class)
  void aPromotionCrashedAfterAnyStep_leavesEachHourOldOrNew_andFinishesWhenRunAgain(Step crashAt)
      throws Exception {
    newArchive();
    Archive a = liveAndGeneration();
    ArchiveGenerations crashing =
        generations(
            (step, folder) -> {
              if (step == crashAt) {
                throw new IOException("injected crash after " + step + " in " + folder);
              }
            });
    crashing.markComplete("strict");
    assertThatThrownBy(() -> crashing.promote("strict", DAY, DAY))
        .hasMessageContaining("injected crash after " + crashAt);

    // each hour as readers see it is the live one or the generation's, never a mix
    assertThat(sorted(visibleSpans(a.acme(), HOUR)))
        .isIn(sorted(spanIds(a.acmeLive())), sorted(spanIds(a.acmeKept())));
    assertThat(sorted(visibleSpans(a.beta(), HOUR))).isIn(sorted(spanIds(a.betaLive())), List.of());
    assertThat(crashing.state("strict")).isEqualTo(ArchiveGenerations.State.COMPLETE);

    generations((s, f) -> {}).promote("strict", DAY, DAY);

    assertThat(visibleSpans(a.acme(), HOUR))
        .containsExactlyInAnyOrderElementsOf(spanIds(a.acmeKept()));
    assertThat(visibleSpans(a.beta(), HOUR)).isEmpty();
    assertThat(find(a.acmeKept().get(2)))
        .containsExactlyInAnyOrderElementsOf(a.acmeKept().get(2).spans());
    assertThat(find(a.acmeLive().get(3))).isEmpty();
    ArchiveHours.HourObjects objects =
        ArchiveHours.group(
                new ArchiveHours(s3, bucket, LIVE, 0)
                    .list(LIVE.hourFolder(a.acme(), HOUR), new ArchiveHours.Cost()),
                List.of(LIVE.hourFolder(a.acme(), HOUR)))
            .get(LIVE.hourFolder(a.acme(), HOUR));
    assertThat(objects.manifests()).hasSize(1);
    assertThat(objects.dataFiles()).hasSize(1);
  }

  @Test
  void anIncompleteGenerationCannotBePromoted_andDiscardLeavesTheLiveArchiveAlone()
      throws Exception {
    newArchive();
    Archive a = liveAndGeneration();
    ArchiveGenerations generations = generations((s, f) -> {});
    assertThat(generations.state("other")).isEqualTo(ArchiveGenerations.State.ABSENT);

    assertThatThrownBy(() -> generations.promote("strict", DAY, DAY))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not complete");
    assertThatThrownBy(() -> generations.promote("other", DAY, DAY))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("absent");

    assertThat(generations.discard("strict")).isPositive();
    assertThat(keysUnder(GEN.root())).isEmpty();
    assertThat(generations.state("strict")).isEqualTo(ArchiveGenerations.State.ABSENT);
    assertThat(visibleSpans(a.acme(), HOUR))
        .containsExactlyInAnyOrderElementsOf(spanIds(a.acmeLive()));
    assertThat(visibleSpans(a.beta(), HOUR))
        .containsExactlyInAnyOrderElementsOf(spanIds(a.betaLive()));
    assertThatThrownBy(() -> ArchiveGenerations.layout(LIVE, "Bad/Name"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(ArchiveGenerations.layout(LIVE, "strict").root()).isEqualTo("spans-gen-strict/");
    assertThat(ArchiveGenerations.layout(new ArchiveLayout(""), "strict").root())
        .isEqualTo("gen-strict/");
  }
}
