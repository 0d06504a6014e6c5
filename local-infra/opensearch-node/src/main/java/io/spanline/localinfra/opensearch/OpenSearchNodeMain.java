package io.spanline.localinfra.opensearch;

import static org.codelibs.opensearch.runner.OpenSearchRunner.newConfigs;

import java.io.IOException;
import org.codelibs.opensearch.runner.OpenSearchRunner;

/**
 * Runs one real OpenSearch node in this JVM until standard input closes (the parent process ended
 * or asked it to stop), then closes the node cleanly, keeping its data.
 *
 * <p>Arguments: base directory, HTTP port, transport port, cluster name, then any number of extra
 * node settings as {@code key=value} (e.g. {@code http.max_content_length=256kb}). Both ports bind
 * to 127.0.0.1 only; the node forms a single-node cluster.
 */
public final class OpenSearchNodeMain {
  private OpenSearchNodeMain() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 4) {
      System.err.println(
          "usage: OpenSearchNodeMain <base directory> <http port> <transport port> <cluster name>"
              + " [setting=value ...]");
      System.exit(2);
    }
    String basePath = args[0];
    int httpPort = Integer.parseInt(args[1]);
    int transportPort = Integer.parseInt(args[2]);
    String clusterName = args[3];

    OpenSearchRunner runner = new OpenSearchRunner();
    runner.onBuild(
        (index, settings) -> {
          settings.put("http.host", "127.0.0.1");
          settings.put("http.port", httpPort);
          settings.put("transport.host", "127.0.0.1");
          settings.put("transport.port", transportPort);
          settings.put("discovery.type", "single-node");
          // a developer's disk may be fuller than the production watermarks allow
          settings.put("cluster.routing.allocation.disk.threshold_enabled", false);
          for (int i = 4; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) {
              throw new IllegalArgumentException(
                  "node setting must be key=value, was '" + args[i] + "'");
            }
            settings.put(args[i].substring(0, eq), args[i].substring(eq + 1));
          }
        });
    runner.build(newConfigs().basePath(basePath).numOfNode(1).clusterName(clusterName));

    // Parent closes our stdin to stop us (or dies, which closes it too).
    while (System.in.read() >= 0) {
      // ignore input
    }
    runner.getNode(0).close();
    System.exit(0);
  }
}
