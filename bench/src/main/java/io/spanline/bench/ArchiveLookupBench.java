package io.spanline.bench;

import io.spanline.localinfra.s3.LocalS3;
import io.spanline.schemas.model.TraceId;
import io.spanline.storage.archive.ArchiveCompactor;
import io.spanline.storage.archive.ArchiveLayout;
import io.spanline.storage.archive.ArchiveWriter;
import io.spanline.storage.archive.ColdTraceReader;
import io.spanline.storage.archive.S3Clients;
import io.spanline.storage.archive.S3Settings;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Optional;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Trace by ID at any age: the cost of a lookup without a time range (the query service's default
 * range, the whole 30-day cold retention) in an archive of 30 days × 24 hours of one tenant, each
 * hour written as {@code files} sink rolls (with the hour trace-ID index the sink writes), then
 * again after compaction (one file per hour). S3Proxy, filesystem-backed, in this JVM; the client
 * talks HTTP to it over loopback, so latencies are those of a local store (no network round trip
 * beyond loopback). Reports S3 requests by kind and latency for a trace in the oldest hour, in the
 * newest, and an unknown one, with a cold and a warm index cache, and for comparison the same
 * lookups ignoring the indexes (every file's footer and bloom filter). Run: {@code ./mvnw -q -o -pl
 * bench -am compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt} then {@code java -cp
 * bench/target/classes:$(cat /tmp/cp.txt) io.spanline.bench.ArchiveLookupBench [days (30)]
 * [requests per roll (1, ~20 traces)] [rolls per hour (3)]}.
 */
public final class ArchiveLookupBench {
  private static final String BUCKET = "bench-lookup";
  private static final String TENANT = "default";

  private ArchiveLookupBench() {}

  public static void main(String[] args) throws Exception {
    int days = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    int requestsPerRoll = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    int rollsPerHour = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    BenchFiles.inTempFolder(
        "spanline-lookup-bench", dir -> run(dir, days, requestsPerRoll, rollsPerHour));
    System.exit(0);
  }

  private static void run(Path dir, int days, int requestsPerRoll, int rollsPerHour)
      throws Exception {
    try (LocalS3 server = LocalS3.startFilesystem(dir.resolve("s3"), 0);
        S3Client s3 =
            S3Clients.create(
                new S3Settings(
                    Optional.of(server.endpoint()),
                    LocalS3.REGION,
                    true,
                    LocalS3.ACCESS_KEY,
                    LocalS3.SECRET_KEY))) {
      s3.createBucket(b -> b.bucket(BUCKET));
      ArchiveLayout layout = new ArchiveLayout("spans");
      ArchiveWriter writer =
          ArchiveWriter.toS3(
              s3, BUCKET, layout, 64L << 20, 16L << 20, 8L << 20, 64 << 10, dir.resolve("work"));
      // the archive ends an hour before "now"; the lookups cover the 30 days up to now
      Instant now = Instant.parse("2025-12-31T01:00:00Z");
      int hours = days * 24;
      HourlyArchive.Written written =
          HourlyArchive.write(writer, TENANT, now, days, rollsPerHour, requestsPerRoll);
      System.out.printf(
          "ARCHIVE %d days, %d hours x %d rolls: %d traces, %d spans, written in %.0f s%n",
          days, hours, rollsPerHour, written.traces(), written.spans(), written.seconds());
      long to = now.getEpochSecond() * 1_000_000_000L;
      long from = to - Duration.ofDays(days).toNanos();
      TraceId unknown = TraceId.fromHex("0123456789abcdef0123456789abcdef");
      lookups(
          "sink files + hour index",
          s3,
          layout,
          from,
          to,
          written.oldest(),
          written.newest(),
          unknown);

      long compactStart = System.nanoTime();
      ArchiveCompactor.Result compacted =
          new ArchiveCompactor(
                  s3,
                  BUCKET,
                  layout,
                  new ArchiveCompactor.Settings(
                      128L << 20,
                      8L << 20,
                      64 << 10,
                      64L << 20,
                      16L << 20,
                      dir.resolve("compaction"),
                      Duration.ofMinutes(15)),
                  Clock.fixed(now.plus(Duration.ofHours(2)), ZoneOffset.UTC),
                  (step, folder) -> {},
                  n -> {},
                  () -> {})
              .compactAll();
      System.out.printf(
          "COMPACTION %d hours, %d files into %d, %.0f s%n",
          compacted.hoursCompacted(),
          compacted.filesReplaced(),
          compacted.filesWritten(),
          (System.nanoTime() - compactStart) / 1e9);
      lookups(
          "compacted + hour index",
          s3,
          layout,
          from,
          to,
          written.oldest(),
          written.newest(),
          unknown);
    }
  }

  private static void lookups(
      String archive,
      S3Client s3,
      ArchiveLayout layout,
      long from,
      long to,
      TraceId oldest,
      TraceId newest,
      TraceId unknown)
      throws Exception {
    ColdTraceReader reader = new ColdTraceReader(s3, BUCKET, layout, 10_000);
    ColdTraceReader noIndex = reader.withoutIndex();
    for (String[] c :
        new String[][] {
          {"oldest hour", oldest.toHex()},
          {"newest hour", newest.toHex()},
          {"unknown", unknown.toHex()}
        }) {
      TraceId id = TraceId.fromHex(c[1]);
      // a fresh reader: cold index cache
      measure(
          archive,
          c[0],
          "index, cold cache",
          new ColdTraceReader(s3, BUCKET, layout, 10_000),
          id,
          from,
          to,
          1);
      measure(archive, c[0], "index, warm cache", reader, id, from, to, 5);
      measure(archive, c[0], "no index (bloom filters)", noIndex, id, from, to, 3);
    }
  }

  private static void measure(
      String archive,
      String which,
      String how,
      ColdTraceReader reader,
      TraceId id,
      long from,
      long to,
      int rounds)
      throws Exception {
    if (rounds > 1) {
      reader.find(TENANT, id, from, to); // fills the cache
    }
    double[] ms = new double[rounds];
    ColdTraceReader.ColdTrace last = null;
    for (int i = 0; i < rounds; i++) {
      long t0 = System.nanoTime();
      last = reader.find(TENANT, id, from, to);
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(ms);
    System.out.printf(
        "RESULT %s | %s | %s: %.0f ms (median of %d); found %d spans; LIST %d, index GET %d (%d"
            + " bytes), manifest GET %d, Parquet ranged GET %d (%d bytes) over %d of %d files;"
            + " %d requests%n",
        archive,
        which,
        how,
        ms[rounds / 2],
        rounds,
        last.spans().size(),
        last.lists(),
        last.indexGets(),
        last.indexBytes(),
        last.manifestGets(),
        last.requests(),
        last.bytesFetched(),
        last.filesOpened(),
        last.filesListed(),
        last.totalRequests());
  }
}
