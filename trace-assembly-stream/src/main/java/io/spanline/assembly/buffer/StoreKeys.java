package io.spanline.assembly.buffer;

import io.spanline.schemas.model.TraceId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Bytes;

/**
 * Byte layouts of the assembly stores' keys. A trace key is {@code [tenant length: u16][tenant:
 * UTF-8][trace ID: 16 bytes]}. In {@code trace-buffer} a chunk's key is the trace key followed by
 * {@code 0x01 [chunk number: int32][arrival: epoch millis, int64][spans: int32][fragment: int32]}
 * (big-endian), so a trace's chunks sort together and in arrival order, and the open traces can be
 * rebuilt from the keys alone. {@code closed-traces} is keyed by the trace key.
 */
final class StoreKeys {
  private static final byte CHUNK = 1;
  private static final int CHUNK_SUFFIX = 1 + 4 + 8 + 4 + 4;

  /** What a chunk key says. */
  record Chunk(byte[] traceKey, int number, long arrivalMillis, int spans, int fragment) {}

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

  static Bytes chunk(byte[] traceKey, int number, long arrivalMillis, int spans, int fragment) {
    return Bytes.wrap(
        ByteBuffer.allocate(traceKey.length + CHUNK_SUFFIX)
            .put(traceKey)
            .put(CHUNK)
            .putInt(number)
            .putLong(arrivalMillis)
            .putInt(spans)
            .putInt(fragment)
            .array());
  }

  /** The lowest key a chunk of the trace can have. */
  static Bytes chunksFrom(byte[] traceKey) {
    return Bytes.wrap(ByteBuffer.allocate(traceKey.length + 1).put(traceKey).put(CHUNK).array());
  }

  /** A key above every chunk key of the trace and below any other trace's keys. */
  static Bytes chunksTo(byte[] traceKey) {
    return Bytes.wrap(
        ByteBuffer.allocate(traceKey.length + 1).put(traceKey).put((byte) (CHUNK + 1)).array());
  }

  /**
   * Reads a chunk key.
   *
   * @throws IllegalArgumentException if the key is not a chunk key
   */
  static Chunk chunkOf(Bytes key) {
    byte[] k = key.get();
    ByteBuffer b = ByteBuffer.wrap(k);
    int traceKeyLength = 2 + Short.toUnsignedInt(b.getShort(0)) + 16;
    if (k.length != traceKeyLength + CHUNK_SUFFIX || k[traceKeyLength] != CHUNK) {
      throw new IllegalArgumentException("not a trace-buffer chunk key: " + k.length + " bytes");
    }
    byte[] traceKey = new byte[traceKeyLength];
    System.arraycopy(k, 0, traceKey, 0, traceKeyLength);
    b.position(traceKeyLength + 1);
    return new Chunk(traceKey, b.getInt(), b.getLong(), b.getInt(), b.getInt());
  }
}
