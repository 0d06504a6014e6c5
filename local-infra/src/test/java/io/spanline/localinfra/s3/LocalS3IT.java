package io.spanline.localinfra.s3;

import static io.spanline.localinfra.junit.UniqueNames.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanline.localinfra.junit.LocalInfraExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

@ExtendWith(LocalInfraExtension.class)
class LocalS3IT {
  private static S3Client s3;

  @BeforeAll
  static void connect(LocalS3 server) {
    s3 =
        S3Client.builder()
            .endpointOverride(server.endpoint())
            .forcePathStyle(true)
            .region(Region.of(LocalS3.REGION))
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(LocalS3.ACCESS_KEY, LocalS3.SECRET_KEY)))
            .httpClient(UrlConnectionHttpClient.create())
            .build();
  }

  @AfterAll
  static void disconnect() {
    s3.close();
  }

  @Test
  void putRangedGetListAndDelete() {
    String bucket = unique("archive");
    s3.createBucket(b -> b.bucket(bucket));
    byte[] body = "0123456789abcdefghij".getBytes(StandardCharsets.UTF_8);
    s3.putObject(
        p -> p.bucket(bucket).key("tenant=a/date=2026-11-22/f1.parquet"),
        RequestBody.fromBytes(body));
    s3.putObject(
        p -> p.bucket(bucket).key("tenant=a/date=2026-11-23/f2.parquet"),
        RequestBody.fromString("x"));
    s3.putObject(
        p -> p.bucket(bucket).key("tenant=b/date=2026-11-22/f3.parquet"),
        RequestBody.fromString("y"));

    byte[] range =
        s3.getObjectAsBytes(
                g -> g.bucket(bucket).key("tenant=a/date=2026-11-22/f1.parquet").range("bytes=5-9"))
            .asByteArray();
    assertThat(new String(range, StandardCharsets.UTF_8)).isEqualTo("56789");

    List<String> tenantA =
        s3.listObjectsV2(l -> l.bucket(bucket).prefix("tenant=a/")).contents().stream()
            .map(S3Object::key)
            .toList();
    assertThat(tenantA)
        .containsExactly(
            "tenant=a/date=2026-11-22/f1.parquet", "tenant=a/date=2026-11-23/f2.parquet");

    s3.deleteObject(d -> d.bucket(bucket).key("tenant=a/date=2026-11-23/f2.parquet"));
    assertThat(s3.listObjectsV2(l -> l.bucket(bucket).prefix("tenant=a/")).keyCount()).isEqualTo(1);
    assertThatThrownBy(
            () ->
                s3.getObjectAsBytes(
                    g -> g.bucket(bucket).key("tenant=a/date=2026-11-23/f2.parquet")))
        .isInstanceOf(NoSuchKeyException.class);
  }

  @Test
  void multipartUploadAssemblesTheParts() {
    String bucket = unique("multipart");
    String key = "big.parquet";
    s3.createBucket(b -> b.bucket(bucket));
    byte[] data = new byte[11 * 1024 * 1024];
    new Random(7).nextBytes(data);
    int partSize = 5 * 1024 * 1024;

    String uploadId = s3.createMultipartUpload(c -> c.bucket(bucket).key(key)).uploadId();
    List<CompletedPart> parts = new ArrayList<>();
    for (int offset = 0, n = 1; offset < data.length; offset += partSize, n++) {
      byte[] part = Arrays.copyOfRange(data, offset, Math.min(data.length, offset + partSize));
      int partNumber = n;
      String etag =
          s3.uploadPart(
                  u -> u.bucket(bucket).key(key).uploadId(uploadId).partNumber(partNumber),
                  RequestBody.fromBytes(part))
              .eTag();
      parts.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
    }
    s3.completeMultipartUpload(
        c -> c.bucket(bucket).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(parts)));

    assertThat(parts).hasSize(3);
    assertThat(s3.getObjectAsBytes(g -> g.bucket(bucket).key(key)).asByteArray()).isEqualTo(data);
    byte[] tail =
        s3.getObjectAsBytes(
                g -> g.bucket(bucket).key(key).range("bytes=" + (data.length - 100) + "-"))
            .asByteArray();
    assertThat(tail).isEqualTo(Arrays.copyOfRange(data, data.length - 100, data.length));
  }
}
