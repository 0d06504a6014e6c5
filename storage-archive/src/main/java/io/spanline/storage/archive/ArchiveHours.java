package io.spanline.storage.archive;

import io.spanline.storage.archive.internal.index.TraceIdIndex;
import io.spanline.storage.archive.internal.index.TraceIdIndex.FileRef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * How the objects of an hour folder resolve to the data files a reader sees, shared by the writer
 * (hour index updates), the cold reader and the compactor.
 *
 * <p>Visibility: a sink file ({@code <partition>-<first>-<last>.parquet}) is visible unless a
 * compaction manifest of the hour replaced it; a compacted file ({@code c-<id>-<n>.parquet}) is
 * visible once the manifest {@code _compaction-<id>.manifest} exists and until a later manifest
 * replaced it. The hour's trace-ID index ({@link ArchiveLayout#INDEX_NAME}) is only a shortcut: a
 * visible file it does not cover (name absent, or size different) is opened and checked by its
 * bloom filter and statistics, so a file whose index entry was never written (a crash between the
 * upload and the index update, or a lost concurrent update) is still found.
 */
final class ArchiveHours {
  private final S3Client s3;
  private final String bucket;
  private final ArchiveLayout layout;
  private final Cache<TraceIdIndex> indexes;
  private final Cache<CompactionManifest> manifests;

  /** Requests made, for cost reports. */
  static final class Cost {
    final LongAdder lists = new LongAdder();
    final LongAdder indexGets = new LongAdder();
    final LongAdder indexBytes = new LongAdder();
    final LongAdder manifestGets = new LongAdder();
  }

  ArchiveHours(S3Client s3, String bucket, ArchiveLayout layout, long indexCacheBytes) {
    this.s3 = s3;
    this.bucket = bucket;
    this.layout = layout;
    this.indexes =
        new Cache<>(indexCacheBytes, i -> 64L + i.entries() * 12L + i.files().size() * 64L);
    this.manifests =
        new Cache<>(8L << 20, m -> 64L + (m.outputs().size() + m.replaced().size()) * 64L);
  }

  ArchiveLayout layout() {
    return layout;
  }

  /** The objects of one hour folder (names relative to it). */
  record HourObjects(
      String folder,
      Map<String, S3Object> dataFiles,
      TreeMap<String, S3Object> manifests,
      Optional<S3Object> index,
      List<S3Object> other) {}

  /** What a reader sees in an hour: the visible data files and the hour's index, if any. */
  record HourView(
      HourObjects objects, Map<String, S3Object> visible, Optional<TraceIdIndex> index) {
    /**
     * Visible files that may hold the trace: those the index covers and names for it, and every
     * visible file it does not cover.
     */
    List<S3Object> candidates(String traceIdHex) {
      if (index.isEmpty()) {
        return List.copyOf(visible.values());
      }
      Map<String, Long> covered = new LinkedHashMap<>();
      for (FileRef f : index.get().files()) {
        covered.put(f.name(), f.size());
      }
      Set<String> holding = index.get().filesHolding(traceIdHex);
      List<S3Object> out = new ArrayList<>();
      for (Map.Entry<String, S3Object> e : visible.entrySet()) {
        Long size = covered.get(e.getKey());
        boolean isCovered = size != null && size.longValue() == e.getValue().size().longValue();
        if (!isCovered || holding.contains(e.getKey())) {
          out.add(e.getValue());
        }
      }
      return out;
    }

    /** Visible files the index does not cover. */
    List<String> uncovered() {
      Set<String> covered = new LinkedHashSet<>();
      index.ifPresent(
          i ->
              i.files().stream()
                  .filter(
                      f ->
                          visible.containsKey(f.name()) && visible.get(f.name()).size() == f.size())
                  .forEach(f -> covered.add(f.name())));
      return visible.keySet().stream().filter(n -> !covered.contains(n)).toList();
    }
  }

