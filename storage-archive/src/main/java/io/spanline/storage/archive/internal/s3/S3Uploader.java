package io.spanline.storage.archive.internal.s3;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * Uploads a local file to one key: a single PUT up to {@code multipartThreshold}, above it a
 * multipart upload of {@code partBytes} parts (S3's minimum part is 5 MiB), aborted when a part
 * fails so no orphan parts stay behind. Either way the object appears whole or not at all, and a
 * second upload to the same key replaces it.
 */
public final class S3Uploader {
  /** S3's smallest part (except the last). */
  public static final long MIN_PART_BYTES = 5L << 20;

  private final S3Client s3;
  private final String bucket;
  private final long multipartThreshold;
  private final long partBytes;

  /**
   * @throws IllegalArgumentException if parts are smaller than 5 MiB or the threshold is below a
   *     part
   */
  public S3Uploader(S3Client s3, String bucket, long multipartThreshold, long partBytes) {
    if (partBytes < MIN_PART_BYTES || multipartThreshold < partBytes) {
      throw new IllegalArgumentException(
          "multipart parts must be >= 5 MiB and the threshold >= a part, were "
              + partBytes
              + " and "
              + multipartThreshold);
    }
    this.s3 = s3;
    this.bucket = bucket;
    this.multipartThreshold = multipartThreshold;
    this.partBytes = partBytes;
  }

  /** The client uploads go through (shared, not closed). */
  public S3Client s3() {
    return s3;
  }

  /** The bucket uploads go to. */
  public String bucket() {
    return bucket;
  }

  /**
   * @throws IOException if the file cannot be read
   * @throws software.amazon.awssdk.core.exception.SdkException if S3 refuses or cannot be reached
   *     (after the SDK's own retries)
   */
  public void upload(Path file, String key) throws IOException {
    long size = Files.size(file);
    if (size <= multipartThreshold) {
      s3.putObject(p -> p.bucket(bucket).key(key), RequestBody.fromFile(file));
      return;
    }
    String uploadId =
        s3.createMultipartUpload(
                c -> c.bucket(bucket).key(key).contentType("application/vnd.apache.parquet"))
            .uploadId();
    try (InputStream in = Files.newInputStream(file)) {
      List<CompletedPart> parts = new ArrayList<>();
      long offset = 0;
      for (int number = 1; offset < size; number++) {
        long length = Math.min(partBytes, size - offset);
        byte[] part = in.readNBytes((int) length);
        int partNumber = number;
        String etag =
            s3.uploadPart(
                    u -> u.bucket(bucket).key(key).uploadId(uploadId).partNumber(partNumber),
                    RequestBody.fromBytes(part))
                .eTag();
        parts.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
        offset += length;
      }
      s3.completeMultipartUpload(
          c -> c.bucket(bucket).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(parts)));
    } catch (IOException | RuntimeException e) {
      try {
        s3.abortMultipartUpload(a -> a.bucket(bucket).key(key).uploadId(uploadId));
      } catch (RuntimeException abort) {
        e.addSuppressed(abort);
      }
      throw e;
    }
  }
}
