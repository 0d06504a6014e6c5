package io.spanline.sampling.replay;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where a dry run stopped, so a new run continues it and prints the report an uninterrupted run
 * would have: per partition of the assembled topic the next offset to read, and the report's
 * counters up to there, with the traces the new policy kept (tenant/trace ID and their policies, so
 * late fragments read after a restart follow them). JSON, written to a temporary file beside it and
 * renamed over it, so a crash leaves the old checkpoint or the new one, never half of one. Its size
 * grows with the traces the new policy keeps in the range (about 60 bytes each).
 *
 * @param version format version, 1
 * @param topic the assembled-traces topic read
 * @param from start of the range, ISO-8601
 * @param to end of the range, ISO-8601
 * @param policySha256 SHA-256 of the policy file, hex: a checkpoint is refused for another file
 * @param next per partition, the next offset to read
 * @param recordsRead records read so far
 * @param read traces and spans read: {@code [traces, spans]}
 * @param keptByNew {@code [traces, spans]} the new policy keeps
 * @param keptByCurrent {@code [traces, spans]} the running policy kept
 * @param byPolicy per policy name {@code [new traces, new spans, current traces, current spans]}
 * @param byService per root service, as {@code byPolicy}
 * @param newKept {@code tenant/traceId} of traces the new policy kept, with its policies
 * @param unreadable records that could not be read
 * @param unreadableAt the first of them, as {@code topic partition P offset O}
 */
record DryRunCheckpoint(
    int version,
    String topic,
    String from,
    String to,
    String policySha256,
    Map<Integer, Long> next,
    long recordsRead,
    long[] read,
    long[] keptByNew,
    long[] keptByCurrent,
    Map<String, long[]> byPolicy,
    Map<String, long[]> byService,
    Map<String, List<String>> newKept,
    long unreadable,
    List<String> unreadableAt) {

  /** Reads {@code file}, or returns null when it does not exist. */
  static DryRunCheckpoint readIfExists(Path file) throws IOException {
    return Checkpoints.readIfExists(file, DryRunCheckpoint.class);
  }

  /** Writes this checkpoint to {@code file} atomically (temporary file, then rename). */
  void write(Path file) throws IOException {
    Checkpoints.write(file, this);
  }
}
