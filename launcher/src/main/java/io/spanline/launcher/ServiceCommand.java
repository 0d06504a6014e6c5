package io.spanline.launcher;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code spanline <service>}: runs one service until SIGTERM or Ctrl-C. */
@Command(mixinStandardHelpOptions = true, versionProvider = Launcher.Version.class)
final class ServiceCommand implements Callable<Integer> {
  private final Service service;

  ServiceCommand(Service service) {
    this.service = service;
  }

  @Override
  public Integer call() throws Exception {
    service.main().run(new String[0]);
    return 0;
  }

  /** This command with its description and the settings table as the help's footer. */
  CommandLine commandLine() {
    CommandLine line = new CommandLine(this);
    line.setUsageHelpWidth(120);
    line.getCommandSpec()
        .usageMessage()
        .description(
            service.description()
                + " Runs until SIGTERM or Ctrl-C; admin port: /healthz,"
                + " /readyz, /metrics.")
        .footer(Launcher.escape("%n" + SettingsHelp.forService(service)));
    return line;
  }
}
