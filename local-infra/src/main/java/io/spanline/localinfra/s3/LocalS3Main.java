package io.spanline.localinfra.s3;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs one {@link LocalS3} store, objects under a folder, in its own JVM until SIGTERM: {@code
 * LocalS3Main <data dir> <port>}. The chaos suite uses it to take S3 alone down and bring it back
 * with its objects, as an outage of the object store would.
 */
public final class LocalS3Main {
  private LocalS3Main() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: LocalS3Main <data dir> <port>");
      System.exit(2);
    }
    LocalS3 s3 = LocalS3.startFilesystem(Path.of(args[0]), Integer.parseInt(args[1]));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    s3.close();
                  } catch (Exception e) {
                    System.err.println("Stopping the S3 store failed: " + e);
                  }
                  stopped.countDown();
                },
                "s3-shutdown"));
    System.out.println("READY " + s3.endpoint());
    stopped.await();
  }
}
