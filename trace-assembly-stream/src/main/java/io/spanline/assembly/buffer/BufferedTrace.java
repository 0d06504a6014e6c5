package io.spanline.assembly.buffer;

import java.nio.ByteBuffer;

/**
 * What {@code trace-buffer} keeps about one open trace besides its chunks: a fixed 44 bytes, so
 * adding a span rewrites only this and the new chunk, never the trace so far.
 *
 * @param firstSeenMillis arrival of the first span (its record's timestamp), epoch millis
 * @param lastSeenMillis latest arrival of a span, epoch millis
 * @param fragment 0 for a new trace, n for the n-th late fragment
 * @param chunks chunks appended so far (the next chunk's number)
 * @param spans spans received, duplicates included
 * @param bytes OTLP bytes received
 * @param dueMillis when its entry in the close index is due, epoch millis
 */
record BufferedTrace(
    long firstSeenMillis,
    long lastSeenMillis,
    int fragment,
    int chunks,
    int spans,
    long bytes,
    long dueMillis) {
  private static final int SIZE = 8 + 8 + 4 + 4 + 4 + 8 + 8;

  static BufferedTrace open(long nowMillis, int fragment, long dueMillis) {
    return new BufferedTrace(nowMillis, nowMillis, fragment, 0, 0, 0, dueMillis);
  }

  BufferedTrace append(long arrivalMillis, int spanCount, int byteCount) {
    return new BufferedTrace(
        Math.min(firstSeenMillis, arrivalMillis),
        Math.max(lastSeenMillis, arrivalMillis),
        fragment,
        chunks + 1,
        spans + spanCount,
        bytes + byteCount,
        dueMillis);
  }

  BufferedTrace dueAt(long millis) {
    return new BufferedTrace(
        firstSeenMillis, lastSeenMillis, fragment, chunks, spans, bytes, millis);
  }

  byte[] encode() {
    return ByteBuffer.allocate(SIZE)
        .putLong(firstSeenMillis)
        .putLong(lastSeenMillis)
        .putInt(fragment)
        .putInt(chunks)
        .putInt(spans)
        .putLong(bytes)
        .putLong(dueMillis)
        .array();
  }

  static BufferedTrace decode(byte[] value) {
    ByteBuffer b = ByteBuffer.wrap(value);
    return new BufferedTrace(
        b.getLong(), b.getLong(), b.getInt(), b.getInt(), b.getInt(), b.getLong(), b.getLong());
  }
}