  /** Groups listed objects by hour folder, keeping only folders in {@code folders}. */
  static Map<String, HourObjects> group(Collection<S3Object> objects, Collection<String> folders) {
    Map<String, HourObjects> out = new LinkedHashMap<>();
    for (String f : folders) {
      out.put(
          f,
          new HourObjects(
              f, new TreeMap<>(), new TreeMap<>(), Optional.empty(), new ArrayList<>()));
    }
    for (S3Object o : objects) {
      int slash = o.key().lastIndexOf('/');
      String folder = o.key().substring(0, slash + 1);
      HourObjects h = out.get(folder);
      if (h == null) {
        continue;
      }
      String name = o.key().substring(slash + 1);
      if (ArchiveLayout.isDataFile(name)) {
        h.dataFiles().put(name, o);
      } else if (ArchiveLayout.compactionOfManifest(name).isPresent()) {
        h.manifests().put(ArchiveLayout.compactionOfManifest(name).get(), o);
      } else if (name.equals(ArchiveLayout.INDEX_NAME)) {
        out.put(
            folder,
            new HourObjects(folder, h.dataFiles(), h.manifests(), Optional.of(o), h.other()));
      } else {
        h.other().add(o);
      }
    }
    return out;
  }

  /** Every object under a prefix. */
  List<S3Object> list(String prefix, Cost cost) {
    List<S3Object> out = new ArrayList<>();
    s3.listObjectsV2Paginator(l -> l.bucket(bucket).prefix(prefix)).stream()
        .forEach(
            page -> {
              cost.lists.increment();
              out.addAll(page.contents());
            });
    return out;
  }

  /**
   * The objects of a tenant's hour folders from {@code first} to {@code last} (UTC hours): a
   * listing per hour folder for up to 3 hours, else one per day folder, in parallel.
   */
  Map<String, HourObjects> listHours(
      String tenant, LocalDateTime first, LocalDateTime last, Executor executor, Cost cost) {
    List<String> folders = new ArrayList<>();
    for (LocalDateTime h = first; !h.isAfter(last); h = h.plusHours(1)) {
      folders.add(layout.hourFolder(tenant, h));
    }
    List<String> prefixes = new ArrayList<>();
    if (folders.size() <= 3) {
      prefixes.addAll(folders);
    } else {
      for (LocalDate d = first.toLocalDate(); !d.isAfter(last.toLocalDate()); d = d.plusDays(1)) {
        prefixes.add(layout.dayFolder(tenant, d));
      }
    }
    List<CompletableFuture<List<S3Object>>> listings =
        prefixes.stream()
            .map(p -> CompletableFuture.supplyAsync(() -> list(p, cost), executor))
            .toList();
    List<S3Object> all = new ArrayList<>();
    for (CompletableFuture<List<S3Object>> l : listings) {
      all.addAll(join(l));
    }
    return group(all, folders);
  }

  /**
   * The hour as readers see it.
   *
   * @param withIndex whether to read the hour's index
   * @throws IOException if a manifest or the index cannot be read
   */
  HourView view(HourObjects hour, boolean withIndex, Cost cost) throws IOException {
    Map<String, S3Object> visible = visible(hour, cost);
    Optional<TraceIdIndex> index = Optional.empty();
    if (withIndex && hour.index().isPresent() && !visible.isEmpty()) {
      index = Optional.of(index(hour.index().get(), cost));
    }
    return new HourView(hour, visible, index);
  }

  /** The visible data files of an hour (name → object). */
  Map<String, S3Object> visible(HourObjects hour, Cost cost) throws IOException {
    if (hour.manifests().isEmpty()) {
      Map<String, S3Object> out = new TreeMap<>();
      hour.dataFiles()
          .forEach(
              (name, o) -> {
                if (ArchiveLayout.compactionOfFile(name).isEmpty()) {
                  out.put(name, o);
                }
              });
      return out;
    }
    // after a finished compaction: one manifest and only its own files, no need to read it
    if (hour.manifests().size() == 1) {
      String id = hour.manifests().firstKey();
      boolean onlyItsFiles =
          hour.dataFiles().keySet().stream()
              .allMatch(n -> ArchiveLayout.compactionOfFile(n).map(id::equals).orElse(false));
      if (onlyItsFiles) {
        return new TreeMap<>(hour.dataFiles());
      }
    }
    Set<String> replaced = new LinkedHashSet<>();
    for (S3Object m : hour.manifests().values()) {
      replaced.addAll(manifest(hour, m, cost).replaced());
    }
    Map<String, S3Object> out = new TreeMap<>();
    hour.dataFiles()
        .forEach(
            (name, o) -> {
              Optional<String> compaction = ArchiveLayout.compactionOfFile(name);
              boolean committed = compaction.map(hour.manifests()::containsKey).orElse(true);
              if (committed && !replaced.contains(name)) {
                out.put(name, o);
              }
            });
    return out;
  }

