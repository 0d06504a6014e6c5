package io.spanline.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.spanline.localinfra.s3.LocalS3;
import io.spanline.storage.SummaryQuery;
import io.spanline.storage.TimeRange;
import io.spanline.storage.TraceQuery;
import io.spanline.storage.archive.ArchiveLayout;
import io.spanline.storage.archive.ArchiveTraceSearch;
import io.spanline.storage.archive.ArchiveWriter;
import io.spanline.storage.archive.S3Clients;
import io.spanline.storage.archive.S3Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Cold search over the Parquet archive ({@link ArchiveTraceSearch}): latency (p50, p99) and bytes
 * fetched as a share of the bytes stored in the searched range, for one day and for seven days of
 * archive of one tenant. The archive is written as {@link ArchiveLookupBench} writes it (the
 * workload's traces, {@code rolls} sink files per hour, through {@link ArchiveWriter} into a
 * filesystem-backed S3Proxy in this JVM, over loopback). Four searches, limit 20, bounds high
 * enough that every answer is complete: a common summary search (service and failed traces), a
 * Jaeger-style span duration search, a rare attribute value (every file read, attribute columns
 * included) and a service that does not exist (every row group pruned by its dictionary). Run:
 * {@code ./mvnw -q -o -pl bench -am compile dependency:build-classpath
 * -Dmdep.outputFile=/tmp/cp.txt} then {@code java -cp bench/target/classes:$(cat /tmp/cp.txt)
 * io.spanline.bench.ArchiveSearchBench [days (7)] [rolls per hour (2)] [rounds (30)] [export
 * requests of 512 spans per roll (1)]}.
 */
public final class ArchiveSearchBench {
  private static final String BUCKET = "bench-search";
  private static final String TENANT = "default";

  private ArchiveSearchBench() {}

  public static void main(String[] args) throws Exception {
    int days = args.length > 0 ? Integer.parseInt(args[0]) : 7;
    int rollsPerHour = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
    int requestsPerRoll = args.length > 3 ? Integer.parseInt(args[3]) : 1;
    BenchFiles.inTempFolder(
        "spanline-search-bench", dir -> run(dir, days, rollsPerHour, rounds, requestsPerRoll));
    System.exit(0);
  }

  /** One search to measure. */
  private interface Search {
    ArchiveTraceSearch.Result<?> run(ArchiveTraceSearch search, long from, long to)
        throws Exception;
  }

  private static void run(Path dir, int days, int rollsPerHour, int rounds, int requestsPerRoll)
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
      Instant now = Instant.parse("2025-12-31T01:00:00Z");
      int hours = days * 24;
      HourlyArchive.Written written =
          HourlyArchive.write(writer, TENANT, now, days, rollsPerHour, requestsPerRoll);
      System.out.printf(
          "ARCHIVE %d days, %d hours x %d rolls of %d spans: %d traces, %d spans, written in %.0f"
              + " s%n",
          days,
          hours,
          rollsPerHour,
          requestsPerRoll * Workload.SPANS_PER_REQUEST,
          written.traces(),
          written.spans(),
          written.seconds());

      ArchiveTraceSearch search =
          new ArchiveTraceSearch(
              s3,
              BUCKET,
              layout,
              new ArchiveTraceSearch.Limits(1_000_000, 1L << 40, Duration.ofMinutes(10), 8),
              new SimpleMeterRegistry());
      Map<String, Search> searches = new LinkedHashMap<>();
      searches.put(
          "summaries: service=payment, status=error",
          (s, from, to) ->
              s.findSummaries(
                  TENANT,
                  new SummaryQuery(
                      Optional.of("payment"),
                      Optional.empty(),
                      Optional.of(true),
                      Optional.empty(),
                      Optional.empty(),
                      Map.of(),
                      Optional.empty(),
                      from,
                      to,
                      20)));
      searches.put(
          "trace IDs: service=checkout, span duration >= 5.19 ms",
          (s, from, to) ->
              s.findTraceIds(
                  TENANT,
                  new TraceQuery.Builder("checkout", new TimeRange(from, to))
                      .durationMin(5_190_000L)
                      .build()));
      searches.put(
          "trace IDs: url.path=/api/cart/4242 (rare attribute)",
          (s, from, to) ->
              s.findTraceIds(
                  TENANT,
                  new TraceQuery.Builder("", new TimeRange(from, to))
                      .attribute("url.path", "/api/cart/4242")
                      .build()));
      searches.put(
          "trace IDs: service=unknown (no match)",
          (s, from, to) ->
              s.findTraceIds(
                  TENANT, new TraceQuery.Builder("unknown", new TimeRange(from, to)).build()));
      long to = now.getEpochSecond() * 1_000_000_000L;
      for (int rangeDays : new int[] {1, days}) {
        long from = to - Duration.ofDays(rangeDays).toNanos();
        for (Map.Entry<String, Search> e : searches.entrySet()) {
          measure(rangeDays, e.getKey(), e.getValue(), search, from, to, rounds);
        }
      }
    }
  }

  private static void measure(
      int rangeDays,
      String name,
      Search s,
      ArchiveTraceSearch search,
      long from,
      long to,
      int rounds)
      throws Exception {
    s.run(search, from, to); // warm-up
    double[] ms = new double[rounds];
    ArchiveTraceSearch.Result<?> last = null;
    for (int i = 0; i < rounds; i++) {
      long t0 = System.nanoTime();
      last = s.run(search, from, to);
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(ms);
    ArchiveTraceSearch.Stats st = last.stats();
    System.out.printf(
        "RESULT %d day(s) | %s: p50 %.0f ms, p99 %.0f ms (%d rounds); %d found, partial %s;"
            + " files read %d of %d; fetched %d of %d bytes stored (%.2f %%) in %d ranged GETs,"
            + " %d listings%n",
        rangeDays,
        name,
        ms[(rounds - 1) / 2],
        ms[Math.min(rounds - 1, (int) Math.ceil(rounds * 0.99) - 1)],
        rounds,
        last.items().size(),
        last.partial(),
        st.filesRead(),
        st.filesListed(),
        st.bytesFetched(),
        st.bytesStored(),
        100 * st.fetchedShare(),
        st.requests(),
        st.lists());
  }
}
