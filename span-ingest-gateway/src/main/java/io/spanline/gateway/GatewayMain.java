package io.spanline.gateway;

import io.spanline.gateway.config.GatewayConfig;
import io.spanline.gateway.config.GatewayConfigLoader;
import java.util.concurrent.CountDownLatch;

/** Runs the span ingest gateway until SIGTERM or Ctrl-C. Settings: the README's table. */
public final class GatewayMain {
  private GatewayMain() {}

  public static void main(String[] args) throws InterruptedException {
    GatewayConfig config = GatewayConfigLoader.load();
    Gateway gateway = Gateway.start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  gateway.close();
                  stopped.countDown();
                },
                "gateway-shutdown"));
    stopped.await();
  }
}
