package io.spanline.gateway.backfill;

import io.spanline.gateway.ingest.TraceIngestor;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Export requests from a file in one of the OpenTelemetry Collector file exporter's formats: JSON
 * lines (one {@code ExportTraceServiceRequest} in OTLP/JSON a line, {@code format: json}), or
 * protobuf messages each preceded by its length as a 4-byte big-endian unsigned integer ({@code
 * format: proto}); or protobuf messages each preceded by its length as a varint (protobuf's own
 * delimited form, {@code writeDelimitedTo}). Blank JSON lines are skipped. Compressed files ({@code
 * compression: zstd}) are not read: decompress them first.
 */
final class FileSource implements BackfillSource {
  /** The file formats. */
  enum Format {
    /** One OTLP/JSON request a line. */
    JSON,
    /** The file exporter's protobuf: 4-byte big-endian length, then the message. */
    PROTO,
    /** Varint length, then the message. */
    PROTO_DELIMITED
  }

  /** Messages longer than this are taken for a broken file, not allocated. */
  static final int MAX_MESSAGE_BYTES = 256 << 20;

  private final Path file;
  private final Format format;
  private final long size;
  private final Counting counting;
  private final DataInputStream in;
  private long number;

  FileSource(Path file, Format format) throws IOException {
    this.file = file;
    this.format = format;
    this.size = Files.size(file);
    this.counting = new Counting(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
    this.in = new DataInputStream(counting);
  }

  /** The format a file's name suggests: JSON for {@code .json} and {@code .jsonl}, else null. */
  static Format formatOf(Path file) {
    String name = file.getFileName().toString();
    return name.endsWith(".json") || name.endsWith(".jsonl") ? Format.JSON : null;
  }

  @Override
  public Request next() throws IOException {
    return format == Format.JSON ? nextLine() : nextMessage();
  }

  private Request nextLine() throws IOException {
    while (true) {
      byte[] line = readLine();
      if (line == null) {
        return null;
      }
      number++;
      if (!new String(line, StandardCharsets.UTF_8).isBlank()) {
        return new Request(file + " line " + number, null, line, TraceIngestor.Encoding.JSON);
      }
    }
  }

  /** The bytes up to the next {@code \n} (without it, and without a {@code \r} before it). */
  private byte[] readLine() throws IOException {
    java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
    int b = in.read();
    if (b < 0) {
      return null;
    }
    while (b >= 0 && b != '\n') {
      line.write(b);
      b = in.read();
    }
    byte[] bytes = line.toByteArray();
    if (bytes.length > 0 && bytes[bytes.length - 1] == '\r') {
      return java.util.Arrays.copyOf(bytes, bytes.length - 1);
    }
    return bytes;
  }

  private Request nextMessage() throws IOException {
    long at = counting.count;
    int first = in.read();
    if (first < 0) {
      return null;
    }
    number++;
    String position = file + " message " + number + " at byte " + at;
    long length;
    if (format == Format.PROTO) {
      int rest;
      try {
        rest = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
      } catch (EOFException e) {
        throw new IOException(position + ": the file ends inside a 4-byte length", e);
      }
      length = ((long) first << 24) | rest;
    } else {
      length = readVarint(first, position);
    }
    if (length > MAX_MESSAGE_BYTES || length > size - counting.count) {
      throw new IOException(
          position
              + ": a message length of "
              + length
              + " bytes runs past the end of the file (or the file is not in the "
              + format.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
              + " format); nothing after this point can be read");
    }
    byte[] message = new byte[(int) length];
    in.readFully(message);
    return new Request(position, null, message, TraceIngestor.Encoding.PROTOBUF);
  }

  /**
   * The rest of a base-128 varint whose first byte is {@code first} (protobuf's length prefix; the
   * codecs' protobuf types stay in the codec packages, so it is read here).
   */
  private long readVarint(int first, String position) throws IOException {
    long value = first & 0x7F;
    int b = first;
    for (int shift = 7; (b & 0x80) != 0; shift += 7) {
      if (shift > 35) {
        throw new IOException(position + ": malformed varint length (more than 5 bytes)");
      }
      b = in.read();
      if (b < 0) {
        throw new IOException(position + ": the file ends inside a varint length");
      }
      value |= (long) (b & 0x7F) << shift;
    }
    return value;
  }

  @Override
  public long total() {
    return size;
  }

  @Override
  public long done() {
    return counting.count;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  /** Counts the bytes read through it, for positions in messages and progress. */
  private static final class Counting extends FilterInputStream {
    long count;

    Counting(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }
  }
}
