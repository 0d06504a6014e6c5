package io.spanline.launcher;

import java.util.Locale;
import java.util.Map;

/** The settings table at the end of each subcommand's {@code --help}, built from the defaults. */
final class SettingsHelp {
  private SettingsHelp() {}

  /**
   * A service's settings: where they come from, then one line per key with its default and its
   * environment variable.
   */
  static String forService(Service service) {
    String app = service.app();
    StringBuilder b = new StringBuilder();
    b.append("Settings (defaults < YAML file named by ")
        .append(envName(app, "config.file"))
        .append(" < environment ")
        .append(envName(app, "<key>"))
        .append(" < system property spanline.")
        .append(app)
        .append(".<key>; pass system properties in SPANLINE_JAVA_OPTS):\n");
    b.append(table(service.defaults().get()));
    if (!service.passThrough().isEmpty()) {
      b.append("Also: ").append(service.passThrough()).append(".\n");
    }
    return b.toString();
  }

  /** Local-infra's settings: system property, default, environment variable. */
  static String forLocalInfra(Map<String, String> defaults) {
    return "Local infrastructure settings (system property < environment; all on 127.0.0.1,"
        + " port 0 = a free port; environment variable: the name in upper case, dots as"
        + " underscores, e.g. SPANLINE_KAFKA_PORT):\n"
        + table(defaults);
  }

  /** {@code SPANLINE_<APP>_<KEY>}: upper case, dots and dashes as underscores. */
  static String envName(String app, String key) {
    return ("SPANLINE_" + app + "_" + key)
        .toUpperCase(Locale.ROOT)
        .replace('.', '_')
        .replace('-', '_');
  }

  private static String table(Map<String, String> defaults) {
    int width = defaults.keySet().stream().mapToInt(String::length).max().orElse(0);
    StringBuilder b = new StringBuilder();
    defaults.forEach(
        (key, value) ->
            b.append("  ").append(pad(key, width)).append("  ").append(shown(value)).append('\n'));
    return b.toString();
  }

  private static String shown(String value) {
    return value.isEmpty() ? "(empty)" : value;
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s : s + " ".repeat(width - s.length());
  }
}
