package io.spanline.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.opensearch.LocalOpenSearch;
import io.spanline.query.testing.QueryFixture;
import io.spanline.schemas.codec.otlp.OtlpJsonCodec;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanId;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.testing.TraceBuilder;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web UI in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver},
 * which {@code .ci/run} installs): search for a known trace, open it, see its spans in the
 * waterfall, open a span's details, see the dependency graph; follow a span link to the linked
 * span, list the traces linking to a trace, and see a link to a trace that was not kept; open
 * traces from the results' scatter plot, reproduce a search from its URL (back and forward
 * included), search an absolute range, collapse and expand subtrees, find spans, download a trace
 * as OTLP JSON; ask "What is different?" from the results and from a duration range dragged on the
 * scatter plot. Screenshots go to {@code target/ui-screenshots/}.
 */
@ExtendWith(LocalInfraExtension.class)
class WebUiIT {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  @Test
  void findsATraceOpensItsWaterfallAndDrawsTheDependencyGraph(LocalOpenSearch node)
      throws Exception {
    assertThat(CHROMIUM)
        .as("Debian's chromium (apt-get install chromium chromium-driver; .ci/run does it)")
        .exists();
    assertThat(CHROMEDRIVER).as("Debian's chromium-driver").exists();
    // Given a trace of now (the UI searches relative time ranges) and another tenant's trace
    Duration sinceBuilderStart =
        Duration.ofNanos(
            Instant.now().minusSeconds(30).toEpochMilli() * 1_000_000L - TraceBuilder.START);
    AssembledTrace checkout =
        TraceBuilder.trace()
            .tenant("acme")
            .shiftedBy(sinceBuilderStart)
            .root("frontend", "GET /checkout", 120)
            .child("checkout", "POST /orders", 80)
            .attr("order.id", "o-42")
            .child("payment", "charge card", 40)
            .error()
            .build();
    AssembledTrace other =
        TraceBuilder.trace()
            .tenant("globex")
            .shiftedBy(sinceBuilderStart)
            .root("billing", "POST /invoice", 10)
            .build();
    // and a trace whose server span's host clock runs 50 ms behind
    AssembledTrace recorded =
        TraceBuilder.trace()
            .tenant("acme")
            .shiftedBy(sinceBuilderStart)
            .root("frontend", "GET /cart", 100)
            .resourceAttr("host.name", "a")
            .child("checkout", "GET /cart/items", 40)
            .resourceAttr("host.name", "b")
            .build();
    List<Span> skewedSpans = new ArrayList<>(recorded.spans());
    Span late = skewedSpans.get(1);
    skewedSpans.set(
        1,
        late.toBuilder()
            .time(late.startEpochNanos() - 50_000_000L, late.endEpochNanos() - 50_000_000L)
            .build());
    AssembledTrace skewed =
        AssembledTrace.of("acme", recorded.traceId(), recorded.fragment(), skewedSpans);
    String prefix = QueryFixture.index(node, List.of(checkout, other, skewed));
    Path shots = Path.of("target", "ui-screenshots");
    Files.createDirectories(shots);

    try (QueryServiceApp app = QueryFixture.start(node, prefix)) {
      WebDriver browser = chromium();
      try {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        browser.get("http://127.0.0.1:" + app.port() + "/");
        browser.findElement(By.id("tenant")).sendKeys("acme");
        browser.findElement(By.id("lookup-id")).click(); // the tenant field's change event
        // When searching payment's traces with an error
        wait.until(
            d ->
                new Select(d.findElement(By.id("service")))
                    .getOptions().stream().anyMatch(o -> o.getText().equals("payment")));
        new Select(browser.findElement(By.id("service"))).selectByVisibleText("payment");
        new Select(browser.findElement(By.id("status"))).selectByValue("error");
        browser.findElement(By.id("search-button")).click();

        // Then the known trace is listed, with its duration bar
        WebElement row =
            wait.until(
                d ->
                    d.findElements(By.cssSelector("#results .trace-row")).stream()
                        .filter(
                            r -> checkout.traceId().toHex().equals(r.getAttribute("data-trace-id")))
                        .findFirst()
                        .orElse(null));
        assertThat(browser.findElements(By.cssSelector("#results .trace-row"))).hasSize(1);
        assertThat(row.getText()).contains("frontend: GET /checkout").contains("3 spans");
        assertThat(row.findElement(By.className("duration-bar")).getAttribute("style"))
            .contains("width: 100%");
        screenshot(browser, shots.resolve("search.png"));

        // and opening it shows every span in the waterfall, the failed one marked
        row.click();
        List<WebElement> spans =
            wait.until(
                d -> {
                  List<WebElement> found = d.findElements(By.cssSelector("#waterfall .span-row"));
                  return found.size() == 3 ? found : null;
                });
        assertThat(spans.stream().map(s -> s.getAttribute("data-span-id")))
            .containsExactlyElementsOf(
                checkout.spans().stream().map(s -> s.spanId().toHex()).toList());
        assertThat(spans.get(2).getAttribute("class")).contains("error");
        assertThat(
                spans.stream()
                    .map(s -> s.findElement(By.className("label")).getText())
                    .collect(Collectors.toList()))
            .containsExactly(
                "frontend" + "GET /checkout",
                "checkout" + "POST /orders",
                "payment" + "charge card");
        spans.get(1).click();
        WebElement details =
            wait.until(d -> d.findElement(By.cssSelector("#waterfall .span-details")));
        assertThat(details.getText()).contains("order.id").contains("o-42").contains("CLIENT");
        screenshot(browser, shots.resolve("trace.png"));
        // the critical path runs through each span of this chain, in five sections
        assertThat(browser.findElements(By.cssSelector("#waterfall .span-row.critical")))
            .hasSize(3);
        assertThat(browser.findElements(By.cssSelector("#waterfall .cp"))).hasSize(5);
        browser.findElement(By.id("critical-path-toggle")).click();
        assertThat(browser.findElement(By.cssSelector("#waterfall .cp")).isDisplayed()).isFalse();

        // and a skewed trace shows its server span moved into its parent, marked, with a way
        // back to the recorded times
        browser.get("http://127.0.0.1:" + app.port() + "/#/trace/" + skewed.traceId().toHex());
        WebElement skewNote = wait.until(d -> d.findElement(By.id("clock-skew")));
        assertThat(skewNote.getText()).contains("1 span was moved into its parent");
        assertThat(
                browser
                    .findElement(
                        By.cssSelector(
                            "#waterfall .span-row[data-span-id='" + late.spanId().toHex() + "']"))
                    .findElements(By.className("skew")))
            .hasSize(1);
        screenshot(browser, shots.resolve("clock-skew.png"));
        skewNote.findElement(By.linkText("Show as recorded")).click();
        wait.until(
            d -> d.findElement(By.id("clock-skew")).getText().contains("Timestamps as recorded"));
        assertThat(browser.findElements(By.cssSelector("#waterfall .skew"))).isEmpty();

        // and the dependency graph has the two calls
        browser.findElement(By.id("nav-dependencies")).click();
        wait.until(d -> d.findElements(By.cssSelector("#dependency-svg .edge")).size() == 2);
        assertThat(
                browser.findElements(By.cssSelector("#dependency-svg .edge")).stream()
                    .map(e -> e.getAttribute("data-edge")))
            .containsExactlyInAnyOrder("frontend>checkout", "checkout>payment");
        assertThat(browser.findElements(By.cssSelector("#dependency-svg .node"))).hasSize(3);
        // call counts are estimates of all traffic by default, and the page says so
        assertThat(browser.findElement(By.id("dependencies-note")).getText())
            .contains("adjusted count");
        String estimated =
            browser
                .findElement(By.cssSelector("#dependency-svg [data-edge='frontend>checkout']"))
                .getText();
        assertThat(estimated).matches("≈\\d+ calls");
        screenshot(browser, shots.resolve("dependencies.png"));
        // every trace here was kept with probability 1: the kept count is the estimate
        new Select(browser.findElement(By.id("dependencies-weight"))).selectByValue("kept");
        String kept = estimated.replace("≈", "").replace(" calls", "") + " kept call";
        wait.until(
            d ->
                d.findElement(By.cssSelector("#dependency-svg [data-edge='frontend>checkout']"))
                    .getText()
                    .startsWith(kept));
        assertThat(browser.findElement(By.id("dependencies-note")).getText())
            .contains("kept traces only");

        // and another tenant's trace is not found for this one: the page says why
        browser.get("http://127.0.0.1:" + app.port() + "/#/trace/" + other.traceId().toHex());
        WebElement error = wait.until(d -> d.findElement(By.id("error")));
        wait.until(d -> error.isDisplayed());
        assertThat(error.getText()).contains("404").contains("not found");
      } finally {
        browser.quit();
      }
    }
  }

