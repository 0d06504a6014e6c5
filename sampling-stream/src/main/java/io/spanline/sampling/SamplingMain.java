package io.spanline.sampling;

import io.spanline.sampling.config.SamplingConfigLoader;
import io.spanline.service.process.UntilShutdown;

/** Runs the sampling stream until SIGTERM or Ctrl-C. Settings: the module README's table. */
public final class SamplingMain {
  private SamplingMain() {}

  public static void main(String[] args) throws InterruptedException {
    UntilShutdown.run("sampling", SamplingApp.start(SamplingConfigLoader.load()));
  }
}
