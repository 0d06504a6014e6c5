package io.spanline.assembly.buffer;

import io.spanline.schemas.model.TraceId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Bytes;

/**
 * Byte layouts of the assembly stores' keys. A trace key is {@code [tenant length: u16][tenant:
 * UTF-8][trace ID: 16 bytes]}; in {@code trace-buffer} it is followed by {@code 0x00} for the
 * trace's {@link BufferedTrace} entry or {@code 0x01 [chunk number: int32 BE]} for its chunks, so a
 * trace's chunks sort together and in arrival order. Index keys are {@code [due: epoch millis,
 * int64 BE][trace key]}, so a range scan up to "now" finds exactly what is due.
 */
final class StoreKeys {
  private static final byte META = 0;
  private static final byte CHUNK = 1;

  private StoreKeys() {}

  static byte[] trace(String tenant, TraceId traceId) {
    byte[] t = tenant.getBytes(StandardCharsets.UTF_8);
    if (t.length > 0xFFFF) {
      throw new IllegalArgumentException("tenant longer than 65535 bytes");
    }
    return ByteBuffer.allocate(2 + t.length + 16)
        .putShort((short) t.length)
        .put(t)
        .putLong(traceId.high())
        .putLong(traceId.low())
        .array();
  }

  static String tenantOf(byte[] traceKey) {
    int len = Short.toUnsignedInt(ByteBuffer.wrap(traceKey).getShort(0));
    return new String(traceKey, 2, len, StandardCharsets.UTF_8);
  }

  static TraceId traceIdOf(byte[] traceKey) {
    ByteBuffer b = ByteBuffer.wrap(traceKey);
    int off = traceKey.length - 16;
    return new TraceId(b.getLong(off), b.getLong(off + 8));
  }

  static Bytes meta(byte[] traceKey) {
    return Bytes.wrap(ByteBuffer.allocate(traceKey.length + 1).put(traceKey).put(META).array());
  }

  static Bytes chunk(byte[] traceKey, int number) {
    return Bytes.wrap(
        ByteBuffer.allocate(traceKey.length + 5).put(traceKey).put(CHUNK).putInt(number).array());
  }

  static Bytes indexed(long dueMillis, byte[] traceKey) {
    return Bytes.wrap(
        ByteBuffer.allocate(8 + traceKey.length).putLong(dueMillis).put(traceKey).array());
  }

  /** The smallest index key after every entry due at or before {@code dueMillis}. */
  static Bytes indexedAfter(long dueMillis) {
    return Bytes.wrap(ByteBuffer.allocate(8).putLong(dueMillis + 1).array());
  }

  static long dueOf(Bytes indexKey) {
    return ByteBuffer.wrap(indexKey.get()).getLong(0);
  }

  static byte[] traceKeyOf(Bytes indexKey) {
    byte[] k = indexKey.get();
    byte[] out = new byte[k.length - 8];
    System.arraycopy(k, 8, out, 0, out.length);
    return out;
  }
}
