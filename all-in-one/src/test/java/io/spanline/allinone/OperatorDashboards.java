package io.spanline.allinone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The shipped Grafana dashboard and Prometheus rules, and the metric names their queries use. */
final class OperatorDashboards {
  /** The repository's {@code docs/}: tests run in the module folder. */
  static final Path DOCS = Path.of("..", "docs").toAbsolutePath().normalize();

  static final Path DASHBOARD = DOCS.resolve("grafana/dashboards/spanline.json");
  static final Path ALERTS = DOCS.resolve("prometheus/alerts.yaml");
  static final Path ALERT_TESTS = DOCS.resolve("prometheus/alerts-test.yaml");

  private static final Set<String> KEYWORDS =
      Set.of(
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "and",
          "or",
          "unless",
          "bool",
          "offset",
          "inf",
          "nan");
  private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

  private OperatorDashboards() {}

  /** Every PromQL expression of the dashboard's panels. */
  static List<String> dashboardExpressions() {
    List<String> out = new ArrayList<>();
    collect(read(new ObjectMapper(), DASHBOARD), out);
    return out;
  }

  /** Every rule's expression. */
  static List<String> ruleExpressions() {
    List<String> out = new ArrayList<>();
    for (JsonNode group : read(new ObjectMapper(new YAMLFactory()), ALERTS).path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        out.add(rule.path("expr").asText());
      }
    }
    return out;
  }

  /** The metric names the dashboard and the rules read. */
  static Set<String> metricNames() {
    Set<String> names = new TreeSet<>();
    dashboardExpressions().forEach(e -> names.addAll(metricNames(e)));
    ruleExpressions().forEach(e -> names.addAll(metricNames(e)));
    return names;
  }

  /**
   * The metric names of one expression: identifiers that are not functions, keywords, label names
   * (inside braces or after by/without/on/ignoring) or Grafana variables.
   */
  static Set<String> metricNames(String expr) {
    String s =
        expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
            .replaceAll("\\$\\{?[a-zA-Z_]+\\}?", "")
            .replaceAll("\\{[^}]*\\}", " ")
            .replaceAll("\\[[^]]*\\]", " ")
            .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
    Set<String> out = new TreeSet<>();
    Matcher m = IDENTIFIER.matcher(s);
    while (m.find()) {
      String id = m.group();
      int next = m.end();
      while (next < s.length() && s.charAt(next) == ' ') {
        next++;
      }
      boolean function = next < s.length() && s.charAt(next) == '(';
      boolean number = m.start() > 0 && Character.isDigit(s.charAt(m.start() - 1));
      if (!function && !number && !KEYWORDS.contains(id.toLowerCase(java.util.Locale.ROOT))) {
        out.add(id);
      }
    }
    return out;
  }

  private static void collect(JsonNode node, List<String> out) {
    if (node.isObject()) {
      node.fields()
          .forEachRemaining(
              f -> {
                if (f.getKey().equals("expr") && f.getValue().isTextual()) {
                  out.add(f.getValue().asText());
                } else {
                  collect(f.getValue(), out);
                }
              });
    } else if (node.isArray()) {
      node.forEach(n -> collect(n, out));
    }
  }

  private static JsonNode read(ObjectMapper mapper, Path file) {
    try {
      return mapper.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
