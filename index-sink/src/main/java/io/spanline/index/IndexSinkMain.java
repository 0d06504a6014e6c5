package io.spanline.index;

import io.spanline.index.config.IndexSinkConfigLoader;
import io.spanline.service.process.UntilShutdown;

/** Runs the index sink until SIGTERM or Ctrl-C. Settings: the module README's table. */
public final class IndexSinkMain {
  private IndexSinkMain() {}

  public static void main(String[] args) throws InterruptedException {
    UntilShutdown.run("index-sink", IndexSinkApp.start(IndexSinkConfigLoader.load()));
  }
}
