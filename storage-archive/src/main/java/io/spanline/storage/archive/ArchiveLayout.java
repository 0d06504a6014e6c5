package io.spanline.storage.archive;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Object keys of the Parquet archive (the architecture contract's layout): {@code
 * <prefix>/tenant=<t>/date=<YYYY-MM-DD>/hour=<HH>/<partition>-<firstOffset>-<lastOffset>.parquet},
 * Hive-style partition folders over the UTC hour of each trace's (or late fragment's) start. A file
 * holds the records one roll read from one Kafka partition, offsets first to last inclusive, for
 * one tenant and hour; writing the same roll again after a crash makes the same key, which
 * overwrites instead of duplicating.
 *
 * <p>Tenants are URL-encoded in keys only where S3 or Hive would misread them: {@code /}, {@code
 * =}, {@code %} and control characters.
 */
public final class ArchiveLayout {
  private static final Pattern FILE =
      Pattern.compile(
          "tenant=([^/]+)/date=(\\d{4}-\\d{2}-\\d{2})/hour=(\\d{2})/(\\d+)-(\\d+)-(\\d+)\\.parquet");

  private final String prefix;

  /**
   * @param prefix key prefix without leading or trailing slash; "" for the bucket's root
   */
  public ArchiveLayout(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    if (prefix.startsWith("/") || prefix.endsWith("/")) {
      throw new IllegalArgumentException(
          "archive prefix must not start or end with '/', was '" + prefix + "'");
    }
    this.prefix = prefix;
  }

  /** Name (within its hour folder) of the hour's trace-ID index object. */
  public static final String INDEX_NAME = "_trace-ids.idx";

  private static final Pattern COMPACTED =
      Pattern.compile("c-(\\d{13}-[0-9a-f]{8})-(\\d+)\\.parquet");
  private static final Pattern SINK_FILE = Pattern.compile("\\d+-\\d+-\\d+\\.parquet");
  private static final Pattern MANIFEST =
      Pattern.compile("_compaction-(\\d{13}-[0-9a-f]{8})\\.manifest");

  /** The partition folder of a tenant and UTC hour, ending with {@code /}. */
  public String hourFolder(String tenant, LocalDateTime hour) {
    return root()
        + "tenant="
        + encodeTenant(tenant)
        + "/date="
        + hour.toLocalDate()
        + "/hour="
        + String.format("%02d", hour.getHour())
        + "/";
  }

  /** The key of one file. */
  public String fileKey(
      String tenant, LocalDateTime hour, int partition, long firstOffset, long lastOffset) {
    return hourFolder(tenant, hour) + partition + "-" + firstOffset + "-" + lastOffset + ".parquet";
  }

  /** The key of an hour's trace-ID index object ({@link #INDEX_NAME} in the hour folder). */
  public String indexKey(String tenant, LocalDateTime hour) {
    return hourFolder(tenant, hour) + INDEX_NAME;
  }

  /** The folder of a tenant's UTC day, ending with {@code /}. */
  public String dayFolder(String tenant, LocalDate day) {
    return tenantFolder(tenant) + "date=" + day + "/";
  }

  /**
   * Name of the {@code n}th file a compaction writes in an hour folder: {@code
   * c-<compactionId>-<n>.parquet}.
   */
  public static String compactedName(String compactionId, int n) {
    return "c-" + compactionId + "-" + n + ".parquet";
  }

  /** Name of a compaction's manifest in an hour folder: {@code _compaction-<id>.manifest}. */
  public static String manifestName(String compactionId) {
    return "_compaction-" + compactionId + ".manifest";
  }

  /** The compaction ID of a compacted file's name, or empty. */
  static Optional<String> compactionOfFile(String name) {
    Matcher m = COMPACTED.matcher(name);
    return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /** The compaction ID of a manifest's name, or empty. */
  static Optional<String> compactionOfManifest(String name) {
    Matcher m = MANIFEST.matcher(name);
    return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /** Whether a name in an hour folder is a data file (the sink's or a compaction's). */
  static boolean isDataFile(String name) {
    return SINK_FILE.matcher(name).matches() || COMPACTED.matcher(name).matches();
  }

  /** {@code <prefix>/} or "" : where tenant folders start. */
  public String root() {
    return prefix.isEmpty() ? "" : prefix + "/";
  }

  /** {@code <prefix>/tenant=<t>/}. */
  public String tenantFolder(String tenant) {
    return root() + "tenant=" + encodeTenant(tenant) + "/";
  }

  /** The UTC hour (truncated) of an instant in epoch nanoseconds. */
  public static LocalDateTime hourOf(long epochNanos) {
    return LocalDateTime.ofInstant(
            Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L)), ZoneOffset.UTC)
        .truncatedTo(ChronoUnit.HOURS);
  }

  /**
   * Hour folders of a tenant covering {@code [fromEpochNanos, toEpochNanos]}, oldest first.
   *
   * @throws IllegalArgumentException if from is after to, or the range spans more than 366 days
   */
  public List<String> hourFolders(String tenant, long fromEpochNanos, long toEpochNanos) {
    if (fromEpochNanos > toEpochNanos) {
      throw new IllegalArgumentException(
          "from (" + fromEpochNanos + ") is after to (" + toEpochNanos + ")");
    }
    LocalDateTime first = hourOf(fromEpochNanos);
    LocalDateTime last = hourOf(toEpochNanos);
    if (first.plusDays(366).isBefore(last)) {
      throw new IllegalArgumentException("time range longer than 366 days");
    }
    List<String> folders = new ArrayList<>();
    for (LocalDateTime h = first; !h.isAfter(last); h = h.plusHours(1)) {
      folders.add(hourFolder(tenant, h));
    }
    return folders;
  }

  /** The parts of a file key of this layout; empty for any other key. */
  public Optional<FileKey> parse(String key) {
    if (!key.startsWith(root())) {
      return Optional.empty();
    }
    Matcher m = FILE.matcher(key.substring(root().length()));
    if (!m.matches()) {
      return Optional.empty();
    }
    return Optional.of(
        new FileKey(
            decodeTenant(m.group(1)),
            LocalDate.parse(m.group(2)).atTime(Integer.parseInt(m.group(3)), 0),
            Integer.parseInt(m.group(4)),
            Long.parseLong(m.group(5)),
            Long.parseLong(m.group(6))));
  }

  /** The parts of a file key. */
  public record FileKey(
      String tenant, LocalDateTime hour, int partition, long firstOffset, long lastOffset) {}

  static String encodeTenant(String tenant) {
    StringBuilder b = new StringBuilder(tenant.length());
    for (char c : tenant.toCharArray()) {
      if (c == '/' || c == '=' || c == '%' || c < 0x20 || c == 0x7f) {
        b.append('%').append(String.format("%02X", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  static String decodeTenant(String encoded) {
    StringBuilder b = new StringBuilder(encoded.length());
    for (int i = 0; i < encoded.length(); i++) {
      char c = encoded.charAt(i);
      if (c == '%' && i + 2 < encoded.length()) {
        b.append((char) Integer.parseInt(encoded.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