  @Test
  void followsASpanLinkToTheLinkedSpan_findsTheTracesLinkingHere_andSaysWhenATraceIsNotKept(
      LocalOpenSearch node) throws Exception {
    assertThat(CHROMIUM).as("Debian's chromium").exists();
    assertThat(CHROMEDRIVER).as("Debian's chromium-driver").exists();
    // Given a producer's trace, and a consumer trace whose process span links to the producer's
    // publish span and to a span of a trace that was not kept
    Duration sinceBuilderStart =
        Duration.ofNanos(
            Instant.now().minusSeconds(30).toEpochMilli() * 1_000_000L - TraceBuilder.START);
    AssembledTrace producer =
        TraceBuilder.trace()
            .tenant("acme")
            .shiftedBy(sinceBuilderStart)
            .root("checkout", "POST /orders", 40)
            .child("checkout", "demo.orders publish", 5)
            .build();
    String publish = producer.spans().get(1).spanId().toHex();
    TraceId dropped = TraceBuilder.randomTraceId();
    AssembledTrace consumer =
        TraceBuilder.trace()
            .tenant("acme")
            .shiftedBy(sinceBuilderStart)
            .root("fulfillment", "demo.orders process", 30)
            .link(
                producer.traceId(),
                producer.spans().get(1).spanId(),
                Attribute.of("messaging.kafka.offset", 7L))
            .link(dropped, new SpanId(0x77L), Attribute.of("messaging.kafka.offset", 8L))
            .child("fulfillment", "pack order", 10)
            .build();
    String process = consumer.spans().get(0).spanId().toHex();
    String prefix = QueryFixture.index(node, List.of(producer, consumer));
    Path shots = Path.of("target", "ui-screenshots");
    Files.createDirectories(shots);

    try (QueryServiceApp app = QueryFixture.start(node, prefix)) {
      WebDriver browser = chromium();
      try {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        String base = "http://127.0.0.1:" + app.port() + "/";
        browser.get(base);
        browser.findElement(By.id("tenant")).sendKeys("acme");
        browser.findElement(By.id("lookup-id")).click(); // the tenant field's change event

        // When the consumer's process span is opened, its links show with their attributes
        browser.get(base + "#/trace/" + consumer.traceId().toHex());
        spanRow(wait, process).click();
        WebElement details =
            wait.until(d -> d.findElement(By.cssSelector("#waterfall .span-details")));
        assertThat(details.getText())
            .containsIgnoringCase("links (2)")
            .contains(producer.traceId().toHex() + " / " + publish)
            .contains("messaging.kafka.offset")
            .contains("7")
            .contains("8");

        // and following the link to the producer's span
        details
            .findElement(
                By.cssSelector("a.link-target[data-trace-id='" + producer.traceId().toHex() + "']"))
            .click();

        // Then the producer's trace opens with that span highlighted and its details open
        WebElement highlighted =
            wait.until(d -> d.findElement(By.cssSelector("#waterfall .span-row.highlight")));
        assertThat(highlighted.getAttribute("data-span-id")).isEqualTo(publish);
        assertThat(browser.findElements(By.cssSelector("#waterfall .span-row.highlight")))
            .hasSize(1);
        assertThat(browser.getCurrentUrl())
            .endsWith("#/trace/" + producer.traceId().toHex() + "/" + publish);
        assertThat(browser.findElement(By.cssSelector("#waterfall .span-details")).getText())
            .contains("span ID")
            .contains(publish);
        screenshot(browser, shots.resolve("link-followed.png"));

        // and "Traces linking here" lists the consumer's trace, which opens from there
        browser.findElement(By.id("linking-button")).click();
        WebElement linking =
            wait.until(d -> d.findElement(By.cssSelector("#linking-traces a.linking-trace")));
        assertThat(linking.getAttribute("data-trace-id")).isEqualTo(consumer.traceId().toHex());
        assertThat(linking.getText()).isEqualTo("fulfillment: demo.orders process");
        linking.click();
        wait.until(d -> d.getCurrentUrl().endsWith("#/trace/" + consumer.traceId().toHex()));
        spanRow(wait, process);

        // and the search form finds it by the trace it links to
        browser.get(base + "#/search");
        browser.findElement(By.id("linked-trace")).sendKeys(producer.traceId().toHex());
        browser.findElement(By.id("search-button")).click();
        wait.until(
            d ->
                d.findElements(By.cssSelector("#results .trace-row")).stream()
                    .map(r -> r.getAttribute("data-trace-id"))
                    .toList()
                    .equals(List.of(consumer.traceId().toHex())));

        // and following the link to a trace that was not kept says so
        WebElement shownBefore = browser.findElement(By.id("waterfall"));
        browser.get(base + "#/trace/" + consumer.traceId().toHex());
        wait.until(ExpectedConditions.stalenessOf(shownBefore));
        spanRow(wait, process).click();
        wait.until(d -> d.findElement(By.cssSelector("#waterfall .span-details")))
            .findElement(By.cssSelector("a.link-target[data-trace-id='" + dropped.toHex() + "']"))
            .click();
        WebElement notKept = wait.until(d -> d.findElement(By.id("not-kept")));
        assertThat(notKept.getText())
            .contains("The linked trace " + dropped.toHex() + " is not kept")
            .contains("0000000000000077");
        screenshot(browser, shots.resolve("link-not-kept.png"));
      } finally {
        browser.quit();
      }
    }
  }

