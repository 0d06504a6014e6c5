package io.spanline.sampling;

import io.spanline.sampling.config.SamplingConfigLoader;
import java.util.concurrent.CountDownLatch;

/** Runs the sampling stream until SIGTERM or Ctrl-C. Settings: the module README's table. */
public final class SamplingMain {
  private SamplingMain() {}

  public static void main(String[] args) throws InterruptedException {
    SamplingApp app = SamplingApp.start(SamplingConfigLoader.load());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  app.close();
                  stopped.countDown();
                },
                "sampling-shutdown"));
    stopped.await();
  }
}
