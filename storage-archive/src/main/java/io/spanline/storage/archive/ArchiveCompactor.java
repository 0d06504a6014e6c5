package io.spanline.storage.archive;

import io.spanline.storage.archive.internal.index.TraceIdIndex;
import io.spanline.storage.archive.internal.index.TraceIdIndex.FileRef;
import io.spanline.storage.archive.internal.parquet.ParquetTraceWriter;
import io.spanline.storage.archive.internal.parquet.SpanRows;
import io.spanline.storage.archive.internal.s3.S3Objects;
import io.spanline.storage.archive.internal.s3.S3Uploader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroReadSupport;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.LocalInputFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Compaction: merges the visible data files of one tenant's hour into files of about {@code
 * targetFileBytes} (rows sorted by trace ID then start, a trace never split across files, the same
 * Parquet settings as the sink's files: ZSTD, bloom filter on {@code trace_id}, statistics and
 * column index), with exactly-once visibility for readers that honour the manifests ({@link
 * ColdTraceReader}):
 *
 * <ol>
 *   <li>upload the new files as {@code c-<id>-<n>.parquet} — invisible while no manifest names
 *       their compaction;
 *   <li>write the manifest {@code _compaction-<id>.manifest} naming them and the files they
 *       replace: the commit point, after which the replaced files are invisible;
 *   <li>write the hour's trace-ID index covering the new files;
 *   <li>delete the replaced files;
 *   <li>delete the hour's older manifests (the new one carries what they replaced).
 * </ol>
 *
 * A crash before 2 leaves orphan {@code c-} files that readers ignore and the next run deletes; a
 * crash after 2 leaves replaced files readers ignore and the next run deletes; a missing index
 * makes readers open the uncovered files and the next run rebuilds it. One compactor per bucket and
 * prefix: two running at once could both replace the same files.
 *
 * <p>Plain SQL engines do not read manifests: they see new and replaced files together from the
 * first upload of step 1 until step 4 ends (the window is logged per hour), which is why only hours
 * that ended at least {@code minAge} ago are compacted.
 */
