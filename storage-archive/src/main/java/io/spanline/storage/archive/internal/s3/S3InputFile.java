package io.spanline.storage.archive.internal.s3;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A Parquet {@link InputFile} over one S3 object that reads with ranged GETs only what the Parquet
 * reader asks for: the footer, bloom filters, the column chunks or pages it keeps. A small read
 * within the last {@code tailFetch} bytes fetches that whole tail (the footer's length, then the
 * footer itself, in one request); other reads smaller than 4 KiB fetch 4 KiB (thrift headers are
 * read a few bytes at a time). Every byte fetched is added to {@code fetched}.
 */
public final class S3InputFile implements InputFile {
  private final S3Client s3;
  private final String bucket;
  private final String key;
  private final long length;
  private static final int MINIMUM_FETCH = 4096;

  private final int tailFetch;
  private final LongAdder fetched;
  private final LongAdder requests;

  /**
   * @param length the object's size (from a listing, so no HEAD request is needed)
   */
  public S3InputFile(
      S3Client s3,
      String bucket,
      String key,
      long length,
      int tailFetch,
      LongAdder fetched,
      LongAdder requests) {
    this.s3 = s3;
    this.bucket = bucket;
    this.key = key;
    this.length = length;
    this.tailFetch = tailFetch;
    this.fetched = fetched;
    this.requests = requests;
  }

  @Override
  public long getLength() {
    return length;
  }

  @Override
  public SeekableInputStream newStream() {
    return new RangedStream();
  }

  @Override
  public String toString() {
    return "s3://" + bucket + "/" + key;
  }

  /** Reads through a buffer holding the last range fetched. */
  private final class RangedStream extends SeekableInputStream {
    private long pos;
    private byte[] buffer = new byte[0];
    private long bufferStart;

    @Override
    public long getPos() {
      return pos;
    }

    @Override
    public void seek(long newPos) throws IOException {
      if (newPos < 0 || newPos > length) {
        throw new EOFException("seek to " + newPos + " outside " + S3InputFile.this);
      }
      pos = newPos;
    }

    @Override
    public int read() throws IOException {
      if (pos >= length) {
        return -1;
      }
      ensure(1);
      return buffer[(int) (pos++ - bufferStart)] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (pos >= length) {
        return -1;
      }
      int n = (int) Math.min(len, length - pos);
      ensure(n);
      System.arraycopy(buffer, (int) (pos - bufferStart), b, off, n);
      pos += n;
      return n;
    }

    @Override
    public void readFully(byte[] bytes) throws IOException {
      readFully(bytes, 0, bytes.length);
    }

    @Override
    public void readFully(byte[] bytes, int start, int len) throws IOException {
      if (pos + len > length) {
        throw new EOFException(
            "reading " + len + " bytes at " + pos + " past the end of " + S3InputFile.this);
      }
      read(bytes, start, len);
    }

    @Override
    public int read(ByteBuffer buf) throws IOException {
      int len = buf.remaining();
      if (len == 0) {
        return 0;
      }
      if (pos >= length) {
        return -1;
      }
      int n = (int) Math.min(len, length - pos);
      ensure(n);
      buf.put(buffer, (int) (pos - bufferStart), n);
      pos += n;
      return n;
    }

    @Override
    public void readFully(ByteBuffer buf) throws IOException {
      if (pos + buf.remaining() > length) {
        throw new EOFException(
            "reading "
                + buf.remaining()
                + " bytes at "
                + pos
                + " past the end of "
                + S3InputFile.this);
      }
      read(buf);
    }

    /** Makes the buffer hold {@code [pos, pos + n)}, fetching it (and a minimum) if it does not. */
    private void ensure(int n) throws IOException {
      if (pos >= bufferStart && pos + n <= bufferStart + buffer.length) {
        return;
      }
      long end = Math.min(length, pos + Math.max(n, MINIMUM_FETCH)) - 1;
      long from = pos;
      // A small read near the end (the footer's length) takes the tail in the same request.
      if (n < tailFetch && length - pos <= tailFetch) {
        from = Math.max(0, length - tailFetch);
        end = length - 1;
      }
      String range = "bytes=" + from + "-" + end;
      try {
        buffer = s3.getObjectAsBytes(g -> g.bucket(bucket).key(key).range(range)).asByteArray();
      } catch (SdkException e) {
        throw new IOException("ranged GET " + range + " of " + S3InputFile.this + " failed", e);
      }
      bufferStart = from;
      requests.increment();
      fetched.add(buffer.length);
      if (buffer.length < end - from + 1) {
        throw new EOFException("short ranged GET " + range + " of " + S3InputFile.this);
      }
    }
  }
}
