package io.spanline.gateway;

import io.spanline.gateway.backfill.BackfillCommand;
import io.spanline.gateway.config.GatewayConfigLoader;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * The gateway's backfill command for other entry points (the launcher's {@code spanline backfill}):
 * loads spans from OTLP files or another Kafka topic into {@code otlp_spans} through the gateway's
 * own validation, limits and redaction. Kafka, topic, limits and redaction come from the gateway's
 * settings ({@code SPANLINE_GATEWAY_*}); with no arguments, {@code --help} or {@code -h} it prints
 * its usage without reading them.
 */
public final class GatewayBackfill {
  private GatewayBackfill() {}

  /**
   * Runs the command named {@code commandName} in its usage; returns its exit code (0 done, 1
   * failed, 2 bad arguments).
   */
  public static int run(String commandName, PrintStream out, PrintStream err, String... args) {
    List<String> given = List.of(args);
    boolean help = given.isEmpty() || given.contains("--help") || given.contains("-h");
    return BackfillCommand.run(
        commandName,
        help ? GatewayConfigLoader.load(Map.of(), Map.of()) : GatewayConfigLoader.load(),
        out,
        err,
        help ? new String[] {"--help"} : args);
  }
}
