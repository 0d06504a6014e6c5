package io.spanline.assembly.buffer;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * What {@code closed-traces} remembers of a recently closed trace: when the memory expires, the
 * number of its next (late) fragment and the span IDs already emitted, so a late copy of an emitted
 * span is not emitted again.
 *
 * @param expiresMillis wall-clock expiry, epoch millis
 * @param nextFragment number the next late fragment gets
 * @param emittedSpanIds span IDs emitted in any fragment so far, sorted
 */
record ClosedTrace(long expiresMillis, int nextFragment, long[] emittedSpanIds) {

  boolean emitted(long spanId) {
    return Arrays.binarySearch(emittedSpanIds, spanId) >= 0;
  }

  /** A copy expiring at {@code expiresMillis}, with more emitted IDs and the next fragment. */
  ClosedTrace next(long expiresMillis, int nextFragment, long[] newlyEmitted) {
    long[] all = Arrays.copyOf(emittedSpanIds, emittedSpanIds.length + newlyEmitted.length);
    System.arraycopy(newlyEmitted, 0, all, emittedSpanIds.length, newlyEmitted.length);
    Arrays.sort(all);
    return new ClosedTrace(expiresMillis, nextFragment, all);
  }

  static ClosedTrace none() {
    return new ClosedTrace(0, 0, new long[0]);
  }

  byte[] encode() {
    ByteBuffer b = ByteBuffer.allocate(8 + 4 + 4 + 8 * emittedSpanIds.length);
    b.putLong(expiresMillis).putInt(nextFragment).putInt(emittedSpanIds.length);
    for (long id : emittedSpanIds) {
      b.putLong(id);
    }
    return b.array();
  }

  /** The expiry of an encoded entry, without reading its span IDs. */
  static long expiresOf(byte[] value) {
    return ByteBuffer.wrap(value).getLong(0);
  }

  static ClosedTrace decode(byte[] value) {
    ByteBuffer b = ByteBuffer.wrap(value);
    long expires = b.getLong();
    int next = b.getInt();
    long[] ids = new long[b.getInt()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = b.getLong();
    }
    return new ClosedTrace(expires, next, ids);
  }
}
