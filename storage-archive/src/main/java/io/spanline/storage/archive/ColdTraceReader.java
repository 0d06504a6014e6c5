package io.spanline.storage.archive;

import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.TraceId;
import io.spanline.storage.archive.internal.parquet.SpanRows;
import io.spanline.storage.archive.internal.s3.S3InputFile;
import java.io.IOException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroReadSupport;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.filter2.predicate.FilterApi;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.api.Binary;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Finds one trace in the Parquet archive: lists only the tenant's folders within the time range
 * (partition pruning: one listing per hour folder for ranges of up to 3 hours, else one per day
 * folder, in parallel), resolves each hour's visible files (compaction manifests, see {@link
 * ArchiveCompactor}), reads each hour's trace-ID index ({@link ArchiveLayout#INDEX_NAME}, cached by
 * key and ETag, in parallel) to keep only the files that hold the trace, plus every visible file
 * the index does not cover (written after it, or whose index update was lost in a crash); in each
 * file left the Parquet reader skips row groups by their trace ID statistics and bloom filter and
 * pages by the column index, reading just the {@code trace_id}, {@code fragment} and {@code otlp}
 * columns of what is left with ranged GETs. Spans of every fragment found are returned together, at
 * most {@code maxSpans} of them.
 *
 * <p>Thread-safe; the S3 client is shared, not closed. S3 requests of one lookup run on a pool of
 * {@code parallelism} daemon threads shared by all lookups of this reader.
 */
public final class ColdTraceReader {
  private static final Schema PROJECTION =
      SchemaBuilder.record("SpanRow")
          .namespace("io.spanline.archive")
          .fields()
          .requiredString("trace_id")
          .requiredInt("fragment")
          .requiredBytes("otlp")
          .endRecord();

  /** The footer (with the Avro schema parquet-avro keeps there) fits in this many bytes. */
  private static final int TAIL_FETCH = 16 * 1024;

  /** Default bound on a reader's parallel S3 requests. */
  public static final int DEFAULT_PARALLELISM = 8;

  /** Default bound on the cached hour indexes, bytes (an estimate of their size in memory). */
  public static final long DEFAULT_INDEX_CACHE_BYTES = 64L << 20;

  private final S3Client s3;
  private final String bucket;
  private final ArchiveLayout layout;
  private final int maxSpans;
  private final ArchiveHours hours;
  private final ExecutorService executor;
  private final boolean useIndex;

  /**
   * A reader with {@link #DEFAULT_PARALLELISM} and {@link #DEFAULT_INDEX_CACHE_BYTES}.
   *
   * @param maxSpans most spans returned for one trace; past it the result says it is truncated
   */
  public ColdTraceReader(S3Client s3, String bucket, ArchiveLayout layout, int maxSpans) {
    this(s3, bucket, layout, maxSpans, DEFAULT_PARALLELISM, DEFAULT_INDEX_CACHE_BYTES);
  }

  /**
   * @param maxSpans most spans returned for one trace; past it the result says it is truncated
   * @param parallelism most S3 requests (listings, index GETs, file reads) in flight at once
   * @param indexCacheBytes bound on the hour indexes kept in memory, bytes
   * @throws IllegalArgumentException if a bound is below 1 (0 for the cache)
   */
  public ColdTraceReader(
      S3Client s3,
      String bucket,
      ArchiveLayout layout,
      int maxSpans,
      int parallelism,
      long indexCacheBytes) {
    this(s3, bucket, layout, maxSpans, parallelism, indexCacheBytes, true);
  }

