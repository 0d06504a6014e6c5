package io.spanline.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.archive.config.ArchiveSinkConfigLoader;
import io.spanline.assembly.config.AssemblyConfigLoader;
import io.spanline.gateway.config.GatewayConfigLoader;
import io.spanline.index.config.IndexSinkConfigLoader;
import io.spanline.localinfra.LocalInfraConfig;
import io.spanline.query.config.QueryConfigLoader;
import io.spanline.sampling.config.SamplingConfigLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class LauncherHelpTest {
  private static final Path CONFIG = Path.of("src/dist/config");

  @Test
  void everySubcommandOfTheIssueExists() {
    assertThat(Launcher.commandLine().getSubcommands().keySet())
        .containsExactly(
            "up",
            "gateway",
            "assembly",
            "sampling",
            "index-sink",
            "archive-sink",
            "query",
            "replay",
            "backfill",
            "generation",
            "local-infra");
  }

  @Test
  void serviceHelp_listsEveryKeyOfItsLoaderWithItsDefault() {
    for (Service service : Service.ALL) {
      // Given the loader's own defaults
      Map<String, String> defaults = service.defaults().get();
      assertThat(defaults).as(service.command()).isNotEmpty();

      // When
      Result help = run(service.command(), "--help");

      // Then every key is on a line of its own with its default
      assertThat(help.exitCode()).isZero();
      List<String> lines = help.out().lines().map(String::strip).toList();
      defaults.forEach(
          (key, value) ->
              assertThat(lines)
                  .as("%s --help lists %s", service.command(), key)
                  .anyMatch(
                      line ->
                          line.startsWith(key + " ")
                              && (value.isEmpty()
                                  ? line.endsWith("(empty)")
                                  : line.contains(value.length() > 60 ? "" : value))));
      assertThat(help.out())
          .contains("SPANLINE_" + service.app().toUpperCase() + "_CONFIG_FILE")
          .contains("spanline." + service.app() + ".<key>");
    }
  }

  @Test
  void serviceHelp_usesTheLoadersOwnMaps() {
    assertThat(byCommand("gateway")).isEqualTo(GatewayConfigLoader.settingDefaults());
    assertThat(byCommand("assembly")).isEqualTo(AssemblyConfigLoader.settingDefaults());
    assertThat(byCommand("sampling")).isEqualTo(SamplingConfigLoader.settingDefaults());
    assertThat(byCommand("index-sink")).isEqualTo(IndexSinkConfigLoader.settingDefaults());
    assertThat(byCommand("archive-sink")).isEqualTo(ArchiveSinkConfigLoader.settingDefaults());
    assertThat(byCommand("query")).isEqualTo(QueryConfigLoader.settingDefaults());
  }

  @Test
  void upAndLocalInfraHelp_listTheLocalInfrastructureSettings() {
    for (String command : List.of("up", "local-infra")) {
      Result help = run(command, "--help");
      assertThat(help.exitCode()).isZero();
      LocalInfraConfig.settingDefaults()
          .forEach(
              (key, value) ->
                  assertThat(help.out().lines().map(String::strip))
                      .as("%s --help lists %s", command, key)
                      .anyMatch(line -> line.startsWith(key + " ") && line.endsWith(" " + value)));
    }
    assertThat(run("up", "--help").out()).contains("--demo");
  }

  @Test
  void replayHelp_showsTheReplayCommandsOptions() {
    // the replay command prints its usage to System.out
    PrintStream original = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    int exitCode;
    try {
      System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
      exitCode = run("replay", "--help").exitCode();
    } finally {
      System.setOut(original);
    }
    assertThat(exitCode).isZero();
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains("Usage: spanline replay", "--policy", "--from", "--to", "--dry-run");
  }

  @Test
  void replayHelp_showsProgressCheckpointRateAndReportOptions() {
    String help = printedBy("replay", "--help");
    assertThat(help)
        .contains(
            "--checkpoint",
            "--max-records",
            "--rate",
            "--rate-unit",
            "--output",
            "--report",
            "--progress");
  }

  @Test
  void backfillHelp_showsTheBackfillCommandsOptions() {
    String help = printedBy("backfill", "--help");
    assertThat(help)
        .contains(
            "Usage: spanline backfill",
            "FILE",
            "--format",
            "--source-topic",
            "--tenant",
            "--tenant-header",
            "--max-age");
  }

  /** What {@code spanline <args>} prints to System.out (where the delegated commands print). */
  @Test
  void generationHelp_listsItsStepsAndTheCreateOptionsWithDefaults() {
    Result generation = run("generation", "--help");
    assertThat(generation.exitCode()).isZero();
    assertThat(generation.out()).contains("create", "compare", "promote", "discard");
    Result create = run("generation", "create", "--help");
    assertThat(create.exitCode()).isZero();
    assertThat(create.out())
        .contains(
            "Usage: spanline generation create",
            "--policy",
            "--from",
            "midnight UTC",
            "--checkpoint",
            "--rate",
            "--max-records",
            "Default: PT6H");
    assertThat(run("generation", "compare", "--help").out()).contains("TABLE, JSON");
  }

  @Test
  void generationCreate_refusesARangeThatIsNotWholeUtcDays() {
    Result r =
        run(
            "generation",
            "create",
            "g2",
            "--policy",
            "pom.xml",
            "--from",
            "2026-11-22T10:00:00Z",
            "--to",
            "2026-11-23T00:00:00Z");
    assertThat(r.exitCode()).isEqualTo(2);
  }

  private static String printedBy(String... args) {
    PrintStream original = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
      assertThat(run(args).exitCode()).isZero();
    } finally {
      System.setOut(original);
    }
    return printed.toString(StandardCharsets.UTF_8);
  }

  @Test
  void exampleConfigFiles_areAcceptedByTheStrictLoaders() {
    Map<String, Function<Map<String, String>, ?>> loaders =
        Map.of(
            "gateway.yaml",
            env -> GatewayConfigLoader.load(env, Map.of()),
            "assembly.yaml",
            env -> AssemblyConfigLoader.load(env, Map.of()),
            "sampling.yaml",
            env -> SamplingConfigLoader.load(env, Map.of()),
            "index-sink.yaml",
            env -> IndexSinkConfigLoader.load(env, Map.of()),
            "archive-sink.yaml",
            env -> ArchiveSinkConfigLoader.load(env, Map.of()),
            "query.yaml",
            env -> QueryConfigLoader.load(env, Map.of()));
    Map<String, String> apps =
        Map.of(
            "gateway.yaml", "GATEWAY",
            "assembly.yaml", "ASSEMBLY",
            "sampling.yaml", "SAMPLING",
            "index-sink.yaml", "INDEX",
            "archive-sink.yaml", "ARCHIVE",
            "query.yaml", "QUERY");
    loaders.forEach(
        (file, load) -> {
          String app = apps.get(file);
          Map<String, String> env = new HashMap<>();
          env.put(
              "SPANLINE_" + app + "_CONFIG_FILE", CONFIG.resolve(file).toAbsolutePath().toString());
          if (app.equals("GATEWAY") || app.equals("QUERY")) {
            // the examples turn authentication on; the keys come from the environment
            env.put("SPANLINE_" + app + "_API_KEYS", "a-key=default");
          }
          assertThat(load.apply(env)).as(file).isNotNull();
        });
  }

  private static Map<String, String> byCommand(String command) {
    return Service.ALL.stream()
        .filter(s -> s.command().equals(command))
        .findFirst()
        .orElseThrow()
        .defaults()
        .get();
  }

  private record Result(int exitCode, String out) {}

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    CommandLine line = Launcher.commandLine();
    line.setOut(new PrintWriter(out, true));
    int code = line.execute(args);
    return new Result(code, out.toString());
  }
}
