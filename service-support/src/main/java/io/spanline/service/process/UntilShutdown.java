package io.spanline.service.process;

import java.util.concurrent.CountDownLatch;

/** How every Spanline process's {@code main} runs its service: until SIGTERM or Ctrl-C. */
public final class UntilShutdown {
  private UntilShutdown() {}

  /**
   * Blocks until the JVM shuts down; the shutdown hook closes {@code service} first.
   *
   * @param name the process name, for the shutdown hook's thread ({@code <name>-shutdown})
   * @throws InterruptedException if the waiting thread is interrupted
   */
  public static void run(String name, AutoCloseable service) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    service.close();
                  } catch (Exception e) {
                    System.err.println(name + ": closing failed: " + e);
                  } finally {
                    stopped.countDown();
                  }
                },
                name + "-shutdown"));
    stopped.await();
  }
}