  @Test
  void scatterPlotOpensTraces_urlCarriesTheSearch_absoluteRange_collapseFindAndDownload(
      LocalOpenSearch node) throws Exception {
    assertThat(CHROMIUM).as("Debian's chromium").exists();
    assertThat(CHROMEDRIVER).as("Debian's chromium-driver").exists();
    // Given a failed checkout and a quick home page of now, and a trace of three hours ago
    Instant now = Instant.now();
    AssembledTrace checkout =
        TraceBuilder.trace()
            .tenant("initech")
            .shiftedBy(since(now.minusSeconds(30)))
            .root("frontend", "GET /checkout", 120)
            .child("checkout", "POST /orders", 80)
            .child("payment", "charge card", 40)
            .attr("payment.provider", "slowpay")
            .error()
            .build();
    AssembledTrace home =
        TraceBuilder.trace()
            .tenant("initech")
            .shiftedBy(since(now.minusSeconds(120)))
            .root("frontend", "GET /home", 40)
            .build();
    Instant threeHoursAgo = now.minus(Duration.ofHours(3));
    AssembledTrace older =
        TraceBuilder.trace()
            .tenant("initech")
            .shiftedBy(since(threeHoursAgo))
            .root("frontend", "GET /older", 10)
            .build();
    String prefix = QueryFixture.index(node, List.of(checkout, home, older));
    Path shots = Path.of("target", "ui-screenshots");
    Files.createDirectories(shots);

    try (QueryServiceApp app = QueryFixture.start(node, prefix)) {
      WebDriver browser = chromium();
      try {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        String base = "http://127.0.0.1:" + app.port() + "/";
        browser.get(base);
        browser.findElement(By.id("tenant")).sendKeys("initech");
        browser.findElement(By.id("lookup-id")).click(); // the tenant field's change event

        // When a link holding a search is loaded
        browser.get("about:blank");
        String link = base + "#/search?service=frontend&range=60&limit=20";
        browser.get(link);

        // Then the search runs as the link says: the form filled in, the two recent traces found
        wait.until(d -> resultIds(d).size() == 2);
        assertThat(resultIds(browser))
            .containsExactly(checkout.traceId().toHex(), home.traceId().toHex());
        assertThat(new Select(browser.findElement(By.id("service"))).getFirstSelectedOption())
            .extracting(WebElement::getText)
            .isEqualTo("frontend");
        assertThat(new Select(browser.findElement(By.id("range"))).getFirstSelectedOption())
            .extracting(o -> o.getAttribute("value"))
            .isEqualTo("60");
        // and the scatter plot has a point per trace, the failed one marked
        List<WebElement> points = browser.findElements(By.cssSelector("#scatter-svg .point"));
        assertThat(points).hasSize(2);
        assertThat(browser.findElements(By.cssSelector("#scatter-svg .point.error")))
            .singleElement()
            .extracting(p -> p.getAttribute("data-trace-id"))
            .isEqualTo(checkout.traceId().toHex());
        screenshot(browser, shots.resolve("scatter.png"));

        // When a point is clicked, its trace opens
        point(browser, home.traceId().toHex()).click();
        wait.until(d -> d.getCurrentUrl().endsWith("#/trace/" + home.traceId().toHex()));
        spanRow(wait, home.spans().get(0).spanId().toHex());
        // and back returns to the same search and results
        browser.navigate().back();
        wait.until(d -> d.getCurrentUrl().equals(link));
        wait.until(d -> resultIds(d).size() == 2);

        // When an absolute range around three hours ago is searched
        new Select(browser.findElement(By.id("range"))).selectByValue("absolute");
        setLocalTime(browser, "from", threeHoursAgo.minus(Duration.ofMinutes(10)));
        setLocalTime(browser, "to", threeHoursAgo.plus(Duration.ofMinutes(10)));
        browser.findElement(By.id("search-button")).click();

        // Then only the older trace is found, and the URL carries the range
        wait.until(d -> resultIds(d).equals(List.of(older.traceId().toHex())));
        assertThat(browser.getCurrentUrl())
            .contains("from=")
            .contains("to=")
            .doesNotContain("range=");
        String absolute = browser.getCurrentUrl();
        // and back/forward step between the two searches
        browser.navigate().back();
        wait.until(d -> resultIds(d).size() == 2);
        assertThat(new Select(browser.findElement(By.id("range"))).getFirstSelectedOption())
            .extracting(o -> o.getAttribute("value"))
            .isEqualTo("60");
        browser.navigate().forward();
        wait.until(d -> resultIds(d).equals(List.of(older.traceId().toHex())));
        assertThat(browser.findElement(By.id("absolute-range")).isDisplayed()).isTrue();
        // and the absolute link, loaded afresh, finds the same
        browser.get("about:blank");
        browser.get(absolute);
        wait.until(d -> resultIds(d).equals(List.of(older.traceId().toHex())));

        // When the checkout trace is opened
        browser.get(base + "#/trace/" + checkout.traceId().toHex());
        String root = checkout.spans().get(0).spanId().toHex();
        String orders = checkout.spans().get(1).spanId().toHex();
        String charge = checkout.spans().get(2).spanId().toHex();
        spanRow(wait, charge);

        // Then collapsing a span hides its subtree, expanding shows it again
        twisty(browser, root).click();
        assertThat(visibleSpanIds(browser)).containsExactly(root);
        twisty(browser, root).click();
        assertThat(visibleSpanIds(browser)).containsExactly(root, orders, charge);
        twisty(browser, orders).click();
        assertThat(visibleSpanIds(browser)).containsExactly(root, orders);
        browser.findElement(By.id("expand-all")).click();
        assertThat(visibleSpanIds(browser)).containsExactly(root, orders, charge);
        browser.findElement(By.id("collapse-all")).click();
        assertThat(visibleSpanIds(browser)).containsExactly(root, orders);

        // and finding by an attribute value highlights the span, opening its collapsed parent
        WebElement find = browser.findElement(By.id("span-find"));
        find.sendKeys("SlowPay");
        assertThat(browser.findElement(By.id("find-count")).getText())
            .isEqualTo("1 of 3 spans match");
        assertThat(matchIds(browser)).containsExactly(charge);
        assertThat(visibleSpanIds(browser)).containsExactly(root, orders, charge);
        // by service or name
        find.clear();
        find.sendKeys("checkout");
        assertThat(browser.findElement(By.id("find-count")).getText())
            .isEqualTo("2 of 3 spans match");
        assertThat(matchIds(browser)).containsExactly(root, orders);
        screenshot(browser, shots.resolve("find.png"));

        // and the download link holds the trace as OTLP JSON
        WebElement download = browser.findElement(By.id("download-json"));
        assertThat(download.getAttribute("download"))
            .isEqualTo("trace-" + checkout.traceId().toHex() + ".json");
        assertThat(download.getAttribute("href")).startsWith("blob:");
        Object text =
            ((JavascriptExecutor) browser)
                .executeAsyncScript(
                    "const done = arguments[arguments.length - 1];"
                        + "fetch(arguments[0]).then(r => r.text()).then(done, e => done('' + e));",
                    download.getAttribute("href"));
        List<Span> downloaded =
            OtlpJsonCodec.decode(String.valueOf(text).getBytes(StandardCharsets.UTF_8));
        assertThat(downloaded.stream().map(s -> s.spanId().toHex()))
            .containsExactlyInAnyOrder(root, orders, charge);
        assertThat(downloaded).allMatch(s -> s.traceId().equals(checkout.traceId()));
      } finally {
        browser.quit();
      }
    }
  }

