package io.spanline.storage.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.junit.UniqueNames;
import io.spanline.localinfra.s3.LocalS3;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Without static keys, the S3 client takes its credentials from the AWS SDK's default chain (system
 * properties, environment, web identity / IRSA, profile, container and instance metadata), as on
 * EC2, EKS or ECS; tested through the chain's first link, the {@code aws.accessKeyId} and {@code
 * aws.secretAccessKey} system properties, against a store that checks signatures.
 */
@ExtendWith(LocalInfraExtension.class)
class S3CredentialsIT {
  private static S3Client fromDefaultChain(LocalS3 s3) {
    return S3Clients.create(Optional.of(s3.endpoint()), LocalS3.REGION, true, "", "");
  }

  @Test
  void withoutStaticKeys_theDefaultChainsCredentialsAreUsed(LocalS3 s3) {
    String bucket = UniqueNames.unique("chain");
    withChainCredentials(
        LocalS3.ACCESS_KEY,
        LocalS3.SECRET_KEY,
        () -> {
          try (S3Client client = fromDefaultChain(s3)) {
            client.createBucket(b -> b.bucket(bucket));
            assertThat(client.listBuckets().buckets()).anyMatch(b -> b.name().equals(bucket));
          }
        });
  }

  @Test
  void theChainsWrongSecret_isRefusedByTheStore(LocalS3 s3) {
    withChainCredentials(
        LocalS3.ACCESS_KEY,
        "not-the-secret",
        () -> {
          try (S3Client client = fromDefaultChain(s3)) {
            assertThatThrownBy(client::listBuckets)
                .isInstanceOf(S3Exception.class)
                .satisfies(e -> assertThat(((S3Exception) e).statusCode()).isEqualTo(403));
          }
        });
  }

  private static void withChainCredentials(String accessKey, String secretKey, Runnable body) {
    System.setProperty("aws.accessKeyId", accessKey);
    System.setProperty("aws.secretAccessKey", secretKey);
    try {
      body.run();
    } finally {
      System.clearProperty("aws.accessKeyId");
      System.clearProperty("aws.secretAccessKey");
    }
  }
}
