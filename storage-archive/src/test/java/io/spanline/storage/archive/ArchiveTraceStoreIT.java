package io.spanline.storage.archive;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.junit.UniqueNames;
import io.spanline.localinfra.s3.LocalS3;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.storage.TraceStore;
import io.spanline.storage.archive.internal.parquet.ParquetTraceWriter;
import io.spanline.storage.archive.internal.s3.S3Uploader;
import io.spanline.storage.archive.testing.ArchiveFixtures;
import io.spanline.storage.testing.TraceStoreConformance;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The storage conformance suite on the cold store: a real S3-compatible server, traces written
 * through the archive sink's write path ({@link ArchiveWriter}: Parquet files per tenant and hour,
 * uploaded under keys of the batch's partition and offsets), each write a batch of its own.
 */
@ExtendWith(LocalInfraExtension.class)
class ArchiveTraceStoreIT extends TraceStoreConformance {
  private static final ArchiveLayout LAYOUT = new ArchiveLayout("spans");
  private static final AtomicLong OFFSETS = new AtomicLong();

  private static S3Client s3;
  private static ArchiveWriter writer;
  private static ArchiveTraceStore store;

  @BeforeAll
  static void start(LocalS3 server) throws Exception {
    String bucket = UniqueNames.unique("conformance");
    s3 =
        S3Clients.create(
            new S3Settings(
                Optional.of(server.endpoint()),
                LocalS3.REGION,
                true,
                LocalS3.ACCESS_KEY,
                LocalS3.SECRET_KEY));
    s3.createBucket(b -> b.bucket(bucket));
    writer =
        new ArchiveWriter(
            new ParquetTraceWriter(1 << 20, 64 << 10),
            new S3Uploader(s3, bucket, 64L << 20, 16L << 20),
            LAYOUT,
            Files.createTempDirectory("archive-conformance"));
    store =
        new ArchiveTraceStore(
            new ColdTraceReader(s3, bucket, LAYOUT, MAX_SPANS), new SimpleMeterRegistry());
  }

  @AfterAll
  static void stop() {
    if (s3 != null) {
      s3.close();
    }
  }

  @Override
  protected TraceStore store() {
    return store;
  }

  @Override
  protected void write(List<SampledTrace> traces) throws Exception {
    long first = OFFSETS.getAndAdd(traces.size());
    writer.write(
        0,
        first,
        first + traces.size() - 1,
        traces.stream().map(ArchiveFixtures.Kept::new).toList(),
        (b, r, t) -> {});
  }
}
