package io.spanline.query;

import io.spanline.query.config.QueryConfigLoader;
import io.spanline.service.process.UntilShutdown;

/** Runs the query service until SIGTERM or Ctrl-C. Settings: the module README's table. */
public final class QueryServiceMain {
  private QueryServiceMain() {}

  public static void main(String[] args) throws InterruptedException {
    UntilShutdown.run("query-service", QueryServiceApp.start(QueryConfigLoader.load()));
  }
}