public final class ArchiveCompactor implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(ArchiveCompactor.class);
  private static final Pattern HOUR =
      Pattern.compile("tenant=([^/]+)/date=(\\d{4}-\\d{2}-\\d{2})/hour=(\\d{2})/");
  private static final Schema TRACE_ID_ONLY =
      SchemaBuilder.record("SpanRow")
          .namespace("io.spanline.archive")
          .fields()
          .requiredString("trace_id")
          .endRecord();

  /** Steps of one hour's compaction, in order, for {@link StepHook}. */
  public enum Step {
    /** One new file uploaded (not yet visible). */
    OUTPUT_UPLOADED,
    /** The manifest written: new files visible, replaced ones not. */
    MANIFEST_WRITTEN,
    /** The hour index rewritten to cover the new files. */
    INDEX_WRITTEN,
    /** The replaced files deleted. */
    REPLACED_DELETED,
    /** The hour's older manifests deleted. */
    OLD_MANIFESTS_DELETED
  }

  /** Called after each step; a test throws from it to crash the compaction there. */
  @FunctionalInterface
  public interface StepHook {
    void reached(Step step, String hourFolder) throws IOException;
  }

  /**
   * @param targetFileBytes a new file is closed once Parquet's estimate of its size reaches this
   *     (at a trace boundary), bytes
   * @param rowGroupBytes Parquet row group size, bytes
   * @param pageBytes Parquet page size, bytes
   * @param multipartThreshold files above this many bytes go up as multipart uploads
   * @param multipartPartBytes part size, bytes, at least 5 MiB
   * @param workDir where inputs are downloaded and new files written (made when missing)
   * @param minAge an hour is compacted once its end is at least this long ago
   */
  public record Settings(
      long targetFileBytes,
      long rowGroupBytes,
      int pageBytes,
      long multipartThreshold,
      long multipartPartBytes,
      Path workDir,
      Duration minAge) {
    public Settings {
      if (targetFileBytes < 1 || rowGroupBytes < 1 || pageBytes < 1) {
        throw new IllegalArgumentException(
            "targetFileBytes, rowGroupBytes and pageBytes must be >= 1");
      }
      Objects.requireNonNull(workDir, "workDir");
      Objects.requireNonNull(minAge, "minAge");
    }
  }

  /** What one run did. */
  public record Result(int hoursCompacted, int filesReplaced, int filesWritten, long rows) {}

  private final S3Client s3;
  private final String bucket;
  private final ArchiveLayout layout;
  private final Settings settings;
  private final Clock clock;
  private final StepHook hook;
  private final ArchiveHours hours;
  private final ParquetTraceWriter parquet;
  private final S3Uploader uploader;
  private final LongConsumer compacted;
  private final Runnable failed;

  /**
   * @param compacted told the number of files each run replaced
   * @param failed told each time a scheduled run ({@link #run()}) failed; the next run tries again
   */
  public ArchiveCompactor(
      S3Client s3,
      String bucket,
      ArchiveLayout layout,
      Settings settings,
      Clock clock,
      StepHook hook,
      LongConsumer compacted,
      Runnable failed) {
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.bucket = Objects.requireNonNull(bucket, "bucket");
    this.layout = Objects.requireNonNull(layout, "layout");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.hook = Objects.requireNonNull(hook, "hook");
    this.compacted = Objects.requireNonNull(compacted, "compacted");
    this.failed = Objects.requireNonNull(failed, "failed");
    this.hours = new ArchiveHours(s3, bucket, layout, 0);
    this.parquet = new ParquetTraceWriter(settings.rowGroupBytes(), settings.pageBytes());
    this.uploader =
        new S3Uploader(s3, bucket, settings.multipartThreshold(), settings.multipartPartBytes());
  }

  /** For a scheduler: {@link #compactAll()}, logging instead of throwing. */
  @Override
  public void run() {
    try {
      compactAll();
    } catch (RuntimeException | IOException e) {
      failed.run();
      LOG.warn("Compaction failed; the next run tries again: {}", e.toString());
    }
  }

  /**
   * Compacts every hour of every tenant that ended at least {@code minAge} ago, and finishes what a
   * crashed run left.
   *
   * @throws IOException if a file cannot be read or written
   * @throws software.amazon.awssdk.core.exception.SdkException if S3 fails
   */
  public Result compactAll() throws IOException {
    LocalDateTime newestHour =
        LocalDateTime.ofInstant(clock.instant().minus(settings.minAge()), ZoneOffset.UTC)
            .minusHours(1);
    int hoursDone = 0;
    int replaced = 0;
    int written = 0;
    long rows = 0;
    for (String tenantFolder : folders(layout.root())) {
      if (!tenantFolder.startsWith(layout.root() + "tenant=")) {
        continue;
      }
      for (String dateFolder : folders(tenantFolder)) {
        try {
          String name = dateFolder.substring(tenantFolder.length(), dateFolder.length() - 1);
          if (!name.startsWith("date=")
              || LocalDate.parse(name.substring(5)).isAfter(newestHour.toLocalDate())) {
            continue;
          }
        } catch (DateTimeParseException e) {
          continue;
        }
        ArchiveHours.Cost cost = new ArchiveHours.Cost();
        Map<String, List<S3Object>> byHour = new TreeMap<>();
        for (S3Object o : hours.list(dateFolder, cost)) {
          String rest = o.key().substring(layout.root().length());
          Matcher m = HOUR.matcher(rest);
          if (m.lookingAt()) {
            byHour.computeIfAbsent(layout.root() + m.group(0), k -> new ArrayList<>()).add(o);
          }
        }
        for (Map.Entry<String, List<S3Object>> e : byHour.entrySet()) {
          Matcher m = HOUR.matcher(e.getKey().substring(layout.root().length()));
          if (!m.lookingAt()) {
            continue;
          }
          LocalDateTime hour = LocalDate.parse(m.group(2)).atTime(Integer.parseInt(m.group(3)), 0);
          if (hour.isAfter(newestHour)) {
            continue;
          }
          ArchiveHours.HourObjects objects =
              ArchiveHours.group(e.getValue(), List.of(e.getKey())).get(e.getKey());
          Result r = compact(objects);
          hoursDone += r.hoursCompacted();
          replaced += r.filesReplaced();
          written += r.filesWritten();
          rows += r.rows();
        }
      }
    }
    compacted.accept(replaced);
    return new Result(hoursDone, replaced, written, rows);
  }

  /**
   * Compacts one hour now, whatever its age (finishing a crashed run first).
   *
   * @throws IOException if a file cannot be read or written
   */
  public Result compactHour(String tenant, LocalDateTime hour) throws IOException {
    String folder = layout.hourFolder(tenant, hour);
    ArchiveHours.Cost cost = new ArchiveHours.Cost();
    return compact(ArchiveHours.group(hours.list(folder, cost), List.of(folder)).get(folder));
  }

  private Result compact(ArchiveHours.HourObjects objects) throws IOException {
    ArchiveHours.Cost cost = new ArchiveHours.Cost();
    Map<String, S3Object> visible = hours.visible(objects, cost);
    finishCrashedRun(objects, visible);
    if (visible.size() <= 1) {
      ensureIndex(objects, visible, cost);
      return new Result(0, 0, 0, 0);
    }
    return commit(objects, visible, List.copyOf(visible.values()), cost, "Compacted");
  }

  /**
   * Replaces one tenant's hour of this compactor's layout with the same hour of {@code source} (a
   * generation's layout, {@link ArchiveGenerations}) in one commit: the source hour's visible files
   * are merged into new files of the target hour, whose manifest replaces every file readers saw
   * there before. The steps, their {@link StepHook} calls and what a crash after each leaves are
   * those of a compaction; running it again after a crash replaces the hour again with the same
   * rows. An empty source hour empties the target hour (a manifest with no files); when both are
   * empty nothing is written.
   *
   * @param source the layout whose hour becomes this one's; same bucket
   * @return {@code hoursCompacted} 1 when the hour was replaced, else 0; the files replaced and
   *     written; the rows written
   * @throws IOException if a file cannot be read or written
   * @throws software.amazon.awssdk.core.exception.SdkException if S3 fails
   */
  public Result replaceHour(String tenant, LocalDateTime hour, ArchiveLayout source)
      throws IOException {
    ArchiveHours.Cost cost = new ArchiveHours.Cost();
    String folder = layout.hourFolder(tenant, hour);
    ArchiveHours.HourObjects target =
        ArchiveHours.group(hours.list(folder, cost), List.of(folder)).get(folder);
    Map<String, S3Object> visible = hours.visible(target, cost);
    finishCrashedRun(target, visible);
    String sourceFolder = source.hourFolder(tenant, hour);
    ArchiveHours sourceHours = new ArchiveHours(s3, bucket, source, 0);
    ArchiveHours.HourObjects from =
        ArchiveHours.group(sourceHours.list(sourceFolder, cost), List.of(sourceFolder))
            .get(sourceFolder);
    List<S3Object> inputs = List.copyOf(sourceHours.visible(from, cost).values());
    if (visible.isEmpty() && inputs.isEmpty()) {
      return new Result(0, 0, 0, 0);
    }
    return commit(target, visible, inputs, cost, "Replaced from " + sourceFolder);
  }

  /** Deletes what a crashed run left in the hour: replaced files, orphan files, old manifests. */
  private void finishCrashedRun(ArchiveHours.HourObjects objects, Map<String, S3Object> visible) {
    String folder = objects.folder();
    List<String> garbage = new ArrayList<>();
    for (String name : objects.dataFiles().keySet()) {
      if (!visible.containsKey(name)) {
        garbage.add(folder + name);
      }
    }
    delete(garbage);
    if (objects.manifests().size() > 1) {
      delete(
          objects.manifests().headMap(objects.manifests().lastKey()).values().stream()
              .map(S3Object::key)
              .toList());
    }
  }

  /**
   * Merges {@code inputs} into new files of the hour and commits them by a manifest that replaces
   * {@code visible} (and whatever the hour's manifests replaced before); steps 1 to 5.
   */
  private Result commit(
      ArchiveHours.HourObjects objects,
      Map<String, S3Object> visible,
      List<S3Object> inputObjects,
      ArchiveHours.Cost cost,
      String what)
      throws IOException {
    String folder = objects.folder();
    // what earlier manifests replaced stays replaced (a roll the sink writes again after a crash)
    Set<String> carried = new LinkedHashSet<>();
    for (S3Object m : objects.manifests().values()) {
      carried.addAll(hours.manifest(objects, m, cost).replaced());
    }
    long started = System.nanoTime();
    String id =
        String.format("%013d", clock.millis())
            + "-"
            + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    Path work = Files.createDirectories(settings.workDir()).resolve("compaction-" + id);
    Files.createDirectories(work);
    try {
      List<Path> inputs = new ArrayList<>();
      long inputRows = 0;
      for (S3Object o : inputObjects) {
        Path local = work.resolve("in-" + inputs.size() + ".parquet");
        s3.getObject(g -> g.bucket(bucket).key(o.key()), local);
        try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(local))) {
          inputRows += r.getRecordCount();
        }
        inputs.add(local);
      }
      Map<FileRef, List<String>> outputs = merge(inputs, inputRows, work, id, folder);
      Set<String> replaced = new LinkedHashSet<>(carried);
      replaced.addAll(visible.keySet());
      CompactionManifest manifest =
          new CompactionManifest(id, List.copyOf(outputs.keySet()), replaced);
      byte[] manifestBytes = manifest.encode();
      s3.putObject(
          p -> p.bucket(bucket).key(folder + ArchiveLayout.manifestName(id)),
          RequestBody.fromBytes(manifestBytes));
      hook.reached(Step.MANIFEST_WRITTEN, folder);
      hours.putIndex(folder + ArchiveLayout.INDEX_NAME, TraceIdIndex.of(outputs));
      hook.reached(Step.INDEX_WRITTEN, folder);
      delete(visible.values().stream().map(S3Object::key).toList());
      hook.reached(Step.REPLACED_DELETED, folder);
      delete(objects.manifests().values().stream().map(S3Object::key).toList());
      hook.reached(Step.OLD_MANIFESTS_DELETED, folder);
      LOG.info(
          "{} {}: {} files into {} ({} rows), replacing {} files; replaced files readable beside"
              + " the new ones for plain SQL engines during {} ms",
          what,
          folder,
          inputObjects.size(),
          outputs.size(),
          inputRows,
          visible.size(),
          (System.nanoTime() - started) / 1_000_000);
      return new Result(1, visible.size(), outputs.size(), inputRows);
    } finally {
      try (var files = Files.list(work)) {
        for (Path p : files.toList()) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(work);
    }
  }

  /** K-way merge of sorted inputs into files of the target size; uploads each. */
  private Map<FileRef, List<String>> merge(
      List<Path> inputs, long inputRows, Path work, String id, String folder) throws IOException {
    record Head(GenericRecord row, ParquetReader<GenericRecord> reader) {}
    List<ParquetReader<GenericRecord>> readers = new ArrayList<>();
    Map<FileRef, List<String>> outputs = new LinkedHashMap<>();
    try {
      PriorityQueue<Head> heads =
          new PriorityQueue<>((a, b) -> SpanRows.ORDER.compare(a.row(), b.row()));
      for (Path in : inputs) {
        ParquetReader<GenericRecord> r =
            AvroParquetReader.<GenericRecord>builder(new LocalInputFile(in))
                .withConf(new PlainParquetConfiguration())
                .build();
        readers.add(r);
        GenericRecord first = r.read();
        if (first != null) {
          heads.add(new Head(first, r));
        }
      }
      int n = 0;
      while (!heads.isEmpty()) {
        String name = ArchiveLayout.compactedName(id, n);
        Path out = work.resolve(name);
        List<String> traceIds = new ArrayList<>();
        try (ParquetTraceWriter.FileWriter w = parquet.open(out, inputRows)) {
          String last = null;
          while (!heads.isEmpty()) {
            Head h = heads.poll();
            String traceId = h.row().get("trace_id").toString();
            if (!traceId.equals(last)) {
              if (last != null && w.dataSize() >= settings.targetFileBytes()) {
                heads.add(h);
                break;
              }
              traceIds.add(traceId);
              last = traceId;
            }
            w.write(h.row());
            GenericRecord next = h.reader().read();
            if (next != null) {
              heads.add(new Head(next, h.reader()));
            }
          }
        }
        long size = Files.size(out);
        uploader.upload(out, folder + name);
        Files.deleteIfExists(out);
        outputs.put(new FileRef(name, size), traceIds);
        hook.reached(Step.OUTPUT_UPLOADED, folder);
        n++;
      }
    } finally {
      for (ParquetReader<GenericRecord> r : readers) {
        r.close();
      }
    }
    return outputs;
  }

  /** Adds visible files the hour's index does not cover to it (reading their trace IDs). */
  private void ensureIndex(
      ArchiveHours.HourObjects objects, Map<String, S3Object> visible, ArchiveHours.Cost cost)
      throws IOException {
    if (visible.isEmpty()) {
      return;
    }
    // an index written after every visible file was (normally) written knowing them: skip the GET.
    // Should it miss one anyway (a lost concurrent update), readers open that file regardless.
    if (objects.index().isPresent()
        && visible.values().stream()
            .allMatch(o -> o.lastModified().isBefore(objects.index().get().lastModified()))) {
      return;
    }
    ArchiveHours.HourView view = hours.view(objects, true, cost);
    List<String> uncovered = view.uncovered();
    if (uncovered.isEmpty()) {
      return;
    }
    Map<FileRef, List<String>> added = new LinkedHashMap<>();
    for (String name : uncovered) {
      S3Object o = visible.get(name);
      added.put(new FileRef(name, o.size()), traceIds(o));
    }
    TraceIdIndex base = view.index().orElse(TraceIdIndex.EMPTY);
    hours.putIndex(objects.folder() + ArchiveLayout.INDEX_NAME, base.with(added));
  }

  private List<String> traceIds(S3Object o) throws IOException {
    PlainParquetConfiguration conf = new PlainParquetConfiguration();
    conf.set(AvroReadSupport.AVRO_REQUESTED_PROJECTION, TRACE_ID_ONLY.toString());
    Set<String> ids = new LinkedHashSet<>();
    try (ParquetReader<GenericRecord> reader =
        AvroParquetReader.<GenericRecord>builder(
                new io.spanline.storage.archive.internal.s3.S3InputFile(
                    s3,
                    bucket,
                    o.key(),
                    o.size(),
                    16 * 1024,
                    new java.util.concurrent.atomic.LongAdder(),
                    new java.util.concurrent.atomic.LongAdder()))
            .withConf(conf)
            .build()) {
      for (GenericRecord r = reader.read(); r != null; r = reader.read()) {
        ids.add(r.get("trace_id").toString());
      }
    }
    return List.copyOf(ids);
  }

  private List<String> folders(String prefix) {
    return S3Objects.folders(s3, bucket, prefix);
  }

  private void delete(List<String> keys) {
    S3Objects.deleteAll(s3, bucket, keys);
  }
}
