package io.spanline.storage.archive.internal.s3;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;

/**
 * Listing "folders" and deleting objects in batches, shared by the retention sweep and compaction.
 */
public final class S3Objects {
  /** Most keys one DeleteObjects request may name (S3 API reference, DeleteObjects). */
  public static final int MAX_KEYS = 1000;

  private S3Objects() {}

  /**
   * The "folders" right under {@code prefix}: common prefixes of a delimited listing, each ending
   * in {@code /}, in S3's (lexicographic) order.
   */
  public static List<String> folders(S3Client s3, String bucket, String prefix) {
    List<String> out = new ArrayList<>();
    for (CommonPrefix p :
        s3.listObjectsV2Paginator(l -> l.bucket(bucket).prefix(prefix).delimiter("/"))
            .commonPrefixes()) {
      out.add(p.prefix());
    }
    return out;
  }

  /**
   * Deletes {@code keys}, {@value #MAX_KEYS} per request (quiet mode: only failures come back). A
   * key that does not exist counts as deleted, as S3 answers.
   *
   * @return how many keys were deleted
   * @throws IllegalStateException naming how many objects S3 refused to delete and the first one's
   *     key and message
   */
  public static int deleteAll(S3Client s3, String bucket, List<String> keys) {
    for (int i = 0; i < keys.size(); i += MAX_KEYS) {
      List<ObjectIdentifier> batch =
          keys.subList(i, Math.min(keys.size(), i + MAX_KEYS)).stream()
              .map(k -> ObjectIdentifier.builder().key(k).build())
              .toList();
      DeleteObjectsResponse response =
          s3.deleteObjects(d -> d.bucket(bucket).delete(del -> del.objects(batch).quiet(true)));
      if (response.hasErrors() && !response.errors().isEmpty()) {
        throw new IllegalStateException(
            "S3 refused to delete "
                + response.errors().size()
                + " objects, e.g. "
                + response.errors().get(0).key()
                + ": "
                + response.errors().get(0).message());
      }
    }
    return keys.size();
  }
}
