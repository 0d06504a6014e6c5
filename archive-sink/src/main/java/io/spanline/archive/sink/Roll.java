package io.spanline.archive.sink;

import io.spanline.schemas.model.StartTimeWindow;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The records one consumer has read from one Kafka partition since its last committed roll: offsets
 * {@code first} to {@code last}, and the kept traces among them with where they go. When the
 * committed offset carries a roll end (a roll that was being uploaded when its consumer died), the
 * roll must end exactly there, so its files get the same names again.
 */
final class Roll {
  /** Prefix of the committed offset's metadata naming the end of a roll being uploaded. */
  static final String ROLL_END = "spanline.archive.roll-end=";

  /**
   * One kept trace (or fragment) of the roll.
   *
   * @param value the record's value as read (Confluent Avro {@code SampledTrace})
   * @param window null when every span of the trace is archived; else the span start times to
   *     archive, the rest having been left out when the record was read
   */
  record Entry(
      String traceId, String tenant, LocalDateTime hour, byte[] value, StartTimeWindow window) {}

  private final Optional<Long> requiredEnd;
  private final List<Entry> entries = new ArrayList<>();
  private long first = -1;
  private long last = -1;
  private long bytes;

  Roll(Optional<Long> requiredEnd) {
    this.requiredEnd = requiredEnd;
  }

  /** The roll end a committed offset's metadata names, if any. */
  static Optional<Long> requiredEnd(String metadata) {
    if (metadata == null || !metadata.startsWith(ROLL_END)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Long.parseLong(metadata.substring(ROLL_END.length())));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Counts a record of the partition; {@code entry} is null for a dead-lettered record. */
  void add(long offset, long recordBytes, Entry entry) {
    if (first < 0) {
      first = offset;
    }
    last = offset;
    bytes += recordBytes;
    if (entry != null) {
      entries.add(entry);
    }
  }

  /**
   * Whether the roll may be uploaded now: it has no required end, or has reached it. A roll that a
   * predecessor was uploading must end exactly where that one did, so that it overwrites the same
   * object rather than writing its records under a second key.
   */
  boolean mayEnd() {
    return requiredEnd.isEmpty() || reachedRequiredEnd();
  }

  /** True once the roll holds the record at (or past) the roll end it must keep. */
  boolean reachedRequiredEnd() {
    return requiredEnd.isPresent() && last >= requiredEnd.get();
  }

  boolean isEmpty() {
    return first < 0;
  }

  long first() {
    return first;
  }

  long last() {
    return last;
  }

  long bytes() {
    return bytes;
  }

  List<Entry> entries() {
    return entries;
  }

  /** The metadata committed with the roll's first offset before its files are uploaded. */
  String endMetadata() {
    return ROLL_END + last;
  }
}
