package io.spanline.localinfra.junit;

import java.util.Locale;
import java.util.UUID;

/**
 * Names that no other test uses, for topics, indices and buckets on the shared servers: a prefix
 * plus 12 random lowercase hex chars, legal as a Kafka topic, an OpenSearch index and an S3 bucket
 * name when the prefix is lowercase letters, digits and hyphens.
 */
public final class UniqueNames {
  private UniqueNames() {}

  public static String unique(String prefix) {
    if (!prefix.matches("[a-z0-9][a-z0-9-]*")) {
      throw new IllegalArgumentException(
          "prefix must be lowercase letters, digits and hyphens, was '" + prefix + "'");
    }
    return prefix
        + "-"
        + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
  }
}
