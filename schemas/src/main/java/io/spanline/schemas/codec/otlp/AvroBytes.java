package io.spanline.schemas.codec.otlp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable buffer that writes the Avro binary encoding (Avro specification, "Binary Encoding":
 * zig-zag varints for int and long, little-endian IEEE 754 doubles, length-prefixed bytes and
 * strings, arrays as one counted block and a zero). The subset of Avro's {@code Encoder} that
 * {@link OtlpAvroTranscoder} needs, without its per-call buffering and stream overhead; the
 * transcoder's tests hold its output byte-equal to Avro's own encoder.
 */
final class AvroBytes {
  private byte[] buf;
  private int size;

  AvroBytes(int initialCapacity) {
    buf = new byte[Math.max(16, initialCapacity)];
  }

  int size() {
    return size;
  }

  void reset() {
    size = 0;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }

  private void ensure(int more) {
    if (size + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
    }
  }

  void writeLong(long n) {
    ensure(10);
    long v = (n << 1) ^ (n >> 63);
    while ((v & ~0x7FL) != 0) {
      buf[size++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[size++] = (byte) v;
  }

  /** Avro int: the same zig-zag varint as a long of the same value. */
  void writeInt(int n) {
    writeLong(n);
  }

  void writeBoolean(boolean b) {
    ensure(1);
    buf[size++] = (byte) (b ? 1 : 0);
  }

  void writeDouble(double d) {
    ensure(8);
    long bits = Double.doubleToRawLongBits(d);
    for (int i = 0; i < 8; i++) {
      buf[size++] = (byte) (bits >>> (8 * i));
    }
  }

  /** Bytes or a string already in UTF-8: length, then the bytes. */
  void writeBytes(byte[] src, int off, int len) {
    writeLong(len);
    writeFixed(src, off, len);
  }

  void writeBytes(byte[] src) {
    writeBytes(src, 0, src.length);
  }

  void writeString(String s) {
    writeBytes(s.getBytes(StandardCharsets.UTF_8));
  }

  /** Raw bytes: an Avro fixed, or an already encoded part. */
  void writeFixed(byte[] src, int off, int len) {
    ensure(len);
    System.arraycopy(src, off, buf, size, len);
    size += len;
  }

  void writeFixed(byte[] src) {
    writeFixed(src, 0, src.length);
  }

  /** An array of {@code count} items follows (nothing is written for an empty array yet). */
  void arrayStart(int count) {
    if (count > 0) {
      writeLong(count);
    }
  }

  void arrayEnd() {
    writeLong(0);
  }

  /** Copies {@code len} bytes written here from {@code off} into another buffer. */
  void copyTo(int off, int len, AvroBytes other) {
    other.writeFixed(buf, off, len);
  }
}
