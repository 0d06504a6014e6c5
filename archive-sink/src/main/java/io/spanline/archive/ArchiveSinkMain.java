package io.spanline.archive;

import io.spanline.archive.config.ArchiveSinkConfigLoader;
import io.spanline.service.process.UntilShutdown;

/** Runs the archive sink until SIGTERM or Ctrl-C. Settings: the module README's table. */
public final class ArchiveSinkMain {
  private ArchiveSinkMain() {}

  public static void main(String[] args) throws InterruptedException {
    UntilShutdown.run("archive-sink", ArchiveSinkApp.start(ArchiveSinkConfigLoader.load()));
  }
}
