package io.spanline.allinone;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The shipped alert rules pass {@code promtool check rules} and {@code promtool test rules}
 * (Debian's {@code prometheus} package; {@code .ci/run} installs it): missing promtool fails this
 * test, it never skips. The dashboard is well-formed and every alert has a unit test. That every
 * metric name exists in a running service is {@link OperatorMetricsIT}'s part.
 */
class OperatorDashboardsTest {
  private static final String PROMTOOL = "promtool";

  @Test
  void alertRulesPassPromtoolCheck() throws Exception {
    assertThat(promtool("check", "rules", OperatorDashboards.ALERTS.toString()))
        .contains("SUCCESS");
  }

  @Test
  void alertRulesPassTheirPromtoolUnitTests() throws Exception {
    assertThat(promtool("test", "rules", OperatorDashboards.ALERT_TESTS.toString()))
        .contains("SUCCESS");
  }

  @Test
  void everyAlertHasAUnitTest() throws Exception {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    Set<String> alerts = new TreeSet<>();
    for (JsonNode group : yaml.readTree(OperatorDashboards.ALERTS.toFile()).path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        if (rule.has("alert")) {
          alerts.add(rule.path("alert").asText());
          assertThat(rule.path("annotations").path("summary").asText())
              .as(rule.path("alert").asText())
              .isNotBlank();
        }
      }
    }
    Set<String> tested = new TreeSet<>();
    for (JsonNode test : yaml.readTree(OperatorDashboards.ALERT_TESTS.toFile()).path("tests")) {
      for (JsonNode check : test.path("alert_rule_test")) {
        if (!check.path("exp_alerts").isEmpty()) {
          tested.add(check.path("alertname").asText());
        }
      }
    }
    assertThat(alerts).isNotEmpty();
    assertThat(tested).as("alerts that fire in a promtool test").containsAll(alerts);
  }

  @Test
  void dashboardPanelsEachHaveATitleAndQueries() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(OperatorDashboards.DASHBOARD.toFile());
    assertThat(dashboard.path("uid").asText()).isEqualTo("spanline");
    List<String> titles = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      if (panel.path("type").asText().equals("row")) {
        continue;
      }
      titles.add(panel.path("title").asText());
      assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
      panel
          .path("targets")
          .forEach(
              t ->
                  assertThat(OperatorDashboards.metricNames(t.path("expr").asText()))
                      .as(panel.path("title").asText())
                      .isNotEmpty());
    }
    assertThat(titles).doesNotHaveDuplicates().hasSizeGreaterThanOrEqualTo(12);
  }

  @Test
  void metricNamesAreReadFromExpressions() {
    assertThat(
            OperatorDashboards.metricNames(
                "histogram_quantile(0.99, sum by (le, service) (rate(spanline_spans_seconds_bucket"
                    + "{tenant=~\"$tenant\", status=\"ERROR\"}[$__rate_interval]))) > 0.5 and on"
                    + " (group) max(spanline_consumer_lag_seconds) offset 5m"))
        .containsExactlyInAnyOrder(
            "spanline_spans_seconds_bucket", "spanline_consumer_lag_seconds");
  }

  /** Runs promtool in the repository root; fails with its output when it exits non-zero. */
  private static String promtool(String... args) throws Exception {
    Path binary = findOnPath(PROMTOOL);
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.addAll(List.of(args));
    Process p =
        new ProcessBuilder(command)
            .directory(OperatorDashboards.DOCS.getParent().toFile())
            .redirectErrorStream(true)
            .start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
    String output = new String(out, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + output).isZero();
    return output;
  }

  private static Path findOnPath(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new AssertionError(
        name
            + " is not on the PATH: install Debian's prometheus package (apt-get install"
            + " prometheus), as .ci/run does");
  }
}