  private ColdTraceReader(
      S3Client s3,
      String bucket,
      ArchiveLayout layout,
      int maxSpans,
      int parallelism,
      long indexCacheBytes,
      boolean useIndex) {
    if (maxSpans < 1) {
      throw new IllegalArgumentException("maxSpans must be >= 1, was " + maxSpans);
    }
    if (parallelism < 1 || indexCacheBytes < 0) {
      throw new IllegalArgumentException(
          "parallelism must be >= 1 and indexCacheBytes >= 0, were "
              + parallelism
              + " and "
              + indexCacheBytes);
    }
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.bucket = Objects.requireNonNull(bucket, "bucket");
    this.layout = Objects.requireNonNull(layout, "layout");
    this.maxSpans = maxSpans;
    this.hours = new ArchiveHours(s3, bucket, layout, indexCacheBytes);
    this.useIndex = useIndex;
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            parallelism,
            parallelism,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "spanline-cold-reader");
              t.setDaemon(true);
              return t;
            });
    pool.allowCoreThreadTimeOut(true); // an idle reader holds no threads
    this.executor = pool;
  }

  /**
   * A reader like this one that ignores the hour indexes and opens every visible file of the range
   * (its footer and bloom filter), for comparisons.
   */
  public ColdTraceReader withoutIndex() {
    return new ColdTraceReader(s3, bucket, layout, maxSpans, DEFAULT_PARALLELISM, 0, false);
  }

  /**
   * What a lookup found and what it cost.
   *
   * @param spans the trace's spans over all fragments found, by start time; empty when the archive
   *     does not hold the trace in that range
   * @param truncated true when the trace has more than {@code maxSpans} spans (the rest left out)
   * @param filesListed visible Parquet files in the hour folders of the range
   * @param bytesFetched bytes read from S3 by ranged GETs of Parquet files
   * @param requests ranged GETs of Parquet files made
   * @param filesOpened Parquet files opened (those the hour indexes name, plus the ones they do not
   *     cover)
   * @param lists listing requests (pages)
   * @param indexGets hour-index GETs (not cached)
   * @param indexBytes bytes of those index GETs
   * @param manifestGets compaction-manifest GETs (not cached)
   */
  public record ColdTrace(
      List<Span> spans,
      boolean truncated,
      int filesListed,
      long bytesFetched,
      long requests,
      int filesOpened,
      long lists,
      long indexGets,
      long indexBytes,
      long manifestGets) {
    public boolean found() {
      return !spans.isEmpty();
    }

    /** Every S3 request of the lookup: listings, index and manifest GETs, ranged GETs. */
    public long totalRequests() {
      return lists + indexGets + manifestGets + requests;
    }
  }

  /**
   * @param fromEpochNanos start of the range the trace started in (epoch nanoseconds); late
   *     fragments are found when the range covers their start too
   * @param toEpochNanos end of the range, inclusive
   * @throws IOException if S3 cannot be read or a file is not valid Parquet
   * @throws IllegalArgumentException if from is after to or the range exceeds 366 days
   */
  public ColdTrace find(String tenant, TraceId traceId, long fromEpochNanos, long toEpochNanos)
      throws IOException {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(traceId, "traceId");
    layout.hourFolders(tenant, fromEpochNanos, toEpochNanos); // validates the range
    LocalDateTime first = ArchiveLayout.hourOf(fromEpochNanos);
    LocalDateTime last = ArchiveLayout.hourOf(toEpochNanos);
    String hex = traceId.toHex();
    LongAdder fetched = new LongAdder();
    LongAdder requests = new LongAdder();
    ArchiveHours.Cost cost = new ArchiveHours.Cost();
    try {
      Map<String, ArchiveHours.HourObjects> listed =
          hours.listHours(tenant, first, last, executor, cost);
      List<CompletableFuture<ArchiveHours.HourView>> views = new ArrayList<>();
      for (ArchiveHours.HourObjects hour : listed.values()) {
        if (hour.dataFiles().isEmpty()) {
          continue;
        }
        views.add(
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return hours.view(hour, useIndex, cost);
                  } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                },
                executor));
      }
      int files = 0;
      List<S3Object> candidates = new ArrayList<>();
      for (CompletableFuture<ArchiveHours.HourView> v : views) {
        ArchiveHours.HourView view = ArchiveHours.join(v);
        files += view.visible().size();
        candidates.addAll(view.candidates(hex));
      }
      FilterCompat.Filter filter =
          FilterCompat.get(
              FilterApi.eq(FilterApi.binaryColumn("trace_id"), Binary.fromString(hex)));
      List<CompletableFuture<List<Span>>> reads = new ArrayList<>();
      for (S3Object object : candidates) {
        reads.add(
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return read(object, filter, fetched, requests);
                  } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                },
                executor));
      }
      Map<Long, Span> bySpanId = new LinkedHashMap<>();
      boolean truncated = false;
      for (CompletableFuture<List<Span>> r : reads) {
        for (Span span : ArchiveHours.join(r)) {
          if (bySpanId.size() >= maxSpans && !bySpanId.containsKey(span.spanId().value())) {
            truncated = true;
            continue;
          }
          bySpanId.putIfAbsent(span.spanId().value(), span);
        }
      }
      List<Span> spans = new ArrayList<>(bySpanId.values());
      spans.sort(Comparator.comparingLong(Span::startEpochNanos));
      return new ColdTrace(
          spans,
          truncated,
          files,
          fetched.sum(),
          requests.sum(),
          candidates.size(),
          cost.lists.sum(),
          cost.indexGets.sum(),
          cost.indexBytes.sum(),
          cost.manifestGets.sum());
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private List<Span> read(
      S3Object object, FilterCompat.Filter filter, LongAdder fetched, LongAdder requests)
      throws IOException {
    PlainParquetConfiguration conf = new PlainParquetConfiguration();
    conf.set(AvroReadSupport.AVRO_REQUESTED_PROJECTION, PROJECTION.toString());
    S3InputFile file =
        new S3InputFile(s3, bucket, object.key(), object.size(), TAIL_FETCH, fetched, requests);
    List<Span> spans = new ArrayList<>();
    try (ParquetReader<GenericRecord> reader =
        AvroParquetReader.<GenericRecord>builder(file).withConf(conf).withFilter(filter).build()) {
      for (GenericRecord row = reader.read(); row != null; row = reader.read()) {
        if (spans.size() > maxSpans) {
          break;
        }
        spans.add(SpanRows.span(row));
      }
    }
    return spans;
  }
}
