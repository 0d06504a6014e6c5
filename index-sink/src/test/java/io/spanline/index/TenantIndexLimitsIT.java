package io.spanline.index;

import static io.spanline.index.testing.IndexSinkHarness.each;
import static io.spanline.index.testing.IndexSinkHarness.kept;
import static io.spanline.index.testing.Queries.term;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.spanline.index.testing.IndexSinkHarness;
import io.spanline.localinfra.Probe;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.opensearch.LocalOpenSearch;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.testing.TraceBuilder;
import io.spanline.storage.opensearch.Fields;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The index sink applying the tenant-limits file ({@code indexed-attributes}, {@code
 * hot-retention-days}) against real Kafka, schema registry and OpenSearch.
 */
@ExtendWith(LocalInfraExtension.class)
class TenantIndexLimitsIT {
  private static final Duration WAIT = Duration.ofSeconds(90);

  @Test
  void eachTenantsAllowlistDecidesWhatIsSearchable_andAReloadAppliesToTracesWrittenAfterIt(
      LocalKafka kafka, LocalSchemaRegistry registry, LocalOpenSearch openSearch, @TempDir Path dir)
      throws Exception {
    // Given a file where acme indexes customer.id, globex only http.route, and 'brief' keeps 30
    // days (the test traces are older), the others the sink's own index.attributes
    Path file = dir.resolve("tenant-limits.yaml");
    Files.writeString(
        file,
        """
        overrides:
          acme: {indexed-attributes: [customer.id]}
          globex: {indexed-attributes: [http.route]}
          brief: {hot-retention-days: 30}
        """);
    try (IndexSinkHarness sink =
        IndexSinkHarness.start(
            kafka,
            registry,
            openSearch.httpPort(),
            1,
            Map.of(
                "tenant-limits.file",
                file.toString(),
                "tenant-limits.reload.interval.ms",
                "200"))) {
      AssembledTrace acme = withAttributes("acme");
      AssembledTrace globex = withAttributes("globex");
      AssembledTrace initech = withAttributes("initech");
      AssembledTrace brief = withAttributes("brief");

      // When one trace of each, with the same attributes, is indexed
      sink.send(kept(acme), kept(globex), kept(initech), kept(brief));
      sink.awaitAllCommitted(WAIT);

      // Then a search on customer.id finds acme's trace only (globex's and initech's lists lack
      // it), a search on http.route globex's and initech's (the sink's default list has it)
      assertThat(traceIds(sink, "customer.id=c-42")).containsExactly(acme.traceId().toHex());
      assertThat(traceIds(sink, "http.route=/pay"))
          .containsExactlyInAnyOrder(globex.traceId().toHex(), initech.traceId().toHex());
      assertThat(sink.count(sink.spans(), term("attr.customer@id", "c-42"))).isEqualTo(1);
      assertThat(sink.count(sink.spans(), term("attr.http@route", "/pay"))).isEqualTo(2);
      // and the tenant whose hot retention is shorter than its trace's age gets nothing indexed,
      // counted as out of its window
      assertThat(sink.count(sink.spans(), term(Fields.TENANT, "brief"))).isZero();
      MeterRegistry meters = sink.app().metrics().registry();
      assertThat(
              meters
                  .get("spanline.index.spans.out_of_window")
                  .tag("tenant", "brief")
                  .counter()
                  .count())
          .isEqualTo(2);

      // When the file gives globex customer.id too, and the sink reloaded it
      Counter reloads =
          meters.get("spanline.tenant.limits.reloads").tag("result", "success").counter();
      double before = reloads.count();
      Files.writeString(
          file,
          """
          overrides:
            acme: {indexed-attributes: [customer.id]}
            globex: {indexed-attributes: [http.route, customer.id]}
          """);
      Probe.until(
          "the changed file reloaded",
          WAIT,
          Duration.ofMillis(100),
          () -> reloads.count() > before);
      AssembledTrace globexAfter = withAttributes("globex");
      sink.send(kept(globexAfter));
      sink.awaitAllCommitted(WAIT);

      // Then globex's new trace is found by customer.id, its earlier one still is not
      assertThat(traceIds(sink, "customer.id=c-42"))
          .containsExactlyInAnyOrder(acme.traceId().toHex(), globexAfter.traceId().toHex());
    }
  }

