package io.spanline.assembly;

import io.spanline.assembly.config.AssemblyConfigLoader;
import java.util.concurrent.CountDownLatch;

/** Runs the trace assembly stream until SIGTERM or Ctrl-C. Settings: the module README's table. */
public final class TraceAssemblyMain {
  private TraceAssemblyMain() {}

  public static void main(String[] args) throws InterruptedException {
    TraceAssemblyApp app = TraceAssemblyApp.start(AssemblyConfigLoader.load());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  app.close();
                  stopped.countDown();
                },
                "assembly-shutdown"));
    stopped.await();
  }
}
