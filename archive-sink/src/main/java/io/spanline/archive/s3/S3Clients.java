package io.spanline.archive.s3;

import io.spanline.archive.config.ArchiveSinkConfig;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/** S3 clients as the settings describe them (AWS SDK v2, URL-connection HTTP client). */
public final class S3Clients {
  private S3Clients() {}

  /**
   * A client for AWS or, with {@code s3.endpoint}, any S3-compatible store. Checksums are computed
   * and validated only where S3 requires them, which S3-compatible stores that predate the SDK's
   * default CRC checksums also accept.
   */
  public static S3Client create(ArchiveSinkConfig config) {
    S3ClientBuilder b =
        S3Client.builder()
            .region(Region.of(config.s3Region()))
            .forcePathStyle(config.pathStyle())
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .httpClient(UrlConnectionHttpClient.create());
    config.s3Endpoint().ifPresent(b::endpointOverride);
    if (config.s3AccessKey().isEmpty()) {
      b.credentialsProvider(DefaultCredentialsProvider.builder().build());
    } else {
      b.credentialsProvider(
          StaticCredentialsProvider.create(
              AwsBasicCredentials.create(config.s3AccessKey(), config.s3SecretKey())));
    }
    return b.build();
  }
}
