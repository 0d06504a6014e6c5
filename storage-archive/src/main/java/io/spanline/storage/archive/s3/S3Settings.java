package io.spanline.storage.archive.s3;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach the object store: AWS S3 or, with an endpoint, any S3-compatible store.
 *
 * @param endpoint endpoint override ({@code http(s)://host:port}); empty for AWS
 * @param region the bucket's region
 * @param pathStyle path-style requests ({@code endpoint/bucket/key}), which most S3-compatible
 *     stores need
 * @param accessKey static credentials; empty for the AWS SDK's default credentials chain
 * @param secretKey the static credentials' secret; ignored without {@code accessKey}
 */
public record S3Settings(
    Optional<URI> endpoint, String region, boolean pathStyle, String accessKey, String secretKey) {
  public S3Settings {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(accessKey, "accessKey");
    Objects.requireNonNull(secretKey, "secretKey");
  }

  /** Hides the secret key. */
  @Override
  public String toString() {
    return "S3Settings[endpoint="
        + endpoint.map(URI::toString).orElse("AWS")
        + ", region="
        + region
        + ", pathStyle="
        + pathStyle
        + ", accessKey="
        + (accessKey.isEmpty() ? "(default chain)" : accessKey)
        + "]";
  }
}
