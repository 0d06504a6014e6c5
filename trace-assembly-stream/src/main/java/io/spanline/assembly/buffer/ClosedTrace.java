package io.spanline.assembly.buffer;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * What {@code closed-traces} remembers of a recently closed trace: when the memory expires, the
 * number of its next (late) fragment and the span IDs already emitted, so a late copy of an emitted
 * span is not emitted again. A trace shed by overload shedding is remembered the same way, with
 * next fragment {@value #SHED} and no span IDs, for the idle timeout after its latest span.
 *
 * @param expiresMillis wall-clock expiry, epoch millis
 * @param nextFragment number the next late fragment gets; {@value #SHED} for a shed trace
 * @param emittedSpanIds span IDs emitted in any fragment so far, sorted
 */
record ClosedTrace(long expiresMillis, int nextFragment, long[] emittedSpanIds) {
  /** The {@link #nextFragment} of a trace that was shed, not closed: its later spans are shed. */
  static final int SHED = -1;

  /**
   * The memory of a shed trace: its later spans arriving before {@code expiresMillis} are shed too
   * (overload shedding, {@link TraceShedder}).
   */
  static ClosedTrace shed(long expiresMillis) {
    return new ClosedTrace(expiresMillis, SHED, new long[0]);
  }

  /** Whether the trace was shed rather than closed. */
  boolean wasShed() {
    return nextFragment == SHED;
  }

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