  @Test
  void aReloadShorteningATenantsHotRetention_deletesItsOlderDocuments_andKeepsTheOthers(
      LocalKafka kafka, LocalSchemaRegistry registry, LocalOpenSearch openSearch, @TempDir Path dir)
      throws Exception {
    // Given a sink keeping 3650 days (the harness's, so the test traces of 2025 are indexed), its
    // retention job running every 300 ms, and a file that shortens no tenant
    Path file = dir.resolve("tenant-limits.yaml");
    Files.writeString(file, "overrides:\n  fading: {}\n");
    try (IndexSinkHarness sink =
        IndexSinkHarness.start(
            kafka,
            registry,
            openSearch.httpPort(),
            1,
            Map.of(
                "tenant-limits.file",
                file.toString(),
                "tenant-limits.reload.interval.ms",
                "200",
                "retention.interval.ms",
                "300",
                "retention.tenant.delete-batch",
                "2"))) {
      sink.send(kept(withAttributes("fading")), kept(withAttributes("staying")));
      sink.awaitAllCommitted(WAIT);
      assertThat(sink.count(sink.config().layout().prefix() + "-*", term(Fields.TENANT, "fading")))
          .isEqualTo(4);

      // When the file gives 'fading' 300 days (its trace started longer ago)
      Files.writeString(file, "overrides:\n  fading: {hot-retention-days: 300}\n");

      // Then the retention job deletes its 2 span documents, fragment and summary, counted
      String everyIndex = sink.config().layout().prefix() + "-*";
      sink.awaitCount(everyIndex, term(Fields.TENANT, "fading"), 0, WAIT);
      assertThat(sink.count(everyIndex, term(Fields.TENANT, "staying"))).isEqualTo(4);
      MeterRegistry meters = sink.app().metrics().registry();
      Probe.until(
          "the deletion counted",
          WAIT,
          Duration.ofMillis(100),
          () ->
              meters
                      .find("spanline.index.retention.tenant.deleted.documents")
                      .tag("tenant", "fading")
                      .counter()
                  != null);
      assertThat(
              meters
                  .get("spanline.index.retention.tenant.deleted.documents")
                  .tag("tenant", "fading")
                  .counter()
                  .count())
          .isEqualTo(4);
    }
  }

  @Test
  void anInvalidFileAtStart_stopsTheSink_namingTheFileAndKey(
      LocalKafka kafka, LocalSchemaRegistry registry, LocalOpenSearch openSearch, @TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("tenant-limits.yaml");
    Files.writeString(file, "overrides:\n  acme: {hot-retention-days: 0}\n");
    assertThatThrownBy(
            () ->
                IndexSinkHarness.start(
                    kafka,
                    registry,
                    openSearch.httpPort(),
                    1,
                    Map.of("tenant-limits.file", file.toString())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tenant-limits.file=" + file)
        .hasMessageContaining("hot-retention-days=0");
  }

  /** A trace of two spans, the child carrying customer.id and http.route. */
  private static AssembledTrace withAttributes(String tenant) {
    return TraceBuilder.trace()
        .tenant(tenant)
        .root("frontend", "POST /checkout", 120)
        .child("payment", "charge", 40)
        .attr("customer.id", "c-42")
        .attr("http.route", "/pay")
        .build();
  }

  private static java.util.List<String> traceIds(IndexSinkHarness sink, String tag)
      throws Exception {
    return each(
        sink.search(sink.spans(), term(Fields.TAGS, tag)), d -> d.get(Fields.TRACE_ID).asText());
  }
}
