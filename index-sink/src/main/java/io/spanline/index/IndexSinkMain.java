package io.spanline.index;

import io.spanline.index.config.IndexSinkConfigLoader;
import java.util.concurrent.CountDownLatch;

/** Runs the index sink until SIGTERM or Ctrl-C. Settings: the module README's table. */
public final class IndexSinkMain {
  private IndexSinkMain() {}

  public static void main(String[] args) throws InterruptedException {
    IndexSinkApp app = IndexSinkApp.start(IndexSinkConfigLoader.load());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  app.close();
                  stopped.countDown();
                },
                "index-sink-shutdown"));
    stopped.await();
  }
}
