package io.spanline.gateway;

import io.spanline.gateway.config.GatewayConfig;
import io.spanline.gateway.config.GatewayConfigLoader;
import io.spanline.service.process.UntilShutdown;

/** Runs the span ingest gateway until SIGTERM or Ctrl-C. Settings: the README's table. */
public final class GatewayMain {
  private GatewayMain() {}

  public static void main(String[] args) throws InterruptedException {
    GatewayConfig config = GatewayConfigLoader.load();
    UntilShutdown.run("gateway", Gateway.start(config));
  }
}
