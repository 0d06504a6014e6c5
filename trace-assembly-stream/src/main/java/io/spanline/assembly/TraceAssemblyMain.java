package io.spanline.assembly;

import io.spanline.assembly.config.AssemblyConfigLoader;
import io.spanline.service.process.UntilShutdown;

/** Runs the trace assembly stream until SIGTERM or Ctrl-C. Settings: the module README's table. */
public final class TraceAssemblyMain {
  private TraceAssemblyMain() {}

  public static void main(String[] args) throws InterruptedException {
    UntilShutdown.run("assembly", TraceAssemblyApp.start(AssemblyConfigLoader.load()));
  }
}
