package io.spanline.storage.archive;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.spanline.schemas.model.TraceId;
import io.spanline.storage.FoundSummary;
import io.spanline.storage.SpanCondition;
import io.spanline.storage.SummaryQuery;
import io.spanline.storage.TimeRange;
import io.spanline.storage.TraceQuery;
import io.spanline.storage.archive.internal.parquet.SpanRows;
import io.spanline.storage.archive.internal.s3.S3InputFile;
import java.io.IOException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroReadSupport;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.filter2.predicate.FilterApi;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.api.Binary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Cold search: trace search over the Parquet archive, for time ranges past the hot retention.
 *
 * <p>A search lists only the tenant's hour folders of the range (partition pruning; one listing per
 * day folder for ranges over 3 hours), resolves each hour's visible files (compaction manifests),
 * and reads the files, newest hour first, in parallel on a bounded pool, each through ranged GETs
 * of only the columns the query needs. Every condition that Parquet can evaluate is pushed down
 * with parquet-java's filter API: service, span name, status, span or trace duration, error flag
 * and start time skip row groups by their statistics and dictionaries, pages by the column index,
 * and rows by the record filter; attribute conditions are checked on the rows left. The summaries'
 * second read selects the matching traces' rows with {@code trace_id IN (…)}, pruned by the
 * trace-ID statistics and bloom filters.
 *
 * <p>Bounded per query ({@link Limits}): at most {@code maxFiles} files opened, {@code maxBytes}
 * fetched (checked before each file, so the files in flight may overshoot it) and {@code timeout}
 * of wall time. When a bound stops the search, or a file cannot be read (counted, logged, skipped),
 * the answer holds what was found so far with {@link Result#partial} set and the reason. Files of
 * an hour older than {@code limit} traces already found in newer hours are not read at all (the
 * answer is the most recent traces), which is not partial.
 *
 * <p>What it does not do, unlike the hot search: link conditions ({@code linkedTo}, refused with
 * {@link IllegalArgumentException}); attribute values on events, links or the scope (only span and
 * resource attributes are columns); summaries and trace-level conditions (duration, error) of a
 * trace with late fragments come from the fragment that matched, not merged over fragments.
 *
 * <p>Thread-safe; the S3 client is shared, not closed.
 */
public final class ArchiveTraceSearch {
  private static final Logger LOG = LoggerFactory.getLogger(ArchiveTraceSearch.class);

  /** The footer (with the Avro schema parquet-avro keeps there) fits in this many bytes. */
  private static final int TAIL_FETCH = 16 * 1024;

  /** Columns read to build a summary from a trace's rows. */
  private static final List<String> SUMMARY_COLUMNS =
      List.of(
          "trace_id",
          "span_id",
          "parent_span_id",
          "service_name",
          "span_name",
          "status_code",
          "start_time_unix_nano",
          "end_time_unix_nano",
          "sampling_policy");

  /**
   * Bounds of one search.
   *
   * @param maxFiles most Parquet files opened by one search, at least 1
   * @param maxBytes most bytes fetched from Parquet files by one search (checked before opening
   *     each file), at least 1
   * @param timeout wall time of one search, positive
   * @param parallelism files (and listings) read at once by this searcher, at least 1
   */
  public record Limits(int maxFiles, long maxBytes, Duration timeout, int parallelism) {
    /** 1 000 files, 512 MiB, 10 s, 8 in parallel. */
    public static final Limits DEFAULT = new Limits(1000, 512L << 20, Duration.ofSeconds(10), 8);

    /**
     * @throws IllegalArgumentException naming the bound that is out of range
     */
    public Limits {
      Objects.requireNonNull(timeout, "timeout");
      if (maxFiles < 1) {
        throw new IllegalArgumentException("maxFiles must be >= 1, was " + maxFiles);
      }
      if (maxBytes < 1) {
        throw new IllegalArgumentException("maxBytes must be >= 1, was " + maxBytes);
      }
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive, was " + timeout);
      }
      if (parallelism < 1) {
        throw new IllegalArgumentException("parallelism must be >= 1, was " + parallelism);
      }
    }
  }

  /**
   * What one search cost.
   *
   * @param filesListed visible Parquet files in the tenant's hour folders of the range
   * @param bytesStored their total size, bytes
   * @param filesRead files opened and read to the end
   * @param filesUnreadable files that could not be read (not Parquet, truncated, GET failed),
   *     skipped
   * @param filesNotRead files left unread because a bound stopped the search
   * @param bytesFetched bytes of Parquet files fetched by ranged GETs (both reads of a summary
   *     search)
   * @param requests ranged GETs of Parquet files
   * @param lists listing requests (pages)
   * @param manifestGets compaction-manifest GETs
   */
  public record Stats(
      int filesListed,
      long bytesStored,
      int filesRead,
      int filesUnreadable,
      int filesNotRead,
      long bytesFetched,
      long requests,
      long lists,
      long manifestGets) {
    /** Bytes fetched as a share of the bytes stored in the range (0 when nothing is stored). */
    public double fetchedShare() {
      return bytesStored == 0 ? 0 : (double) bytesFetched / bytesStored;
    }
  }

  /**
   * A search's answer.
   *
   * @param items most recent first, at most the query's limit
   * @param partial true when a bound stopped the search or a file could not be read: traces in the
   *     files not read may be missing
   * @param partialReason why, when partial
   */
  public record Result<T>(
      List<T> items, boolean partial, Optional<String> partialReason, Stats stats) {
    public Result {
      items = List.copyOf(items);
      Objects.requireNonNull(partialReason, "partialReason");
      Objects.requireNonNull(stats, "stats");
    }
  }

  private final S3Client s3;
  private final String bucket;
  private final ArchiveHours hours;
  private final Limits limits;
  private final ExecutorService executor;
  private final MeterRegistry metrics;
  private final Counter bytesFetched;
  private final Counter filesRead;
  private final Counter filesUnreadable;

  /**
   * @param metrics gets {@code spanline_query_archive_search_seconds{outcome}} (outcome {@code
   *     complete}, {@code partial} or {@code error}), {@code
   *     spanline_query_archive_search_bytes_total} (bytes of Parquet files fetched), {@code
   *     spanline_query_archive_search_files_total} (files read) and {@code
   *     spanline_query_archive_search_unreadable_files_total} (files skipped as unreadable)
   */
  public ArchiveTraceSearch(
      S3Client s3, String bucket, ArchiveLayout layout, Limits limits, MeterRegistry metrics) {
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.bucket = Objects.requireNonNull(bucket, "bucket");
    this.hours = new ArchiveHours(s3, bucket, Objects.requireNonNull(layout, "layout"), 0);
    this.limits = Objects.requireNonNull(limits, "limits");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            limits.parallelism(),
            limits.parallelism(),
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "spanline-cold-search");
              t.setDaemon(true);
              return t;
            });
    pool.allowCoreThreadTimeOut(true); // an idle searcher holds no threads
    this.executor = pool;
    this.bytesFetched =
        Counter.builder("spanline.query.archive.search.bytes")
            .description("Bytes of Parquet files the cold search fetched")
            .register(metrics);
    this.filesRead =
        Counter.builder("spanline.query.archive.search.files")
            .description("Parquet files the cold search read")
            .register(metrics);
    this.filesUnreadable =
        Counter.builder("spanline.query.archive.search.unreadable.files")
            .description("Parquet files the cold search skipped because they could not be read")
            .register(metrics);
  }

  /**
   * IDs of the tenant's archived traces matching the query with Jaeger's semantics: every condition
   * (service, operation, status, duration of the span, attributes) on one span that started in the
   * range; the trace whose matching span started last first.
   *
   * @throws IllegalArgumentException if the query has a link condition, or its range exceeds 366
   *     days
   * @throws IOException if the archive cannot be listed
   */
  public Result<TraceId> findTraceIds(String tenant, TraceQuery query) throws IOException {
    Objects.requireNonNull(tenant, "tenant");
    if (query.linkedTo().isPresent()) {
      throw new IllegalArgumentException("the archive search does not support link conditions");
    }
    List<FilterPredicate> pushed = new ArrayList<>();
    Set<String> columns = new LinkedHashSet<>(List.of("trace_id", "start_time_unix_nano"));
    pushed.add(
        FilterApi.gtEq(FilterApi.longColumn("start_time_unix_nano"), query.startMinEpochNanos()));
    pushed.add(
        FilterApi.ltEq(FilterApi.longColumn("start_time_unix_nano"), query.startMaxEpochNanos()));
    if (!query.service().isEmpty()) {
      pushed.add(eq("service_name", query.service(), columns));
    }
    query.operation().ifPresent(o -> pushed.add(eq("span_name", o, columns)));
    query.spanStatus().ifPresent(s -> pushed.add(eq("status_code", s, columns)));
    query
        .durationMinNanos()
        .ifPresent(d -> pushed.add(FilterApi.gtEq(FilterApi.longColumn("duration_nanos"), d)));
    query
        .durationMaxNanos()
        .ifPresent(d -> pushed.add(FilterApi.ltEq(FilterApi.longColumn("duration_nanos"), d)));
    if (query.durationMinNanos().isPresent() || query.durationMaxNanos().isPresent()) {
      columns.add("duration_nanos");
    }
    Plan plan =
        new Plan(
            pushed,
            columns,
            attributes(query.attributes(), columns),
            "start_time_unix_nano",
            query.limit());
    return timed(
        () -> {
          Search s = search(tenant, plan, query.startMinEpochNanos(), query.startMaxEpochNanos());
          List<TraceId> ids = s.top().stream().map(Hit::traceId).toList();
          return s.result(ids);
        });
  }

  /**
   * IDs of the tenant's archived traces with a span that started in the range and meets the
   * condition (what TraceQL pushes down), the trace whose matching span started last first, at most
   * {@code limit}. Name, service, kind, status, IDs, duration and the root are pushed down to
   * Parquet where it can evaluate them and tested exactly on the rows read; attribute conditions
   * are tested on the span's and its resource's attributes only (not events, links or the scope;
   * arrays as a whole); link conditions hold on every span (the archive has no link columns), so
   * the caller checks them on the traces.
   *
   * @param within when present, only these traces (pushed down as {@code trace_id IN (…)})
   * @throws IllegalArgumentException if {@code limit} is below 1, or the range exceeds 366 days
   * @throws IOException if the archive cannot be listed
   */
  public Result<TraceId> findTraceIds(
      String tenant,
      SpanCondition condition,
      TimeRange range,
      int limit,
      Optional<Set<TraceId>> within)
      throws IOException {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(condition, "condition");
    Objects.requireNonNull(within, "within");
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be >= 1, was " + limit);
    }
    List<FilterPredicate> pushed = new ArrayList<>();
    Set<String> columns = new LinkedHashSet<>(List.of("trace_id", "start_time_unix_nano"));
    pushed.add(
        FilterApi.gtEq(FilterApi.longColumn("start_time_unix_nano"), range.fromEpochNanos()));
    pushed.add(FilterApi.ltEq(FilterApi.longColumn("start_time_unix_nano"), range.toEpochNanos()));
    SpanConditionRows.pushed(condition, columns).ifPresent(pushed::add);
    Predicate<GenericRecord> test = SpanConditionRows.test(condition, columns);
    if (within.isPresent()) {
      if (within.get().isEmpty()) {
        return new Result<>(
            List.of(), false, Optional.empty(), new Stats(0, 0, 0, 0, 0, 0, 0, 0, 0));
      }
      Set<Binary> ids = new HashSet<>();
      within.get().forEach(id -> ids.add(Binary.fromString(id.toHex())));
      pushed.add(FilterApi.in(FilterApi.binaryColumn("trace_id"), ids));
    }
    Plan plan = new Plan(pushed, columns, test, "start_time_unix_nano", limit);
    return timed(
        () -> {
          Search s = search(tenant, plan, range.fromEpochNanos(), range.toEpochNanos());
          return s.result(s.top().stream().map(Hit::traceId).toList());
        });
  }

  /** The pool the searches read on; {@link Limits#parallelism} threads. */
  java.util.concurrent.Executor executor() {
    return executor;
  }

  /**
   * Summaries of the tenant's archived traces matching the query with the native search's
   * semantics: the trace started in the range; service any service of the trace (with an operation,
   * of that span); operation, span status and attributes on one span; duration and error of the
   * whole trace (as the sampled trace was closed); most recent first. The trace start is compared
   * at microsecond precision (the {@code trace_start_time} column).
   *
   * @throws IllegalArgumentException if the query has a link condition, or its range exceeds 366
   *     days
   * @throws IOException if the archive cannot be listed
   */
  public Result<FoundSummary> findSummaries(String tenant, SummaryQuery query) throws IOException {
    Objects.requireNonNull(tenant, "tenant");
    if (query.linkedTo().isPresent()) {
      throw new IllegalArgumentException("the archive search does not support link conditions");
    }
    List<FilterPredicate> pushed = new ArrayList<>();
    Set<String> columns = new LinkedHashSet<>(List.of("trace_id", "trace_start_time"));
    pushed.add(
        FilterApi.gtEq(
            FilterApi.longColumn("trace_start_time"),
            Math.floorDiv(query.fromEpochNanos(), 1000L)));
    pushed.add(
        FilterApi.ltEq(
            FilterApi.longColumn("trace_start_time"), Math.floorDiv(query.toEpochNanos(), 1000L)));
    query.service().ifPresent(s -> pushed.add(eq("service_name", s, columns)));
    query.operation().ifPresent(o -> pushed.add(eq("span_name", o, columns)));
    query.spanStatus().ifPresent(s -> pushed.add(eq("status_code", s, columns)));
    query
        .error()
        .ifPresent(e -> pushed.add(FilterApi.eq(FilterApi.booleanColumn("trace_error"), e)));
    query.error().ifPresent(e -> columns.add("trace_error"));
    query
        .minDurationNanos()
        .ifPresent(
            d -> pushed.add(FilterApi.gtEq(FilterApi.longColumn("trace_duration_nanos"), d)));
    query
        .maxDurationNanos()
        .ifPresent(
            d -> pushed.add(FilterApi.ltEq(FilterApi.longColumn("trace_duration_nanos"), d)));
    if (query.minDurationNanos().isPresent() || query.maxDurationNanos().isPresent()) {
      columns.add("trace_duration_nanos");
    }
    // a trace's rows all carry its start: ordering by it orders traces by their start
    Plan plan =
        new Plan(pushed, columns, attributes(query.attributes(), columns), "trace_start_time", 0);
    Plan limited = plan.withLimit(query.limit());
    return timed(
        () -> {
          Search s = search(tenant, limited, query.fromEpochNanos(), query.toEpochNanos());
          List<FoundSummary> summaries = s.summaries();
          return s.result(summaries);
        });
  }

  private FilterPredicate eq(String column, String value, Set<String> columns) {
    columns.add(column);
    return FilterApi.eq(FilterApi.binaryColumn(column), Binary.fromString(value));
  }

  /** Attribute conditions, on the span's or its resource's attributes (values as text). */
  private static Predicate<GenericRecord> attributes(
      Map<String, String> wanted, Set<String> columns) {
    if (wanted.isEmpty()) {
      return r -> true;
    }
    columns.add("attributes");
    columns.add("resource_attributes");
    Map<String, String> copy = Map.copyOf(wanted);
    return r -> {
      Map<?, ?> span = (Map<?, ?>) r.get("attributes");
      Map<?, ?> resource = (Map<?, ?>) r.get("resource_attributes");
      for (Map.Entry<String, String> e : copy.entrySet()) {
        if (!matches(span, e) && !matches(resource, e)) {
          return false;
        }
      }
      return true;
    };
  }

  private static boolean matches(Map<?, ?> attributes, Map.Entry<String, String> wanted) {
    if (attributes == null) {
      return false;
    }
    // Avro maps read back with Utf8 keys and values
    for (Map.Entry<?, ?> a : attributes.entrySet()) {
      if (wanted.getKey().equals(String.valueOf(a.getKey()))
          && wanted.getValue().equals(String.valueOf(a.getValue()))) {
        return true;
      }
    }
    return false;
  }

  /** What to read and keep: pushed-down predicates, columns, the rest, the ordering column. */
  private record Plan(
      List<FilterPredicate> pushed,
      Set<String> columns,
      Predicate<GenericRecord> residual,
      String orderColumn,
      int limit) {
    Plan withLimit(int limit) {
      return new Plan(pushed, columns, residual, orderColumn, limit);
    }

    FilterCompat.Filter filter() {
      FilterPredicate p = pushed.get(0);
      for (int i = 1; i < pushed.size(); i++) {
        p = FilterApi.and(p, pushed.get(i));
      }
      return FilterCompat.get(p);
    }
  }

  /** A matching trace: its ordering key, the hour folder and the files its matches are in. */
  private record Hit(TraceId traceId, long order, Set<S3Object> files) {}

  /** The state of one running search. */
  private final class Search {
    final Plan plan;
    final LongAdder fetched = new LongAdder();
    final LongAdder requests = new LongAdder();
    final ArchiveHours.Cost cost = new ArchiveHours.Cost();
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicReference<String> stopReason = new AtomicReference<>();
    final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger read = new AtomicInteger();
    final AtomicInteger notRead = new AtomicInteger();
    final AtomicInteger skippedAsOlder = new AtomicInteger();
    final List<String> unreadable = java.util.Collections.synchronizedList(new ArrayList<>());
    final Map<TraceId, Hit> hits = new HashMap<>();
    final Map<LocalDateTime, Set<TraceId>> byHour = new ConcurrentHashMap<>();
    final long deadlineNanos;
    int listed;
    long stored;

    Search(Plan plan) {
      this.plan = plan;
      this.deadlineNanos = System.nanoTime() + limits.timeout().toNanos();
    }

    void stop(String reason) {
      stopReason.compareAndSet(null, reason);
      stop.set(true);
    }

    /** Whether {@code limit} traces were already found in hours after this one. */
    boolean enoughNewer(LocalDateTime hour) {
      Set<TraceId> newer = new HashSet<>();
      for (Map.Entry<LocalDateTime, Set<TraceId>> e : byHour.entrySet()) {
        if (e.getKey().isAfter(hour)) {
          newer.addAll(e.getValue());
          if (newer.size() >= plan.limit()) {
            return true;
          }
        }
      }
      return false;
    }

    synchronized void add(TraceId id, long order, S3Object file) {
      Hit old = hits.get(id);
      if (old == null) {
        Set<S3Object> files = new HashSet<>();
        files.add(file);
        hits.put(id, new Hit(id, order, files));
      } else {
        old.files().add(file);
        if (order > old.order()) {
          hits.put(id, new Hit(id, order, old.files()));
        }
      }
    }

    synchronized List<Hit> top() {
      return hits.values().stream()
          .sorted(
              Comparator.comparingLong(Hit::order)
                  .reversed()
                  .thenComparing(h -> h.traceId().toHex()))
          .limit(plan.limit())
          .toList();
    }

    /** Second read: the top traces' rows in the files they matched in, made into summaries. */
    List<FoundSummary> summaries() throws IOException {
      List<Hit> top = top();
      Map<S3Object, Set<String>> byFile = new HashMap<>();
      for (Hit h : top) {
        for (S3Object f : h.files()) {
          byFile.computeIfAbsent(f, k -> new TreeSet<>()).add(h.traceId().toHex());
        }
      }
      Map<String, List<GenericRecord>> rows = new ConcurrentHashMap<>();
      List<CompletableFuture<Void>> reads = new ArrayList<>();
      Schema projection = projection(SUMMARY_COLUMNS);
      for (Map.Entry<S3Object, Set<String>> e : byFile.entrySet()) {
        Set<Binary> ids = new HashSet<>();
        e.getValue().forEach(id -> ids.add(Binary.fromString(id)));
        FilterCompat.Filter filter =
            FilterCompat.get(FilterApi.in(FilterApi.binaryColumn("trace_id"), ids));
        reads.add(
            CompletableFuture.runAsync(
                () -> {
                  try {
                    // bounded by the limit's traces: not stopped by the search's bounds
                    readFile(
                        this,
                        e.getKey(),
                        projection,
                        filter,
                        () -> false,
                        r ->
                            rows.computeIfAbsent(
                                    r.get("trace_id").toString(),
                                    k -> java.util.Collections.synchronizedList(new ArrayList<>()))
                                .add(r));
                  } catch (IOException | RuntimeException ex) {
                    unreadable(e.getKey(), ex);
                  }
                },
                executor));
      }
      for (CompletableFuture<Void> f : reads) {
        ArchiveHours.join(f);
      }
      List<FoundSummary> out = new ArrayList<>();
      for (Hit h : top) {
        List<GenericRecord> traceRows = rows.get(h.traceId().toHex());
        if (traceRows != null && !traceRows.isEmpty()) {
          out.add(summary(h.traceId(), traceRows));
        }
      }
      return out;
    }

    void unreadable(S3Object file, Exception e) {
      unreadable.add(file.key());
      filesUnreadable.increment();
      LOG.warn("Cold search skipped s3://{}/{}: {}", bucket, file.key(), e.toString());
    }

    void await(CompletableFuture<?> f) {
      long left = deadlineNanos - System.nanoTime();
      try {
        if (left <= 0 && !f.isDone()) {
          throw new TimeoutException();
        }
        f.get(Math.max(0, left), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        stop("time limit of " + limits.timeout().toMillis() + " ms reached");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stop("interrupted");
      } catch (ExecutionException e) {
        // file reads report their own failures; nothing else throws
        stop("a read failed: " + e.getCause());
      }
    }

    <T> Result<T> result(List<T> items) {
      List<String> reasons = new ArrayList<>();
      if (stopReason.get() != null) {
        reasons.add(stopReason.get() + "; " + notRead.get() + " of " + listed + " files not read");
      }
      if (!unreadable.isEmpty()) {
        reasons.add(
            unreadable.size()
                + " unreadable file(s) skipped, e.g. "
                + unreadable.get(0).substring(unreadable.get(0).lastIndexOf('/') + 1));
      }
      Stats stats =
          new Stats(
              listed,
              stored,
              read.get(),
              unreadable.size(),
              notRead.get(),
              fetched.sum(),
              requests.sum(),
              cost.lists.sum(),
              cost.manifestGets.sum());
      bytesFetched.increment(fetched.sum());
      return new Result<>(
          items,
          !reasons.isEmpty(),
          reasons.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", reasons)),
          stats);
    }
  }

  private Search search(String tenant, Plan plan, long from, long to) throws IOException {
    hours.layout().hourFolders(tenant, from, to); // validates the range
    LocalDateTime first = ArchiveLayout.hourOf(from);
    LocalDateTime last = ArchiveLayout.hourOf(to);
    Search search = new Search(plan);
    Map<String, ArchiveHours.HourObjects> listed;
    try {
      listed = hours.listHours(tenant, first, last, executor, search.cost);
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    } catch (RuntimeException e) {
      throw new IOException("listing the archive of tenant " + tenant + " failed", e);
    }
    // newest hour first, so that the most recent traces are read first and a bound leaves out
    // the oldest
    List<Map.Entry<LocalDateTime, S3Object>> files = new ArrayList<>();
    for (ArchiveHours.HourObjects hour : listed.values()) {
      if (hour.dataFiles().isEmpty()) {
        continue;
      }
      LocalDateTime h = hourOfFolder(hour.folder());
      for (S3Object o : hours.visible(hour, search.cost).values()) {
        files.add(Map.entry(h, o));
        search.stored += o.size();
      }
    }
    files.sort(
        Map.Entry.<LocalDateTime, S3Object>comparingByKey()
            .reversed()
            .thenComparing(e -> e.getValue().key()));
    search.listed = files.size();
    Schema projection = projection(plan.columns());
    FilterCompat.Filter filter = plan.filter();
    List<CompletableFuture<Void>> reads = new ArrayList<>();
    for (Map.Entry<LocalDateTime, S3Object> f : files) {
      reads.add(
          CompletableFuture.runAsync(() -> readForHits(search, f, projection, filter), executor));
    }
    for (CompletableFuture<Void> r : reads) {
      search.await(r);
    }
    search.notRead.set(
        Math.max(
            0,
            files.size()
                - search.read.get()
                - search.unreadable.size()
                - search.skippedAsOlder.get()));
    return search;
  }

  private void readForHits(
      Search s,
      Map.Entry<LocalDateTime, S3Object> f,
      Schema projection,
      FilterCompat.Filter filter) {
    if (s.stop.get()) {
      return;
    }
    if (s.enoughNewer(f.getKey())) {
      s.skippedAsOlder.incrementAndGet();
      return;
    }
    if (s.opened.get() >= limits.maxFiles()) {
      s.stop("file limit of " + limits.maxFiles() + " reached");
      return;
    }
    if (s.fetched.sum() >= limits.maxBytes()) {
      s.stop("byte limit of " + limits.maxBytes() + " reached");
      return;
    }
    if (System.nanoTime() > s.deadlineNanos) {
      s.stop("time limit of " + limits.timeout().toMillis() + " ms reached");
      return;
    }
    s.opened.incrementAndGet();
    S3Object file = f.getValue();
    String order = s.plan.orderColumn();
    try {
      boolean complete =
          readFile(
              s,
              file,
              projection,
              filter,
              s.stop::get,
              r -> {
                if (s.plan.residual().test(r)) {
                  TraceId id = TraceId.fromHex(r.get("trace_id").toString());
                  s.add(id, longValue(r.get(order)), file);
                  s.byHour.computeIfAbsent(f.getKey(), k -> ConcurrentHashMap.newKeySet()).add(id);
                }
              });
      if (complete) {
        s.read.incrementAndGet();
        filesRead.increment();
      }
    } catch (IOException | RuntimeException e) {
      s.unreadable(file, e);
    }
  }

  /** Reads a file's rows through the filter; false when the search was stopped midway. */
  private boolean readFile(
      Search s,
      S3Object object,
      Schema projection,
      FilterCompat.Filter filter,
      java.util.function.BooleanSupplier stopped,
      java.util.function.Consumer<GenericRecord> rows)
      throws IOException {
    PlainParquetConfiguration conf = new PlainParquetConfiguration();
    conf.set(AvroReadSupport.AVRO_REQUESTED_PROJECTION, projection.toString());
    S3InputFile file =
        new S3InputFile(s3, bucket, object.key(), object.size(), TAIL_FETCH, s.fetched, s.requests);
    try (ParquetReader<GenericRecord> reader =
        AvroParquetReader.<GenericRecord>builder(file).withConf(conf).withFilter(filter).build()) {
      for (GenericRecord row = reader.read(); row != null; row = reader.read()) {
        if (stopped.getAsBoolean()) {
          return false;
        }
        rows.accept(row);
      }
    }
    return true;
  }

  /** A long column's value; timestamp columns may read back as {@link java.time.Instant}. */
  private static long longValue(Object value) {
    if (value instanceof java.time.Instant i) {
      return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
    }
    return ((Number) value).longValue();
  }

  private static FoundSummary summary(TraceId id, List<GenericRecord> rows) {
    Map<String, GenericRecord> bySpan = new HashMap<>();
    for (GenericRecord r : rows) {
      bySpan.putIfAbsent(r.get("span_id").toString(), r);
    }
    GenericRecord root = null;
    long start = Long.MAX_VALUE;
    long end = Long.MIN_VALUE;
    boolean error = false;
    boolean debug = false;
    Set<String> services = new TreeSet<>();
    for (GenericRecord r : bySpan.values()) {
      long s = (Long) r.get("start_time_unix_nano");
      long e = (Long) r.get("end_time_unix_nano");
      start = Math.min(start, s);
      end = Math.max(end, e);
      error |= "ERROR".equals(r.get("status_code").toString());
      services.add(r.get("service_name").toString());
      debug |=
          Arrays.asList(r.get("sampling_policy").toString().split(","))
              .contains(FoundSummary.DEBUG_POLICY);
      boolean isRoot = r.get("parent_span_id") == null;
      boolean rootSoFar = root != null && root.get("parent_span_id") == null;
      if (root == null
          || (isRoot && !rootSoFar)
          || (isRoot == rootSoFar && s < (Long) root.get("start_time_unix_nano"))) {
        root = r;
      }
    }
    return new FoundSummary(
        id,
        root.get("service_name").toString(),
        root.get("span_name").toString(),
        start,
        Math.max(0, end - start),
        bySpan.size(),
        error,
        List.copyOf(services),
        debug);
  }

  private static Schema projection(java.util.Collection<String> columns) {
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : SpanRows.SCHEMA.getFields()) {
      if (columns.contains(f.name())) {
        fields.add(new Schema.Field(f.name(), f.schema(), f.doc(), f.defaultVal()));
      }
    }
    return Schema.createRecord(
        SpanRows.SCHEMA.getName(), null, SpanRows.SCHEMA.getNamespace(), false, fields);
  }

  /** The hour of a folder {@code …/date=YYYY-MM-DD/hour=HH/}. */
  private static LocalDateTime hourOfFolder(String folder) {
    int d = folder.lastIndexOf("/date=");
    String date = folder.substring(d + 6, d + 16);
    int h = folder.lastIndexOf("/hour=");
    return java.time.LocalDate.parse(date)
        .atTime(Integer.parseInt(folder.substring(h + 6, h + 8)), 0);
  }

  private interface Body<T> {
    Result<T> run() throws IOException;
  }

  private <T> Result<T> timed(Body<T> body) throws IOException {
    Timer.Sample sample = Timer.start(metrics);
    String outcome = "error";
    try {
      Result<T> r = body.run();
      outcome = r.partial() ? "partial" : "complete";
      return r;
    } finally {
      sample.stop(
          Timer.builder("spanline.query.archive.search")
              .description("Cold search latency (listing and every file read)")
              .tag("outcome", outcome)
              .publishPercentileHistogram()
              .register(metrics));
    }
  }
}