  CompactionManifest manifest(HourObjects hour, S3Object object, Cost cost) throws IOException {
    String id =
        ArchiveLayout.compactionOfManifest(object.key().substring(hour.folder().length()))
            .orElseThrow();
    String cacheKey = object.key() + "@" + object.eTag();
    CompactionManifest cached = manifests.get(cacheKey);
    if (cached != null) {
      return cached;
    }
    cost.manifestGets.increment();
    CompactionManifest m =
        CompactionManifest.decode(
            id, s3.getObjectAsBytes(g -> g.bucket(bucket).key(object.key())).asByteArray());
    manifests.put(cacheKey, m);
    return m;
  }

  TraceIdIndex index(S3Object object, Cost cost) throws IOException {
    String cacheKey = object.key() + "@" + object.eTag();
    TraceIdIndex cached = indexes.get(cacheKey);
    if (cached != null) {
      return cached;
    }
    cost.indexGets.increment();
    byte[] bytes = s3.getObjectAsBytes(g -> g.bucket(bucket).key(object.key())).asByteArray();
    cost.indexBytes.add(bytes.length);
    TraceIdIndex index;
    try {
      index = TraceIdIndex.decode(bytes);
    } catch (IOException e) {
      throw new IOException("s3://" + bucket + "/" + object.key() + ": " + e.getMessage(), e);
    }
    indexes.put(cacheKey, index);
    return index;
  }

  /**
   * Adds files to an hour's index (read, merge, write back). Concurrent updates of one hour may
   * lose one of them; readers then open the file the index misses (see the class comment).
   *
   * @throws IOException if the existing index is not readable
   */
  void addToIndex(
      String tenant, LocalDateTime hour, Map<FileRef, ? extends Collection<String>> files)
      throws IOException {
    String key = layout.indexKey(tenant, hour);
    TraceIdIndex current = TraceIdIndex.EMPTY;
    try {
      current =
          TraceIdIndex.decode(s3.getObjectAsBytes(g -> g.bucket(bucket).key(key)).asByteArray());
    } catch (NoSuchKeyException e) {
      // first file of the hour
    } catch (IOException e) {
      // an unreadable index is rebuilt from what is added now; the rest falls back to blooms
    }
    putIndex(key, current.with(files));
  }

  /** Replaces an hour's index. */
  void putIndex(String key, TraceIdIndex index) {
    byte[] bytes = index.encode();
    s3.putObject(
        p -> p.bucket(bucket).key(key).contentType("application/octet-stream"),
        RequestBody.fromBytes(bytes));
  }

  static <T> T join(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof IOException io) {
        throw new UncheckedIOException(io);
      }
      throw e;
    }
  }

  /** A least-recently-used cache bounded by an estimate of its values' bytes. */
  private static final class Cache<V> {
    private final long maxBytes;
    private final java.util.function.ToLongFunction<V> weigher;
    private final LinkedHashMap<String, V> map = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    Cache(long maxBytes, java.util.function.ToLongFunction<V> weigher) {
      this.maxBytes = maxBytes;
      this.weigher = weigher;
    }

    synchronized V get(String key) {
      return map.get(key);
    }

    synchronized void put(String key, V value) {
      long w = weigher.applyAsLong(value);
      if (w > maxBytes) {
        return;
      }
      V old = map.put(key, value);
      if (old != null) {
        bytes -= weigher.applyAsLong(old);
      }
      bytes += w;
      var it = map.entrySet().iterator();
      while (bytes > maxBytes && it.hasNext()) {
        var e = it.next();
        bytes -= weigher.applyAsLong(e.getValue());
        it.remove();
      }
    }
  }
}
