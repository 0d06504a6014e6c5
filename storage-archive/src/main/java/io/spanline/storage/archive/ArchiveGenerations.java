package io.spanline.storage.archive;

import io.spanline.storage.archive.internal.s3.S3Objects;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The archive's side of a re-sampling generation: the generation's kept traces are archived under
 * their own prefix ({@link #layout}: {@code <prefix>-gen-<name>/tenant=…/date=…/hour=…/}, the live
 * layout's folders and file names), where neither Spanline's readers nor plain SQL engines reading
 * the live prefix see them; promotion then replaces the live hours of the generation's days with
 * the generation's, hour by hour.
 *
 * <p>S3 has no atomic rename of a prefix, so promotion uses the compaction's commit ({@link
 * ArchiveCompactor#replaceHour}): per tenant and hour, the generation's files are merged into new
 * files of the live hour, and one manifest makes them visible and everything readers saw there
 * before invisible. Each hour switches atomically for readers that honour the manifests ({@link
 * ColdTraceReader}, {@link ArchiveTraceSearch}); the generation's days as a whole switch hour by
 * hour, over the seconds promotion takes. Plain SQL engines see an hour's old and new files
 * together while it is replaced, as during a compaction.
 *
 * <p>Two marker objects at the generation's root record its state: {@value #COMPLETE_MARKER}
 * (written by {@link #markComplete} once the generation's archive run has caught up) and {@value
 * #PROMOTED_MARKER} (written once every hour is replaced, before the generation's own files are
 * deleted). A promotion that crashes is run again: hours replaced already are replaced again with
 * the same rows; once the promoted marker exists, a run only deletes what is left of the
 * generation's files, never replacing live hours from a half-deleted generation.
 *
 * <p>Not safe beside a compactor working on the same hours: both would replace the same files
 * (compaction runs on hours with several files; a promoted hour has few). Promote when the live
 * sink's compaction of the generation's days is done, or with compaction stopped.
 */
public final class ArchiveGenerations {
  private static final Logger LOG = LoggerFactory.getLogger(ArchiveGenerations.class);

  /** Marker at a generation's root: its archive run caught up with its replay's output. */
  public static final String COMPLETE_MARKER = "_generation-complete";

  /** Marker at a generation's root: its hours replaced the live ones. */
  public static final String PROMOTED_MARKER = "_generation-promoted";

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_]{0,31}");
  private static final Pattern HOUR_FOLDER = Pattern.compile("hour=(\\d{2})/");

  /** Where a generation's archive stands. */
  public enum State {
    /** Nothing under the generation's prefix. */
    ABSENT,
    /** Files but no complete marker: the archive run has not caught up (or crashed). */
    INCOMPLETE,
    /** The archive run caught up; the generation can be promoted. */
    COMPLETE,
    /** Promoted: its hours are the live ones. */
    PROMOTED
  }

  /**
   * What a promotion did.
   *
   * @param hoursReplaced live tenant hours replaced in this run
   * @param filesReplaced live data files those hours held
   * @param filesWritten files written into the live hours
   * @param rows span rows written
   * @param generationObjectsDeleted the generation's own objects deleted after the promotion
   */
  public record Promotion(
      int hoursReplaced,
      int filesReplaced,
      int filesWritten,
      long rows,
      int generationObjectsDeleted) {}

  private final S3Client s3;
  private final String bucket;
  private final ArchiveLayout live;
  private final ArchiveCompactor.Settings settings;
  private final Clock clock;
  private final ArchiveCompactor.StepHook hook;

  /**
   * @param live the live layout (the archive sink's {@code s3.prefix})
   * @param settings file sizes and the work folder of the files promotion writes; its {@code
   *     minAge} is not used
   * @param hook called after each step of each hour's replacement; a test throws from it to crash
   *     the promotion there
   */
  public ArchiveGenerations(
      S3Client s3,
      String bucket,
      ArchiveLayout live,
      ArchiveCompactor.Settings settings,
      Clock clock,
      ArchiveCompactor.StepHook hook) {
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.bucket = Objects.requireNonNull(bucket, "bucket");
    this.live = Objects.requireNonNull(live, "live");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.hook = Objects.requireNonNull(hook, "hook");
  }

  /**
   * The layout a generation is archived under: prefix {@code <live prefix>-gen-<name>} ({@code
   * gen-<name>} when the live prefix is the bucket's root).
   *
   * @param name 1-32 characters of {@code a-z}, {@code 0-9}, {@code _} (the index generation's
   *     rule)
   * @throws IllegalArgumentException if the name breaks that rule
   */
  public static ArchiveLayout layout(ArchiveLayout live, String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "Invalid generation name '"
              + name
              + "'. Must be 1-32 chars of a-z, 0-9 and '_', starting with a-z or 0-9.");
    }
    String root = live.root();
    return new ArchiveLayout(
        root.isEmpty() ? "gen-" + name : root.substring(0, root.length() - 1) + "-gen-" + name);
  }

  /** The state of generation {@code name}'s archive, from its markers and objects. */
  public State state(String name) {
    ArchiveLayout gen = layout(live, name);
    if (exists(gen.root() + PROMOTED_MARKER)) {
      return State.PROMOTED;
    }
    if (exists(gen.root() + COMPLETE_MARKER)) {
      return State.COMPLETE;
    }
    boolean any =
        !s3.listObjectsV2(l -> l.bucket(bucket).prefix(gen.root()).maxKeys(1)).contents().isEmpty();
    return any ? State.INCOMPLETE : State.ABSENT;
  }

  /** Records that generation {@code name}'s archive run has caught up (idempotent). */
  public void markComplete(String name) {
    put(layout(live, name).root() + COMPLETE_MARKER, "complete " + clock.instant());
  }

  /**
   * Replaces the live archive's hours of {@code firstDay} to {@code lastDay} (UTC, inclusive), for
   * every tenant either side holds, with the generation's, then deletes the generation's files.
   * Live hours the generation has nothing for are emptied: the traces its policy dropped leave the
   * archive. Run again after a crash, it finishes the work.
   *
   * @throws IllegalStateException if the generation's archive is absent or not complete
   * @throws IOException if a file cannot be read or written
   * @throws software.amazon.awssdk.core.exception.SdkException if S3 fails
   */
  public Promotion promote(String name, LocalDate firstDay, LocalDate lastDay) throws IOException {
    ArchiveLayout gen = layout(live, name);
    State state = state(name);
    if (state == State.ABSENT || state == State.INCOMPLETE) {
      throw new IllegalStateException(
          "generation "
              + name
              + "'s archive under "
              + gen.root()
              + " is "
              + (state == State.ABSENT ? "absent" : "not complete (its archive run did not finish)")
              + "; it cannot replace the live archive");
    }
    int hours = 0;
    int replaced = 0;
    int written = 0;
    long rows = 0;
    if (state == State.COMPLETE) {
      ArchiveCompactor compactor =
          new ArchiveCompactor(s3, bucket, live, settings, clock, hook, n -> {}, () -> {});
      TreeSet<String> tenants = new TreeSet<>(tenants(live));
      tenants.addAll(tenants(gen));
      for (String tenant : tenants) {
        for (LocalDate day = firstDay; !day.isAfter(lastDay); day = day.plusDays(1)) {
          TreeSet<Integer> hoursOfDay = new TreeSet<>(hoursWithObjects(live, tenant, day));
          hoursOfDay.addAll(hoursWithObjects(gen, tenant, day));
          for (int h : hoursOfDay) {
            ArchiveCompactor.Result r = compactor.replaceHour(tenant, day.atTime(h, 0), gen);
            hours += r.hoursCompacted();
            replaced += r.filesReplaced();
            written += r.filesWritten();
            rows += r.rows();
          }
        }
      }
      put(gen.root() + PROMOTED_MARKER, "promoted " + clock.instant());
      LOG.info(
          "Generation {} promoted in the archive: {} .. {}, {} tenant hours replaced ({} files by"
              + " {}, {} rows)",
          name,
          firstDay,
          lastDay,
          hours,
          replaced,
          written,
          rows);
    }
    List<String> leftovers = new ArrayList<>();
    for (S3Object o :
        s3.listObjectsV2Paginator(l -> l.bucket(bucket).prefix(gen.root())).contents()) {
      String rest = o.key().substring(gen.root().length());
      if (!rest.equals(PROMOTED_MARKER) && !rest.equals(COMPLETE_MARKER)) {
        leftovers.add(o.key());
      }
    }
    S3Objects.deleteAll(s3, bucket, leftovers);
    return new Promotion(hours, replaced, written, rows, leftovers.size());
  }

  /**
   * Deletes every object of a generation that is not promoted; the live archive is not touched.
   *
   * @return how many objects were deleted
   * @throws IllegalStateException if the generation is promoted (its hours are the live ones now)
   */
  public int discard(String name) {
    ArchiveLayout gen = layout(live, name);
    if (state(name) == State.PROMOTED) {
      throw new IllegalStateException(
          "generation " + name + " is promoted in the archive; nothing of it can be discarded");
    }
    List<String> keys = new ArrayList<>();
    for (S3Object o :
        s3.listObjectsV2Paginator(l -> l.bucket(bucket).prefix(gen.root())).contents()) {
      keys.add(o.key());
    }
    return S3Objects.deleteAll(s3, bucket, keys);
  }

  /** The tenants with a folder in {@code layout}. */
  private List<String> tenants(ArchiveLayout layout) {
    String start = layout.root() + "tenant=";
    List<String> out = new ArrayList<>();
    for (String folder : S3Objects.folders(s3, bucket, start)) {
      String encoded = folder.substring(start.length(), folder.length() - 1);
      out.add(ArchiveLayout.decodeTenant(encoded));
    }
    return out;
  }

  /** Hours (0-23) of a tenant's day that hold any object in {@code layout}. */
  private List<Integer> hoursWithObjects(ArchiveLayout layout, String tenant, LocalDate day) {
    String dayFolder = layout.dayFolder(tenant, day);
    List<Integer> out = new ArrayList<>();
    for (String folder : S3Objects.folders(s3, bucket, dayFolder)) {
      Matcher m = HOUR_FOLDER.matcher(folder.substring(dayFolder.length()));
      if (m.matches()) {
        out.add(Integer.parseInt(m.group(1)));
      }
    }
    return out;
  }

  private boolean exists(String key) {
    try {
      s3.headObject(h -> h.bucket(bucket).key(key));
      return true;
    } catch (NoSuchKeyException e) {
      return false;
    } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
      if (e.statusCode() == 404) {
        return false;
      }
      throw e;
    }
  }

  private void put(String key, String text) {
    s3.putObject(
        p -> p.bucket(bucket).key(key), RequestBody.fromString(text, StandardCharsets.UTF_8));
  }
}
