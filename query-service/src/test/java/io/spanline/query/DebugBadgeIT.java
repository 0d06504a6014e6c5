package io.spanline.query;

import static io.spanline.query.testing.QueryFixture.getAs;
import static io.spanline.query.testing.QueryFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.spanline.localinfra.Probe;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.opensearch.LocalOpenSearch;
import io.spanline.query.testing.QueryFixture;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.testing.TraceBuilder;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A trace kept by the debug switch (its decision names the policy {@code debug}, its spans carry
 * {@code spanline.debug}) is flagged in the native search API and badged in the web UI's result row
 * and trace view; other traces are not.
 */
@ExtendWith(LocalInfraExtension.class)
class DebugBadgeIT {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  @Test
  void aDebugKeptTraceIsFlaggedInSearch_andBadgedInTheUi(LocalOpenSearch node) throws Exception {
    // Given two recent traces of acme, one kept by the debug switch and one by another policy
    Duration sinceBuilderStart =
        Duration.ofNanos(
            Instant.now().minusSeconds(30).toEpochMilli() * 1_000_000L - TraceBuilder.START);
    AssembledTrace debug =
        TraceBuilder.trace()
            .tenant("acme")
            .shiftedBy(sinceBuilderStart)
            .root("frontend", "GET /debugged", 20)
            .attr("spanline.debug", "1")
            .child("checkout", "POST /orders", 10)
            .attr("spanline.debug", "1")
            .build();
    AssembledTrace plain =
        TraceBuilder.trace()
            .tenant("acme")
            .shiftedBy(sinceBuilderStart)
            .root("frontend", "GET /plain", 20)
            .build();
    String prefix =
        QueryFixture.index(
            node, List.of(debug, plain), List.of(List.of("debug"), List.of("baseline")));

    try (QueryServiceApp app = QueryFixture.start(node, prefix)) {
      Map<String, String> window = new HashMap<>();
      window.put("service", "frontend");
      window.put("from", Instant.now().minusSeconds(600).toString());
      window.put("to", Instant.now().plusSeconds(60).toString());
      Probe.until(
          "summaries searchable",
          Duration.ofSeconds(30),
          Duration.ofMillis(200),
          () -> search(app, window).size() == 2);

      // When searching through the native API
      Map<String, Boolean> flags = new HashMap<>();
      for (JsonNode t : search(app, window)) {
        flags.put(t.get("traceId").asText(), t.get("debug").asBoolean());
      }
      // Then only the debug-kept trace is flagged
      assertThat(flags)
          .containsExactlyInAnyOrderEntriesOf(
              Map.of(debug.traceId().toHex(), true, plain.traceId().toHex(), false));

      assertThat(CHROMIUM).as("Debian's chromium").exists();
      WebDriver browser = chromium();
      try {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        String base = "http://127.0.0.1:" + app.port() + "/";
        browser.get(base);
        browser.findElement(By.id("tenant")).sendKeys("acme");
        browser.findElement(By.id("lookup-id")).click(); // the tenant field's change event
        // When the UI lists acme's frontend traces
        browser.get("about:blank");
        browser.get(base + "#/search?service=frontend&range=60");
        List<WebElement> rows =
            wait.until(
                d -> {
                  List<WebElement> r = d.findElements(By.cssSelector("#results .trace-row"));
                  return r.size() == 2 ? r : null;
                });
        // Then the debug-kept trace's row has the badge, the other's not
        for (WebElement row : rows) {
          boolean isDebug = debug.traceId().toHex().equals(row.getAttribute("data-trace-id"));
          assertThat(row.findElements(By.className("debug-badge")))
              .as("badges on %s", row.getText())
              .hasSize(isDebug ? 1 : 0);
        }
        // and its trace view shows the badge in its header
        browser.get(base + "#/trace/" + debug.traceId().toHex());
        WebElement badge =
            wait.until(d -> d.findElement(By.cssSelector(".trace-header .debug-badge")));
        assertThat(badge.getText()).isEqualTo("debug");
        browser.get(base + "#/trace/" + plain.traceId().toHex());
        wait.until(d -> d.findElement(By.cssSelector("#waterfall .span-row")));
        assertThat(browser.findElements(By.cssSelector(".trace-header .debug-badge"))).isEmpty();
      } finally {
        browser.quit();
      }
    }
  }

  private static JsonNode search(QueryServiceApp app, Map<String, String> params) throws Exception {
    return ok(getAs(app, "acme", "/v1/traces/search", params)).get("traces");
  }

  private static WebDriver chromium() throws Exception {
    Path profile = Files.createTempDirectory("spanline-chromium");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--no-first-run",
        "--window-size=1400,900",
        "--user-data-dir=" + profile);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
            .usingAnyFreePort()
            .build();
    return new ChromeDriver(service, options);
  }
}
