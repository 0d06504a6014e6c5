package io.spanline.localinfra.s3;

import io.spanline.localinfra.Ports;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real S3-compatible server (S3Proxy) in this JVM, bound to 127.0.0.1, checking AWS Signature
 * V2/V4 with the fixed local credentials {@link #ACCESS_KEY}/{@link #SECRET_KEY}. Clients use
 * path-style access and an endpoint override. Objects live in memory ({@link #startTransient}) or
 * under a folder ({@link #startFilesystem}), where they survive a restart.
 */
public final class LocalS3 implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalS3.class);

  /** Access key ID of the local store. */
  public static final String ACCESS_KEY = "spanline";

  /** Secret access key of the local store. */
  public static final String SECRET_KEY = "spanline-local-secret";

  /** Region to configure clients with; the local store accepts any. */
  public static final String REGION = "us-east-1";

  private final S3Proxy proxy;
  private final Path dataDir;

  private LocalS3(S3Proxy proxy, Path dataDir) {
    this.proxy = proxy;
    this.dataDir = dataDir;
  }

  /** Objects in memory, gone when the server stops. {@code port} 0 picks a free one. */
  public static LocalS3 startTransient(int port) throws Exception {
    return start(new TransientNio2BlobStore(), port, null);
  }

  /** Objects under {@code dataDir}, kept across restarts. {@code port} 0 picks a free one. */
  public static LocalS3 startFilesystem(Path dataDir, int port) throws Exception {
    Files.createDirectories(dataDir);
    return start(new FilesystemNio2BlobStore(dataDir.toAbsolutePath().toString()), port, dataDir);
  }

  private static LocalS3 start(BlobStore store, int port, Path dataDir) throws Exception {
    long started = System.nanoTime();
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(store)
            .endpoint(URI.create("http://127.0.0.1:" + Ports.orFree(port)))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            .build();
    // start() returns once Jetty has bound the port and accepts requests
    proxy.start();
    LocalS3 s3 = new LocalS3(proxy, dataDir);
    LOG.info(
        "S3-compatible store ready on {} in {} ms ({})",
        s3.endpoint(),
        (System.nanoTime() - started) / 1_000_000,
        dataDir == null ? "in memory" : "data " + dataDir);
    return s3;
  }

  /** {@code http://127.0.0.1:<port>}: the endpoint override for S3 clients. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + proxy.getPort());
  }

  public int port() {
    return proxy.getPort();
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
  }
}
