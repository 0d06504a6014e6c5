package io.spanline.assembly.buffer;

/**
 * What the trace buffer knows about one open trace besides its chunks, held in memory and rebuilt
 * from the chunk keys when a task starts.
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

  /** Adds a chunk read back from the store (chunks come in key order, numbers from 0). */
  BufferedTrace restore(int chunkNumber, long arrivalMillis, int spanCount, int byteCount) {
    return new BufferedTrace(
        Math.min(firstSeenMillis, arrivalMillis),
        Math.max(lastSeenMillis, arrivalMillis),
        fragment,
        Math.max(chunks, chunkNumber + 1),
        spans + spanCount,
        bytes + byteCount,
        dueMillis);
  }
}
