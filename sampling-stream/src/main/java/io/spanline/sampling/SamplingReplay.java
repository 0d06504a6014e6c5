package io.spanline.sampling;

import io.spanline.sampling.config.SamplingConfig;
import io.spanline.sampling.config.SamplingConfigLoader;
import io.spanline.sampling.replay.ReplayCommand;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * The replay and dry-run command line of the sampling stream for other entry points (the launcher's
 * {@code spanline replay}): re-samples a time range of the assembled traces with another policy
 * file. Kafka, schema registry and topics come from the sampling stream's settings ({@code
 * SPANLINE_SAMPLING_*}); with no arguments, {@code --help} or {@code -h} it prints its usage
 * without reading them.
 */
public final class SamplingReplay {
  private SamplingReplay() {}

  /**
   * Runs the command named {@code commandName} in its usage, its progress line on standard error;
   * returns its exit code (0 done, 1 failed, 2 bad arguments, 3 stopped before the end of the range
   * with its {@code --checkpoint} saved: run it again to continue).
   */
  public static int run(String commandName, PrintStream out, String... args) {
    List<String> given = List.of(args);
    boolean help = given.isEmpty() || given.contains("--help") || given.contains("-h");
    return ReplayCommand.runAs(
        commandName,
        help ? SamplingConfigLoader.load(Map.of(), Map.of()) : SamplingConfigLoader.load(),
        out,
        help ? new String[] {"--help"} : args);
  }

  /**
   * Runs the command with the given settings instead of the environment's, its progress line and
   * warnings on {@code err}: for a command that replays as one of its steps ({@code spanline
   * generation create}). Same exit codes as {@link #run(String, PrintStream, String...)}.
   */
  public static int run(
      String commandName,
      SamplingConfig settings,
      PrintStream out,
      PrintStream err,
      String... args) {
    return ReplayCommand.runAs(commandName, settings, out, err, args);
  }
}
