package io.spanline.storage.archive;

import java.net.URI;
import java.util.Optional;
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
  public static S3Client create(S3Settings settings) {
    return create(
        settings.endpoint(),
        settings.region(),
        settings.pathStyle(),
        settings.accessKey(),
        settings.secretKey());
  }

  /**
   * @param endpoint endpoint override; empty for AWS
   * @param accessKey static credentials; empty for the AWS SDK's default credentials chain
   */
  public static S3Client create(
      Optional<URI> endpoint,
      String region,
      boolean pathStyle,
      String accessKey,
      String secretKey) {
    S3ClientBuilder b =
        S3Client.builder()
            .region(Region.of(region))
            .forcePathStyle(pathStyle)
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .httpClient(UrlConnectionHttpClient.create());
    endpoint.ifPresent(b::endpointOverride);
    if (accessKey.isEmpty()) {
      b.credentialsProvider(DefaultCredentialsProvider.builder().build());
    } else {
      b.credentialsProvider(
          StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)));
    }
    return b.build();
  }
}