  @Test
  void comparesSlowCheckoutsWithTheOthers_fromTheResultsAndFromABrushedDurationRange(
      LocalOpenSearch node) throws Exception {
    assertThat(CHROMIUM).as("Debian's chromium").exists();
    assertThat(CHROMEDRIVER).as("Debian's chromium-driver").exists();
    // Given the demo's checkouts: six quick ones over ordinary providers, three slow ones all
    // through the slow provider
    Instant now = Instant.now();
    String[] ordinary = {"demo-card", "demo-wallet"};
    List<AssembledTrace> traces = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      boolean slow = i >= 6;
      traces.add(
          TraceBuilder.trace()
              .tenant("umbrella")
              .shiftedBy(since(now.minusSeconds(300 - i * 20)))
              .root("checkout", "POST /orders", slow ? 1_500 : 60)
              .child("payment", "POST /charge", slow ? 1_400 : 30)
              .attr("payment.provider", slow ? "legacy-bank" : ordinary[i % 2])
              .build());
    }
    String prefix = QueryFixture.index(node, traces);
    Path shots = Path.of("target", "ui-screenshots");
    Files.createDirectories(shots);

    try (QueryServiceApp app = QueryFixture.start(node, prefix)) {
      WebDriver browser = chromium();
      try {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        String base = "http://127.0.0.1:" + app.port() + "/";
        browser.get(base);
        browser.findElement(By.id("tenant")).sendKeys("umbrella");
        browser.findElement(By.id("lookup-id")).click(); // the tenant field's change event

        // When the slow checkouts are searched and "What is different?" is asked from the results
        browser.get("about:blank");
        browser.get(base + "#/search?service=checkout&minDurationMs=1000&range=60");
        wait.until(d -> resultIds(d).size() == 3);
        browser.findElement(By.id("compare-button")).click();

        // Then the panel compares them with the search's other traces: the slow provider first
        wait.until(d -> !differences(d).isEmpty());
        assertThat(differences(browser).get(0)).isEqualTo("payment.provider=legacy-bank");
        assertThat(browser.findElement(By.id("compare-summary")).getText())
            .isEqualTo("3 selected traces against 6 baseline traces");
        assertThat(
                new Select(browser.findElement(By.id("compare-selection")))
                    .getFirstSelectedOption()
                    .getAttribute("value"))
            .isEqualTo("slow");
        assertThat(browser.findElement(By.id("compare-min")).getAttribute("value"))
            .isEqualTo("1000");
        screenshot(browser, shots.resolve("compare.png"));

        // When all checkouts are searched and the slow band is dragged over on the scatter plot
        browser.get(base + "#/search?service=checkout&range=60");
        wait.until(d -> resultIds(d).size() == 9);
        WebElement svg = browser.findElement(By.id("scatter-svg"));
        int width = svg.getSize().getWidth();
        int height = svg.getSize().getHeight();
        double scale = width / 800.0; // the plot's viewBox is 800 × 200
        new Actions(browser)
            .moveToElement(svg, (int) ((40 - 400) * scale), (int) ((14 - 100) * scale))
            .clickAndHold()
            .moveByOffset(0, (int) (76 * scale))
            .release()
            .perform();

        // Then the comparison runs for that duration range and finds the slow provider
        wait.until(
            d ->
                "range"
                    .equals(
                        new Select(d.findElement(By.id("compare-selection")))
                            .getFirstSelectedOption()
                            .getAttribute("value")));
        wait.until(
            d ->
                d.findElement(By.id("compare-summary"))
                    .getText()
                    .equals("3 selected traces against 6 baseline traces"));
        assertThat(differences(browser).get(0)).isEqualTo("payment.provider=legacy-bank");
        double min =
            Double.parseDouble(browser.findElement(By.id("compare-min")).getAttribute("value"));
        double max =
            Double.parseDouble(browser.findElement(By.id("compare-max")).getAttribute("value"));
        assertThat(min).isBetween(100.0, 1_500.0);
        assertThat(max).isGreaterThanOrEqualTo(1_500.0);
        assertThat(height).isPositive();
        screenshot(browser, shots.resolve("compare-brushed.png"));

        // and a value opens the search for the traces with it
        browser.findElement(By.cssSelector("#compare-results .difference a")).click();
        wait.until(d -> resultIds(d).size() == 3);
        assertThat(browser.getCurrentUrl()).contains("attr.payment.provider=legacy-bank");
      } finally {
        browser.quit();
      }
    }
  }

  /** The comparison panel's values, {@code key=value}, in their order. */
  @SuppressWarnings("unchecked")
  private static List<String> differences(WebDriver browser) {
    return (List<String>)
        ((JavascriptExecutor) browser)
            .executeScript(
                "return [...document.querySelectorAll('#compare-results .difference')]"
                    + ".map(r => r.dataset.key + '=' + r.dataset.value);");
  }

  private static Duration since(Instant instant) {
    return Duration.ofNanos(instant.toEpochMilli() * 1_000_000L - TraceBuilder.START);
  }

  /** The trace IDs of the result rows, read in one go (the rows are replaced as searches run). */
  @SuppressWarnings("unchecked")
  private static List<String> resultIds(WebDriver browser) {
    return (List<String>)
        ((JavascriptExecutor) browser)
            .executeScript(
                "return [...document.querySelectorAll('#results .trace-row')]"
                    + ".map(r => r.dataset.traceId);");
  }

  private static WebElement point(WebDriver browser, String traceId) {
    return browser.findElement(
        By.cssSelector("#scatter-svg .point[data-trace-id='" + traceId + "']"));
  }

  /** Sets a datetime-local input to the instant in the browser's time zone. */
  private static void setLocalTime(WebDriver browser, String id, Instant instant) {
    ((JavascriptExecutor) browser)
        .executeScript(
            "const d = new Date(arguments[1]); const p = n => String(n).padStart(2, '0');"
                + "arguments[0].value = d.getFullYear() + '-' + p(d.getMonth() + 1) + '-'"
                + " + p(d.getDate()) + 'T' + p(d.getHours()) + ':' + p(d.getMinutes()) + ':'"
                + " + p(d.getSeconds());",
            browser.findElement(By.id(id)),
            instant.toEpochMilli());
  }

  private static WebElement twisty(WebDriver browser, String spanId) {
    return browser.findElement(
        By.cssSelector("#waterfall .span-row[data-span-id='" + spanId + "'] .twisty"));
  }

  private static List<String> visibleSpanIds(WebDriver browser) {
    return browser.findElements(By.cssSelector("#waterfall .span-row")).stream()
        .filter(WebElement::isDisplayed)
        .map(r -> r.getAttribute("data-span-id"))
        .toList();
  }

  private static List<String> matchIds(WebDriver browser) {
    return browser.findElements(By.cssSelector("#waterfall .span-row.match")).stream()
        .map(r -> r.getAttribute("data-span-id"))
        .toList();
  }

  /** The waterfall row of the span, once the trace view shows it. */
  private static WebElement spanRow(WebDriverWait wait, String spanId) {
    return wait.until(
        d ->
            d.findElements(By.cssSelector("#waterfall .span-row")).stream()
                .filter(r -> spanId.equals(r.getAttribute("data-span-id")))
                .findFirst()
                .orElse(null));
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

  private static void screenshot(WebDriver browser, Path file) throws Exception {
    Files.write(file, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
  }
}
