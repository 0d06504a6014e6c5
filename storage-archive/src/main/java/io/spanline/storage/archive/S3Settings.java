package io.spanline.storage.archive;

import io.spanline.service.config.Settings;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

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

  /**
   * S3's bucket naming rules (3–63 characters of a–z, 0–9, '.', '-', starting and ending alike).
   */
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

  /**
   * From the keys {@code <prefix>endpoint} (an {@code http(s)://host:port} URL, or empty for AWS),
   * {@code <prefix>region}, {@code <prefix>path-style}, {@code <prefix>access-key} and {@code
   * <prefix>secret-key}, e.g. with prefix {@code s3.}; the app's defaults name them.
   *
   * @throws IllegalArgumentException naming the key of a bad value
   */
  public static S3Settings from(Settings settings, String prefix) {
    return new S3Settings(
        settings.optionalHttpUrl(prefix + "endpoint"),
        settings.get(prefix + "region"),
        settings.bool(prefix + "path-style"),
        settings.get(prefix + "access-key"),
        settings.get(prefix + "secret-key"));
  }

  /**
   * The bucket named by {@code key}.
   *
   * @throws IllegalArgumentException naming the key if the value breaks S3's bucket naming rules
   */
  public static String bucket(Settings settings, String key) {
    String bucket = settings.get(key);
    if (!BUCKET.matcher(bucket).matches()) {
      throw new IllegalArgumentException(
          "Invalid value for property "
              + key
              + "="
              + bucket
              + ". Must be an S3 bucket name: 3-63 chars of a-z, 0-9, '.', '-'.");
    }
    return bucket;
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
